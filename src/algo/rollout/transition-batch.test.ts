import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concatTransitions, TransitionBatch, transitionsProblem } from './transition-batch.js';

const DISCRETE_3 = { kind: 'discrete', n: 3 } as const;

/** A batch with episode starts holding rows 0..rows-1: obs [r], action r % 3, target r, start on even rows. */
function filled(rows: number): TransitionBatch {
  const batch = new TransitionBatch(1, 'float32', DISCRETE_3, { episodeStarts: true, initialCapacity: 2 });
  for (let r = 0; r < rows; r++) batch.push(Float32Array.of(r), r % 3, r, r % 2 === 0);
  return batch;
}

test('episode starts travel with their rows through growth, take and concatenation', () => {
  const batch = filled(5);
  const first = batch.take(2);
  const rest = batch.take(3);
  assert.deepEqual(Array.from(first.episodeStarts!), [1, 0]);
  assert.deepEqual(Array.from(rest.episodeStarts!), [1, 0, 1]);
  assert.deepEqual(Array.from(rest.obs), [2, 3, 4]);
  const whole = concatTransitions([first, rest]);
  assert.deepEqual(Array.from(whole.episodeStarts!), [1, 0, 1, 0, 1]);
  assert.equal(transitionsProblem(whole, 5, 1, DISCRETE_3), null);
  const { episodeStarts: _, ...withoutStarts } = first;
  assert.equal(concatTransitions([withoutStarts, rest]).episodeStarts, undefined, 'only when every part has them');
});

test('a batch takes an episode start with each row exactly when it holds them', () => {
  assert.throws(() => filled(0).push(Float32Array.of(0), 0, 0), { message: 'TransitionBatch.push: the batch holds episode starts; push one per row' });
  const plain = new TransitionBatch(1, 'float32', DISCRETE_3);
  assert.throws(() => plain.push(Float32Array.of(0), 0, 0, true), { message: 'TransitionBatch.push: the batch holds no episode starts; push none' });
  plain.push(Float32Array.of(0), 0, 0);
  assert.equal(plain.take(1).episodeStarts, undefined);
});

test('transitionsProblem checks episode starts where they are present: length and 0/1 flags', () => {
  const t = filled(3).take(3);
  assert.equal(transitionsProblem(t, 3, 1, DISCRETE_3), null);
  assert.equal(transitionsProblem({ ...t, episodeStarts: Uint8Array.of(1, 0) }, 3, 1, DISCRETE_3), 'transitions: episodeStarts is a Uint8Array of 2, expected a Uint8Array of 3');
  assert.equal(transitionsProblem({ ...t, episodeStarts: [1, 0, 0] }, 3, 1, DISCRETE_3), 'transitions: episodeStarts is an array, expected a Uint8Array of 3');
  assert.equal(transitionsProblem({ ...t, episodeStarts: Uint8Array.of(1, 2, 0) }, 3, 1, DISCRETE_3), 'transitions: episodeStarts 2 in row 1 is not 0 or 1');
});

test('transitionsProblem bounds the numbers: float observations and Box actions within ±1e6, value targets within ±1e9, none NaN', () => {
  const t = filled(3).take(3);
  const replaced = (array: Float32Array, index: number, value: number) => {
    const copy = array.slice();
    copy[index] = value;
    return copy;
  };
  assert.equal(transitionsProblem({ ...t, obs: replaced(t.obs as Float32Array, 2, NaN) }, 3, 1, DISCRETE_3), 'transitions: observation value NaN in row 2 is not a finite number within ±1000000');
  assert.equal(transitionsProblem({ ...t, obs: replaced(t.obs as Float32Array, 1, -2e6) }, 3, 1, DISCRETE_3), 'transitions: observation value -2000000 in row 1 is not a finite number within ±1000000');
  assert.equal(transitionsProblem({ ...t, obs: replaced(t.obs as Float32Array, 1, 1e6) }, 3, 1, DISCRETE_3), null, 'the bound itself is allowed');
  assert.equal(transitionsProblem({ ...t, obs: Uint8Array.of(255, 0, 7) }, 3, 1, DISCRETE_3), null, 'uint8 observations are bounded by their type');
  assert.equal(transitionsProblem({ ...t, valueTargets: replaced(t.valueTargets, 0, Infinity) }, 3, 1, DISCRETE_3), 'transitions: value target Infinity in row 0 is not a finite number within ±1000000000');
  assert.match(transitionsProblem({ ...t, valueTargets: replaced(t.valueTargets, 2, -1e12) }, 3, 1, DISCRETE_3)!, /^transitions: value target -\d+ in row 2 is not a finite number/);
  const box = { kind: 'box', size: 2 } as const;
  const boxed = { ...t, actions: Float32Array.of(0, 1, 2, 3, 4, 5) };
  assert.equal(transitionsProblem(boxed, 3, 1, box), null);
  assert.equal(transitionsProblem({ ...boxed, actions: replaced(boxed.actions, 3, 1e10) }, 3, 1, box), 'transitions: action value 10000000000 in row 1 is not a finite number within ±1000000');
});
