/**
 * Rollouts of a recurrent policy (policy lstm): each is `steps` consecutive steps of S env copies,
 * time-major (row t * S + i is copy i's step t, the forward-view collector's order), with the LSTM
 * state every copy started it from, so that the loss replays the steps through the LSTM as the
 * agent took them (truncated backpropagation through time over the rollout).
 */
import { concatTransitions, describeValue, transitionsProblem, type ActionLayout, type SequenceLayout, type TransitionArrays } from './transition-batch.js';

/**
 * Why `t`'s sequence layout does not fit `rows` rows of a network whose LSTM state is
 * `stateWidth` numbers per copy (0 for a feed-forward net, which takes no layout), or null.
 */
export function sequencesProblem(t: Pick<TransitionArrays, 'sequences' | 'episodeStarts'>, rows: number, stateWidth: number): string | null {
  const s = t.sequences as Partial<SequenceLayout> | undefined;
  if (stateWidth === 0) return s === undefined ? null : 'transitions: sequences given to a feed-forward network';
  if (typeof s !== 'object' || s === null) return `transitions: a recurrent network needs sequences {steps, initialState}, got ${describeValue(s)}`;
  if (!Number.isInteger(s.steps) || s.steps! < 1 || rows % s.steps! !== 0) return `transitions: sequences.steps ${describeValue(s.steps)} does not divide ${rows} rows`;
  const length = (rows / s.steps!) * stateWidth;
  if (!(s.initialState instanceof Float32Array) || s.initialState.length !== length) {
    return `transitions: sequences.initialState is ${describeValue(s.initialState)}, expected a Float32Array of ${length}`;
  }
  if (!s.initialState.every(Number.isFinite)) return 'transitions: sequences.initialState holds a non-finite value';
  return t.episodeStarts === undefined ? 'transitions: a recurrent network needs episodeStarts' : null;
}

/** Rows [from, to) of `p`, as views: a block for concatTransitions. */
function rowsOf(p: TransitionArrays, from: number, to: number): TransitionArrays {
  const actionSize = p.actions.length / p.size;
  return {
    size: to - from,
    obsSize: p.obsSize,
    obs: p.obs.subarray(from * p.obsSize, to * p.obsSize),
    actions: p.actions.subarray(from * actionSize, to * actionSize),
    valueTargets: p.valueTargets.subarray(from, to),
    episodeStarts: p.episodeStarts!.subarray(from, to),
  };
}

/**
 * Rollouts of the same `steps` as one, time-major over all their env copies: step t of every
 * part's copies, part after part, then step t + 1; the initial states side by side.
 * @throws Error when the parts' steps differ or a part lacks its layout or episode starts.
 */
export function interleaveSequences(parts: readonly TransitionArrays[]): TransitionArrays {
  const steps = parts[0].sequences?.steps;
  if (steps === undefined || parts.some((p) => p.sequences?.steps !== steps || p.episodeStarts === undefined)) {
    throw new Error('interleaveSequences: every part needs sequences of the same steps and episodeStarts');
  }
  const blocks: TransitionArrays[] = [];
  for (let t = 0; t < steps; t++) {
    for (const p of parts) {
      const copies = p.size / steps;
      blocks.push(rowsOf(p, t * copies, (t + 1) * copies));
    }
  }
  const initialState = new Float32Array(parts.reduce((n, p) => n + p.sequences!.initialState.length, 0));
  let offset = 0;
  for (const p of parts) {
    initialState.set(p.sequences!.initialState, offset);
    offset += p.sequences!.initialState.length;
  }
  return { ...concatTransitions(blocks), sequences: { steps, initialState } };
}

/**
 * Why `work` is not `rows` transitions (transitionsProblem) with, for a network whose LSTM state
 * is `stateWidth` numbers per copy, their sequence layout (sequencesProblem), or null.
 */
export function rolloutProblem(work: unknown, rows: number, obsSize: number, actions: ActionLayout, stateWidth: number): string | null {
  return transitionsProblem(work, rows, obsSize, actions) ?? sequencesProblem(work as TransitionArrays, rows, stateWidth);
}

/** One training batch of rollouts: interleaved when they are recurrent ones, else concatenated. */
export function joinRollouts(parts: TransitionArrays[]): TransitionArrays {
  return parts[0].sequences === undefined ? concatTransitions(parts) : interleaveSequences(parts);
}
