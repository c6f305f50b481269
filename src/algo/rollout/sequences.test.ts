import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { Obs } from '../../envs/core.js';
import { makeVectorEnv } from '../../envs/registry.js';
import { initBackend } from '../../nn/kernels/backend.js';
import { createNet } from '../../nn/networks.js';
import { Rng } from '../../utils/rng.js';
import type { ActingPolicy } from './collector.js';
import { ForwardViewCollector } from './forward-view.js';
import { NetPolicy } from './policy.js';
import { interleaveSequences, sequencesProblem } from './sequences.js';
import { TransitionBatch, type TransitionArrays } from './transition-batch.js';

before(async () => {
  await initBackend();
});

test('a recurrent rollout replayed from its initial LSTM states gives the values the agent acted with', () => {
  const [copies, steps, cells] = [3, 5, 4];
  // Episodes of 7 steps end inside rollouts, so that their starts reset the state mid-rollout.
  const env = makeVectorEnv('CartPole-v1', copies, { maxEpisodeSteps: 7 });
  const net = createNet({ kind: 'mlp', obsSize: 4, numActions: 2, hidden: [8], lstmCells: cells }, 3);
  const policy = new NetPolicy(net, [4], new Rng(4));
  const acted: Float32Array[] = [];
  const recording: ActingPolicy = {
    act: (obs: Obs, count: number, starts?: ArrayLike<number>) => {
      const step = policy.act(obs, count, starts);
      acted.push(step.values);
      return step;
    },
    values: (obs, count, which) => policy.values(obs, count, which),
    recurrentState: (count) => policy.recurrentState(count),
  };
  const collector = new ForwardViewCollector(env, recording, { gamma: 0.99, nSteps: steps, gaeLambda: 1 }, 5);
  const out = new TransitionBatch(4, 'float32', { kind: 'discrete', n: 2 }, { episodeStarts: true });
  for (let i = 0; i < 3 * steps + 1; i++) collector.step(out);
  assert.equal(collector.emittedStates.length, 3);
  assert.deepEqual(Array.from(collector.emittedStates[0]), new Array(copies * 2 * cells).fill(0), 'the first rollout starts from zeros');
  for (let k = 0; k < 3; k++) {
    const rollout = out.take(steps * copies);
    if (k === 1) assert.ok(rollout.episodeStarts!.some((s, row) => s === 1 && row >= copies), 'an episode starts inside rollout 1 (step 7)');
    const replayed = tf.tidy(() =>
      net.forward(tf.tensor2d(rollout.obs as Float32Array, [steps * copies, 4]), {
        state: tf.tensor2d(collector.emittedStates[k], [copies, 2 * cells]),
        episodeStarts: tf.tensor1d(Float32Array.from(rollout.episodeStarts!)),
        steps,
      }).value.dataSync(),
    );
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < copies; i++) {
        const [got, want] = [replayed[t * copies + i], acted[k * steps + t][i]];
        assert.ok(Math.abs(got - want) < 1e-5, `rollout ${k}, step ${t}, copy ${i}: replayed V ${got}, acted with ${want}`);
      }
    }
  }
  net.dispose();
  env.close();
});

/** `steps` steps of `copies` rows whose observation is 100 * part + 10 * t + i, and a state per copy. */
function part(index: number, copies: number, steps: number): TransitionArrays {
  const size = copies * steps;
  const obs = Float32Array.from({ length: size }, (_, row) => 100 * index + 10 * Math.floor(row / copies) + (row % copies));
  return {
    size,
    obsSize: 1,
    obs,
    actions: Int32Array.from(obs),
    valueTargets: Float32Array.from(obs),
    episodeStarts: Uint8Array.from({ length: size }, (_, row) => (row === index ? 1 : 0)),
    sequences: { steps, initialState: Float32Array.from({ length: copies * 2 }, (_, k) => 100 * index + k) },
  };
}

test('rollouts of a recurrent policy are trained side by side: step t of every copy of every rollout, then t + 1', () => {
  const joined = interleaveSequences([part(0, 2, 3), part(1, 1, 3)]);
  assert.deepEqual(Array.from(joined.obs), [0, 1, 100, 10, 11, 110, 20, 21, 120]);
  assert.deepEqual(Array.from(joined.actions), Array.from(joined.obs));
  assert.deepEqual(Array.from(joined.episodeStarts!), [1, 0, 0, 0, 0, 1, 0, 0, 0], "row 0 of the first rollout, row 1 (step 1) of the second");
  assert.deepEqual(Array.from(joined.sequences!.initialState), [0, 1, 2, 3, 100, 101]);
  assert.equal(joined.sequences!.steps, 3);
  assert.throws(() => interleaveSequences([part(0, 2, 3), part(1, 1, 2)]), /same steps/);
});

test('a recurrent network refuses rollouts without their layout, and a feed-forward one rollouts with one', () => {
  const rollout = part(0, 2, 3);
  assert.equal(sequencesProblem(rollout, 6, 2), null);
  assert.match(sequencesProblem({ ...rollout, sequences: undefined }, 6, 2)!, /needs sequences/);
  assert.match(sequencesProblem(rollout, 6, 4)!, /initialState is a Float32Array of 4, expected a Float32Array of 8/);
  assert.match(sequencesProblem({ ...rollout, sequences: { steps: 4, initialState: rollout.sequences!.initialState } }, 6, 2)!, /steps 4 does not divide 6 rows/);
  assert.match(sequencesProblem(rollout, 6, 0)!, /feed-forward/);
});
