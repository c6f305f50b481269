import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categorize, profileThreadId, type CpuProfile } from './cpu-profile.js';
import { PROFILE_CATEGORIES } from './pong-profile-suite.js';

const SRC = 'file:///home/u/a3c-ts/dist/src/';
const frame = (functionName: string, url = '') => ({ functionName, url });

/**
 * A trainer-like tree: root > onMessage > train > flatGradients > forward > Conv2D (forward),
 * flatGradients > Conv2DBackpropFilter (backward), apply > Adam.step (optimiser), (idle), and an
 * agent's send: blocked in Atomics.wait (V8 books it as send's self time) or posting (transport).
 */
function profile(): CpuProfile {
  const nodes = [
    { id: 1, callFrame: frame('(root)'), children: [2, 9, 10] },
    { id: 2, callFrame: frame('onMessage', `${SRC}algo/runner.js`), children: [3] },
    { id: 3, callFrame: frame('train', `${SRC}algo/learner.js`), children: [4, 7] },
    { id: 4, callFrame: frame('flatGradients', `${SRC}nn/gradients.js`), children: [5, 6] },
    { id: 5, callFrame: frame('forward', `${SRC}nn/atari-net.js`), children: [11] },
    { id: 6, callFrame: frame('Conv2DBackpropFilter', `${SRC}nn/kernels/onednn-kernels.js`) },
    { id: 7, callFrame: frame('apply', `${SRC}algo/learner.js`), children: [8] },
    { id: 8, callFrame: frame('step', `${SRC}nn/optimizers.js`) },
    { id: 9, callFrame: frame('(idle)') },
    { id: 10, callFrame: frame('send', `${SRC}parallel/thread-agent.js`), children: [12] },
    { id: 11, callFrame: frame('Conv2D', `${SRC}nn/kernels/onednn-kernels.js`) },
    { id: 12, callFrame: frame('postMessage') },
  ];
  // Samples 100 us apart from t = 1000 us: forward x3, backward x2, optimiser, idle x2, blocked, transport.
  const samples = [11, 11, 11, 6, 6, 8, 9, 9, 10, 12];
  return { nodes, startTime: 1000, endTime: 2000, samples, timeDeltas: samples.map(() => 100) };
}

test('categorize gives each sample to the first matching rule: the loss forward inside flatGradients is forward, not backward', () => {
  const totals = categorize(profile(), PROFILE_CATEGORIES, 0, Infinity);
  assert.deepEqual(Object.fromEntries(totals), { forward: 300, backward: 200, optimiser: 100, idle: 200, 'blocked on a full queue': 100, transport: 100 });
});

test('categorize counts only the samples in the window: sample k is at 1000 + 100 (k + 1) us', () => {
  // Samples at 1100..2000: [1300, 1700) holds samples 2..5: forward, backward, backward, optimiser.
  const totals = categorize(profile(), PROFILE_CATEGORIES, 1300, 1700);
  assert.deepEqual(Object.fromEntries(totals), { forward: 100, backward: 200, optimiser: 100 });
});

test('categorize puts a stack no rule matches under the other category', () => {
  const p: CpuProfile = { nodes: [{ id: 1, callFrame: frame('(root)'), children: [2] }, { id: 2, callFrame: frame('log', `${SRC}io/log.js`) }], startTime: 0, endTime: 10, samples: [2], timeDeltas: [5] };
  assert.deepEqual(Object.fromEntries(categorize(p, PROFILE_CATEGORIES, 0, 10)), { other: 5 });
});

test('profileThreadId reads the thread of node --cpu-prof file names, 0 for the main thread', () => {
  assert.equal(profileThreadId('CPU.20261207.092835.26379.0.001.cpuprofile'), 0);
  assert.equal(profileThreadId('CPU.20261207.092845.26379.3.003.cpuprofile'), 3);
  assert.equal(profileThreadId('notes.txt'), null);
});
