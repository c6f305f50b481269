/**
 * The recurrent policy's LSTM state, from the agent that acts to the learner that trains, in every
 * mode: an agent (createAgent) steps RecurrentProbe-v0 with parameters that change between its
 * rollouts, and the test steps the LSTM itself, copy by copy, with the parameters each step acted
 * with, from zeros at each episode start the env reports and nowhere else. The rollouts' initial
 * states and episode starts, and the loss each mode computes on them (a learner whose parameters
 * have moved on, an agent's gradient, a hogwild agent's update), must match what that gives.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createAgent, type AgentInit, type AgentReport } from '../src/algo/agent/agent.js';
import type { ModeName, TrainConfig } from '../src/algo/config/config.js';
import { a2cMode } from '../src/algo/modes/a2c.js';
import { dataMode } from '../src/algo/modes/data.js';
import type { GradientWork } from '../src/algo/modes/grad.js';
import type { HogwildWork } from '../src/algo/modes/hogwild.js';
import type { ModeContext } from '../src/algo/modes/mode.js';
import type { TransitionArrays } from '../src/algo/rollout/transition-batch.js';
import { resolveConfig } from '../src/algo/training/resolve-config.js';
import { Learner } from '../src/algo/update/learner.js';
import { actorCriticLoss, LOSS_KEYS, type LossStats } from '../src/algo/update/loss.js';
import { flatGradients } from '../src/nn/gradients.js';
import { initBackend } from '../src/nn/kernels/backend.js';
import { createNet, type MlpSpec } from '../src/nn/networks.js';
import type { AgentLink, Envelope, SharedMemory } from '../src/parallel/transport.js';
import { Rng } from '../src/utils/rng.js';
import { probes, RECURRENT_PROBE_ID, type RecurrentProbe } from './support/recurrent-probe-env.js';

const CELLS = 3;
const WIDTH = 2 * CELLS;
const SPEC: MlpSpec = { kind: 'mlp', obsSize: 2, numActions: 2, hidden: [6], lstmCells: CELLS };
const N_STEPS = 3;
const COPIES = 3;
/** Rollouts each agent collects; a new parameter version before each. */
const ROLLOUTS = 6;
/** data mode: rollouts per update, so that one batch holds rollouts of three parameter versions. */
const ROLLOUTS_PER_BATCH = 3;

before(async () => {
  await initBackend();
});

function configFor(mode: ModeName): TrainConfig {
  const batch = mode === 'data' ? { batchSize: ROLLOUTS_PER_BATCH * COPIES * N_STEPS } : {};
  return resolveConfig({ env: RECURRENT_PROBE_ID, mode, policy: 'lstm', nSteps: N_STEPS, workers: 1, envsPerWorker: COPIES, hidden: SPEC.hidden, lstmCells: CELLS, seed: 5, ...batch });
}

/** Parameter vectors near a fresh net's, one per version (version v is entry v - 1). */
function parameterVersions(count: number, seed: number): Float32Array[] {
  const net = createNet(SPEC, seed);
  const base = net.getParams();
  net.dispose();
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => base.map((p) => p + 0.5 * (rng.random() * 2 - 1)));
}

/**
 * An agent's link to a trainer that publishes `versions[version - 1]`; the test sets `version`
 * before each step. Records the envelopes sent and, for each pull, the env steps copy 0 had taken.
 */
class VersionedLink implements AgentLink {
  readonly agentId = 0;
  version = 1;
  readonly sent: Envelope[] = [];
  readonly pulls: { version: number; atStep: number }[] = [];

  constructor(
    private readonly versions: readonly Float32Array[],
    private readonly shared?: SharedMemory,
  ) {}

  pull(out: Float32Array): number {
    out.set(this.versions[this.version - 1]);
    this.pulls.push({ version: this.version, atStep: probes[0]?.steps ?? 0 });
    return this.version;
  }

  send(envelope: Envelope): boolean {
    this.sent.push(envelope);
    return true;
  }

  stopping(): boolean {
    return false;
  }

  get sharedMemory(): (() => SharedMemory) | undefined {
    const shared = this.shared;
    return shared === undefined ? undefined : () => shared;
  }
}

/** Shared memory for a hogwild agent: parameters it writes into and zeroed optimiser statistics. */
function scratchSharedMemory(numParams: number): SharedMemory {
  const arrays = new Map<string, Float32Array>();
  let version = 0;
  return {
    params: new Float32Array(numParams),
    array: (name) => arrays.get(name) ?? arrays.set(name, new Float32Array(numParams)).get(name)!,
    bumpVersion: () => ++version,
  };
}

interface AgentRun {
  works: unknown[];
  /** The parameter version each work was computed with (its envelope's). */
  versions: number[];
  copies: RecurrentProbe[];
  /** The parameters the policy acted with on each copy's observation s. */
  actedWith: (s: number) => Float32Array;
}

/** Builds `mode`'s agent over `COPIES` probe copies and steps it `ROLLOUTS` times, version k + 1 for step k. */
function runAgent(mode: ModeName, versions: readonly Float32Array[]): AgentRun {
  probes.length = 0;
  const config = configFor(mode);
  const link = new VersionedLink(versions, mode === 'hogwild' ? scratchSharedMemory(versions[0].length) : undefined);
  const init: AgentInit = { config, netSpec: SPEC, seed: 9, numEnvs: COPIES, envStepsAtStart: 0 };
  const agent = createAgent(init, link, 'test agent');
  for (let k = 0; k < ROLLOUTS; k++) {
    link.version = k + 1;
    assert.equal(agent.step(), true);
  }
  agent.close();
  const copies = probes.slice();
  assert.equal(copies.length, COPIES);
  const pulls = link.pulls;
  return {
    works: link.sent.map((e) => (e.body as AgentReport).work),
    versions: link.sent.map((e) => e.paramsVersion),
    copies,
    actedWith: (s) => versions[pulls.filter((p) => p.atStep <= s).at(-1)!.version - 1],
  };
}

/**
 * The LSTM state each copy carried into its observation s, `[s][copy * WIDTH ..]`, for s up to
 * `steps`: stepped one copy at a time with the parameters that acted on each observation, from
 * zeros where the env began an episode.
 */
function actorStates(run: AgentRun, steps: number): Float32Array[] {
  const net = createNet(SPEC, 0);
  const states = Array.from({ length: steps + 1 }, () => new Float32Array(COPIES * WIDTH));
  run.copies.forEach((copy, i) => {
    let carried: Float32Array = new Float32Array(WIDTH);
    for (let s = 0; s <= steps; s++) {
      states[s].set(carried, i * WIDTH);
      const { obs, episodeStart } = copy.seen[s];
      net.setParams(run.actedWith(s));
      const from = episodeStart ? new Float32Array(WIDTH) : carried;
      carried = tf.tidy(() => {
        const out = net.forward(tf.tensor2d(obs, [1, SPEC.obsSize]), { state: tf.tensor2d(from, [1, WIDTH]), episodeStarts: tf.zeros([1]), steps: 1 });
        return out.state!.dataSync() as Float32Array;
      });
    }
  });
  net.dispose();
  return states;
}

/** `state` `[COPIES, WIDTH]` as the LSTM uses it: zeros for the copies whose episode starts at the rollout's first row. */
function effectiveState(state: Float32Array, episodeStarts: ArrayLike<number>): Float32Array {
  return state.map((v, k) => (episodeStarts[Math.floor(k / WIDTH)] === 1 ? 0 : v));
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/**
 * Checks that rollout k of `rollouts` holds what each copy saw at its steps k * N_STEPS .. and the
 * episode starts the env reported, and that it starts from the LSTM states the actor had there;
 * returns those states, `[k]` `[COPIES, WIDTH]` (the reference the losses are computed from).
 */
function checkedInitialStates(run: AgentRun, rollouts: readonly TransitionArrays[]): Float32Array[] {
  const states = actorStates(run, ROLLOUTS * N_STEPS);
  let startsInside = 0;
  let startsAtFirstRow = 0;
  const reference = rollouts.map((rollout, k) => {
    for (let t = 0; t < N_STEPS; t++) {
      for (let i = 0; i < COPIES; i++) {
        const row = t * COPIES + i;
        const seen = run.copies[i].seen[k * N_STEPS + t];
        assert.deepEqual(Array.from(rollout.obs.subarray(row * 2, row * 2 + 2)), Array.from(seen.obs), `rollout ${k} row ${row}: copy ${i}'s step ${k * N_STEPS + t}`);
        assert.equal(rollout.episodeStarts![row], seen.episodeStart ? 1 : 0, `rollout ${k}, step ${t}, copy ${i}: the episode start the env reported`);
        if (seen.episodeStart) (t === 0 ? startsAtFirstRow++ : startsInside++);
      }
    }
    const want = effectiveState(states[k * N_STEPS], rollout.episodeStarts!);
    const got = effectiveState(rollout.sequences!.initialState, rollout.episodeStarts!);
    const difference = maxAbsDifference(got, want);
    assert.ok(difference < 1e-5, `rollout ${k}: its initial LSTM state differs from the actor's by up to ${difference}`);
    return want;
  });
  assert.ok(startsInside > 0 && startsAtFirstRow > 0, `episodes start inside rollouts (${startsInside}) and at their first step (${startsAtFirstRow})`);
  return reference;
}

function assertSameStats(got: LossStats, want: LossStats, what: string): void {
  for (const key of LOSS_KEYS) {
    assert.ok(Math.abs(got[key] - want[key]) <= 1e-5 * Math.max(1, Math.abs(want[key])), `${what}: ${key} ${got[key]}, from the actor's states ${want[key]}`);
  }
}

/**
 * The loss and its gradient with parameters `params` on `rollout`, replayed from the LSTM state
 * `initialState` given here (not read from the rollout by the code under test).
 */
function referenceLoss(params: Float32Array, rollout: TransitionArrays, initialState: Float32Array, config: TrainConfig): { grads: Float32Array; stats: LossStats } {
  const net = createNet(SPEC, 0);
  net.setParams(params);
  let stats: LossStats | undefined;
  const grads = flatGradients(net, () => {
    const recurrent = { state: tf.tensor2d(initialState, [initialState.length / WIDTH, WIDTH]), episodeStarts: tf.tensor1d(Float32Array.from(rollout.episodeStarts!)), steps: N_STEPS };
    const out = net.forward(tf.tensor2d(rollout.obs as Float32Array, [rollout.size, SPEC.obsSize]), recurrent);
    const terms = actorCriticLoss(out, tf.tensor1d(rollout.actions as Int32Array, 'int32'), tf.tensor1d(rollout.valueTargets), config);
    stats = Object.fromEntries(LOSS_KEYS.map((key) => [key, terms[key].dataSync()[0]])) as unknown as LossStats;
    return terms.total;
  });
  net.dispose();
  return { grads, stats: stats! };
}

for (const mode of ['data', 'a2c'] as const) {
  test(`${mode}: rollouts carry each copy's LSTM state as the actor had it, and the learner trains from it after it has moved on`, () => {
    const versions = parameterVersions(ROLLOUTS, 1);
    const run = runAgent(mode, versions);
    const rollouts = run.works as TransitionArrays[];
    const actorStates = checkedInitialStates(run, rollouts);

    // The learner's parameters are none of those the rollouts were acted with, and step on.
    const config = configFor(mode);
    const learner = new Learner(createNet(SPEC, 0), config);
    learner.load(parameterVersions(1, 2)[0]);
    const context: ModeContext = { config, obsShape: [SPEC.obsSize], shared: null, envStepsAtStart: 0 };
    const trainer = (mode === 'data' ? dataMode : a2cMode).trainer(learner, context);
    const perBatch = mode === 'data' ? ROLLOUTS_PER_BATCH : 1;
    let updates = 0;
    rollouts.forEach((rollout, k) => {
      assert.equal(trainer.check(rollout), null);
      const learnerParams = learner.params.slice();
      const update = trainer.receive(rollout);
      if ((k + 1) % perBatch !== 0) return assert.equal(update, null);
      // Every loss term is a mean over rows, and the batch's rollouts have as many rows each.
      const parts = rollouts.slice(k + 1 - perBatch, k + 1).map((part, j) => referenceLoss(learnerParams, part, actorStates[k + 1 - perBatch + j], config).stats);
      const expected = Object.fromEntries(LOSS_KEYS.map((key) => [key, parts.reduce((sum, p) => sum + p[key], 0) / perBatch])) as unknown as LossStats;
      assertSameStats(update!, expected, `update ${++updates}`);
    });
    assert.equal(updates, ROLLOUTS / perBatch);
    learner.net.dispose();
  });
}

for (const mode of ['grad', 'hogwild'] as const) {
  test(`${mode}: an agent's loss starts each rollout from the LSTM state its copies had`, () => {
    const versions = parameterVersions(ROLLOUTS, 1);
    const run = runAgent(mode, versions);
    // A data-mode agent of the same seed and parameters collects the same rollouts, and shows them.
    const twin = runAgent('data', versions);
    run.copies.forEach((copy, i) => assert.deepEqual(copy.seen, twin.copies[i].seen, `copy ${i} saw the same in both runs`));
    const rollouts = twin.works as TransitionArrays[];
    const actorStates = checkedInitialStates(twin, rollouts);
    const config = configFor(mode);
    run.works.forEach((work, k) => {
      const expected = referenceLoss(versions[run.versions[k] - 1], rollouts[k], actorStates[k], config);
      if (mode === 'grad') {
        const { grads, stats } = work as GradientWork;
        assertSameStats(stats, expected.stats, `rollout ${k}`);
        const difference = maxAbsDifference(grads, expected.grads);
        assert.ok(difference < 1e-5, `rollout ${k}: the gradient differs from the one on the actor's states by up to ${difference}`);
      } else {
        assertSameStats((work as HogwildWork).stats, expected.stats, `rollout ${k}`);
      }
    });
  });
}
