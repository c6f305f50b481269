import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { Adam, DEFAULT_ADAM_ARGS, RmsProp, SharedAdam, SharedRmsProp, type AdamBuffers } from './optimizers.js';
import { loadOneDnn, oneDnnStatus } from './kernels/onednn-kernels.js';
import { Rng } from '../utils/rng.js';

/** Float32 storage of values computed here in float64. */
const FLOAT32_RTOL = 1e-6;

function assertClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= FLOAT32_RTOL * Math.abs(expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('Adam', () => {
  it('matches torch.optim.Adam on a hand-computed two-step example', () => {
    const lr = 0.1;
    const eps = DEFAULT_ADAM_ARGS.eps; // 1e-3
    const params = new Float32Array([1, -2]);
    const g1 = [0.5, -1];
    const g2 = [0.1, 0.3];
    const adam = new Adam(2, { lr });

    // Step 1: m = 0.1 g, v = 0.001 g^2; bias corrections 0.1 and 0.001 give m^ = g and
    // sqrt(v^) = |g|, so each parameter moves by lr g / (|g| + eps).
    adam.step(params, new Float32Array(g1));
    const after1 = [1 - (lr * 0.5) / (0.5 + eps), -2 - (lr * -1) / (1 + eps)];
    assertClose(params, after1, 'params after step 1');

    // Step 2: m = 0.9 (0.1 g1) + 0.1 g2, v = 0.999 (0.001 g1^2) + 0.001 g2^2,
    // step_size = lr / (1 - 0.9^2), denom = sqrt(v) / sqrt(1 - 0.999^2) + eps.
    adam.step(params, new Float32Array(g2));
    const after2 = after1.map((p, i) => {
      const m = 0.9 * 0.1 * g1[i] + 0.1 * g2[i];
      const v = 0.999 * 0.001 * g1[i] ** 2 + 0.001 * g2[i] ** 2;
      return p - ((lr / 0.19) * m) / (Math.sqrt(v) / Math.sqrt(0.001999) + eps);
    });
    assertClose(params, after2, 'params after step 2');
    assert.equal(adam.state().step, 2);
  });

  it('resumes from a saved state exactly as if never interrupted', () => {
    const grads = [new Float32Array([0.3, -0.7, 2]), new Float32Array([-0.1, 0.4, 0.5]), new Float32Array([1, 1, -1])];
    const straight = new Adam(3, { lr: 0.01 });
    const straightParams = new Float32Array([0.1, 0.2, 0.3]);
    grads.forEach((g) => straight.step(straightParams, g));

    const first = new Adam(3, { lr: 0.01 });
    const params = new Float32Array([0.1, 0.2, 0.3]);
    first.step(params, grads[0]);
    const saved = first.state();
    const snapshot = { ...saved, buffers: Object.fromEntries(Object.entries(saved.buffers).map(([k, b]) => [k, b.slice()])) };
    const resumed = new Adam(3, { lr: 0.01 });
    resumed.loadState(snapshot);
    resumed.step(params, grads[1]);
    resumed.step(params, grads[2]);
    assert.deepEqual(params, straightParams);
    assert.deepEqual(resumed.state().buffers, straight.state().buffers);
  });

  it('rejects state of another optimiser or size, and mismatched arrays', () => {
    const adam = new Adam(2, { lr: 0.1 });
    assert.throws(() => adam.loadState(new SharedRmsProp(2, { lr: 0.1 }).state()), /cannot load shared-rmsprop state into adam/);
    assert.throws(() => adam.loadState(new Adam(3, { lr: 0.1 }).state()), /expAvg has 3 values; expected 2/);
    assert.throws(() => adam.step(new Float32Array(3), new Float32Array(3)), /built for 2/);
  });
});

/** Adam's state in SharedArrayBuffers, as hogwild shares it between agent threads. */
function sharedAdamBuffers(numParams: number): AdamBuffers {
  const floats = () => new Float32Array(new SharedArrayBuffer(numParams * Float32Array.BYTES_PER_ELEMENT));
  return { expAvg: floats(), expAvgSq: floats(), step: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) };
}

/** Gradient number `j` of a sequence, the same in every thread. */
const GRADIENT_SOURCE = '(j, n) => Float32Array.from({ length: n }, (_, p) => Math.sin(7 * j + p) * (1 + (j % 3)))';
const gradient = eval(GRADIENT_SOURCE) as (j: number, n: number) => Float32Array;

describe('SharedAdam', () => {
  it("steps of several appliers sharing its state are one Adam's: each bias correction 1 - beta^t uses the global step t", () => {
    const n = 3;
    const buffers = sharedAdamBuffers(n);
    const [a, b] = [new SharedAdam(n, { lr: 0.01 }, buffers), new SharedAdam(n, { lr: 0.01 }, buffers)];
    const one = new Adam(n, { lr: 0.01 });
    const [shared, alone] = [new Float32Array(n).fill(0.5), new Float32Array(n).fill(0.5)];
    const appliers = [a, b, b, a, b];
    appliers.forEach((applier, j) => {
      applier.step(shared, gradient(j, n));
      one.step(alone, gradient(j, n));
    });
    assert.deepEqual(shared, alone, 'the same parameters as one Adam over the same gradients');
    assert.equal(a.state().step, appliers.length);
    assert.equal(b.state().step, appliers.length);
    assert.deepEqual(a.state().buffers, one.state().buffers);

    // The test can tell: b's first step (the second overall) with its own count, t = 1, lands elsewhere.
    const [own, global] = [new Adam(n, { lr: 0.01 }), new Adam(n, { lr: 0.01 })];
    const [p1, p2] = [new Float32Array(n).fill(0.5), new Float32Array(n).fill(0.5)];
    global.step(p2, gradient(0, n));
    own.loadState({ ...global.state(), step: 0 });
    p1.set(p2);
    own.step(p1, gradient(1, n));
    global.step(p2, gradient(1, n));
    assert.notDeepEqual(p1, p2);
  });

  it('agent threads taking turns on shared parameters step as one Adam would; the step count is every thread\'s', async () => {
    const [n, threads, stepsEach] = [16, 3, 20];
    const buffers = sharedAdamBuffers(n);
    const start = new Float32Array(n).fill(0.25);
    const params = new Float32Array(new SharedArrayBuffer(n * Float32Array.BYTES_PER_ELEMENT));
    params.set(start);
    // Thread i makes global steps i, i + threads, ...: it waits until `done` (steps finished, a
    // counter of the test's own) reaches its turn, so the order is fixed and the result comparable
    // with one Adam's; the step count t is left to SharedAdam.
    const done = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const source = `const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.moduleUrl).then(({ SharedAdam }) => {
        const { id, threads, stepsEach, n, buffers, params, done } = workerData;
        const gradient = ${GRADIENT_SOURCE};
        const adam = new SharedAdam(n, { lr: 0.01 }, buffers);
        for (let k = 0; k < stepsEach; k++) {
          const turn = k * threads + id;
          for (let now = Atomics.load(done, 0); now !== turn; now = Atomics.load(done, 0)) Atomics.wait(done, 0, now, 1000);
          adam.step(params, gradient(turn, n));
          Atomics.add(done, 0, 1);
          Atomics.notify(done, 0);
        }
        parentPort.postMessage('done');
      });`;
    const moduleUrl = new URL('./optimizers.js', import.meta.url).href;
    const workers = Array.from({ length: threads }, (_, id) => new Worker(source, { eval: true, workerData: { moduleUrl, id, threads, stepsEach, n, buffers, params, done } }));
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject))));
    const one = new Adam(n, { lr: 0.01 });
    const alone = start.slice();
    for (let j = 0; j < threads * stepsEach; j++) one.step(alone, gradient(j, n));
    assert.equal(Atomics.load(buffers.step, 0), threads * stepsEach, 'no step lost to the other threads');
    assert.deepEqual(params, alone);
    assert.deepEqual(buffers.expAvgSq, one.state().buffers.expAvgSq);
  });

  it('saves and resumes its shared state; a state of another optimiser or size is refused', () => {
    const buffers = sharedAdamBuffers(2);
    const adam = new SharedAdam(2, { lr: 0.1 }, buffers);
    adam.step(new Float32Array(2), Float32Array.of(1, -1));
    const saved = adam.state();
    const copy = { ...saved, buffers: Object.fromEntries(Object.entries(saved.buffers).map(([k, v]) => [k, v.slice()])) };
    const other = sharedAdamBuffers(2);
    new SharedAdam(2, { lr: 0.1 }, other).loadState(copy);
    assert.equal(Atomics.load(other.step, 0), 1, 'the step count goes into the shared counter');
    assert.deepEqual(other.expAvg, buffers.expAvg);
    assert.throws(() => adam.loadState(new Adam(2, { lr: 0.1 }).state()), /cannot load adam state into shared-adam/);
    assert.throws(() => new SharedAdam(3, { lr: 0.1 }, buffers), /expAvg has 2 values; expected one per parameter \(3\)/);
  });
});

describe('RmsProp and SharedRmsProp', () => {
  for (const Optimizer of [RmsProp, SharedRmsProp]) {
    it(`${Optimizer.name} follows Mnih et al. 2016: g = alpha g + (1 - alpha) grad^2, theta -= lr grad / sqrt(g + eps)`, () => {
      const [lr, alpha, eps] = [0.01, 0.9, 0.1];
      const rms = new Optimizer(2, { lr, alpha, eps });
      const params = new Float32Array([1, -1]);
      rms.step(params, new Float32Array([2, -0.5]));
      // g = 0.1 * [4, 0.25] = [0.4, 0.025]
      const after1 = [1 - (lr * 2) / Math.sqrt(0.4 + eps), -1 - (lr * -0.5) / Math.sqrt(0.025 + eps)];
      assertClose(params, after1, 'params after step 1');
      rms.step(params, new Float32Array([1, 1]));
      // g = 0.9 * [0.4, 0.025] + 0.1 * [1, 1] = [0.46, 0.1225]
      const after2 = [after1[0] - lr / Math.sqrt(0.46 + eps), after1[1] - lr / Math.sqrt(0.1225 + eps)];
      assertClose(params, after2, 'params after step 2');
      assertClose(rms.squareAvg, [0.46, 0.1225], 'squareAvg');
    });
  }

  it('names its state, so that a checkpoint of one does not load into the other', () => {
    assert.throws(() => new RmsProp(2, { lr: 0.1 }).loadState(new SharedRmsProp(2, { lr: 0.1 }).state()), /cannot load shared-rmsprop state into rmsprop/);
  });

  it('shares its statistics through a SharedArrayBuffer', () => {
    const shared = new Float32Array(new SharedArrayBuffer(2 * Float32Array.BYTES_PER_ELEMENT));
    const a = new SharedRmsProp(2, { lr: 0.1 }, shared);
    const b = new SharedRmsProp(2, { lr: 0.1 }, new Float32Array(shared.buffer));
    a.step(new Float32Array(2), new Float32Array([1, 2]));
    // b sees a's update: its step starts from g = (1 - alpha) grad_a^2.
    const alpha = b.alpha;
    b.step(new Float32Array(2), new Float32Array([1, 0]));
    assertClose(shared, [alpha * (1 - alpha) + (1 - alpha), alpha * (1 - alpha) * 4], 'shared squareAvg');
    assert.throws(() => new SharedRmsProp(3, { lr: 0.1 }, shared), /squareAvg has 2 values/);
  });
});

describe('Adam: the compiled update of the oneDNN addon', () => {
  it('matches the JavaScript update to float32 precision over several steps', (t) => {
    const addon = loadOneDnn();
    if (addon === null) {
      t.skip(`the oneDNN addon is not loaded: ${oneDnnStatus().reason}`);
      return;
    }
    const size = 1000;
    const rng = new Rng(3);
    const start = Float32Array.from({ length: size }, () => rng.uniform(-1, 1));
    const [jsParams, nativeParams] = [start.slice(), start.slice()];
    const js = new Adam(size, { lr: 0.01 }, null);
    const native = new Adam(size, { lr: 0.01 }, addon);
    for (let step = 0; step < 5; step++) {
      const grads = Float32Array.from({ length: size }, () => rng.uniform(-0.1, 0.1));
      js.step(jsParams, grads);
      native.step(nativeParams, grads);
    }
    let moved = 0;
    for (let i = 0; i < size; i++) {
      assert.ok(Math.abs(jsParams[i] - nativeParams[i]) <= 1e-6 * Math.max(1, Math.abs(jsParams[i])), `param ${i}: ${jsParams[i]} vs ${nativeParams[i]}`);
      if (jsParams[i] !== start[i]) moved++;
    }
    assert.equal(moved, size, 'every parameter moved');
    assert.equal(native.state().step, 5);
    const jsState = js.state().buffers.expAvgSq;
    native.state().buffers.expAvgSq.forEach((v, i) => assert.ok(Math.abs(v - jsState[i]) <= 1e-6 * Math.abs(jsState[i]) + 1e-12));
  });
});
