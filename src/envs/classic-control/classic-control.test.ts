// The behaviour every classic-control env shares: seeding, Gymnasium's start-state distributions,
// the state property, and clear errors for misuse.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Action, StatefulEnv } from '../core.js';
import { Rng } from '../../utils/rng.js';
import { AcrobotEnv } from './acrobot.js';
import { CartPoleEnv } from './cart-pole.js';
import { MountainCarContinuousEnv } from './mountain-car-continuous.js';
import { MountainCarEnv } from './mountain-car.js';
import { PendulumEnv } from './pendulum.js';

interface Case {
  create(): StatefulEnv;
  /** Gymnasium's start-state distribution, per state variable: [low, high] of the uniform draw. */
  startRanges: [number, number][];
  validAction: Action;
  invalidActions: { action: Action; shown: string; problem?: string }[];
}

const CASES: Case[] = [
  {
    create: () => new CartPoleEnv(),
    startRanges: [[-0.05, 0.05], [-0.05, 0.05], [-0.05, 0.05], [-0.05, 0.05]],
    validAction: 1,
    invalidActions: [
      { action: 2, shown: '2' },
      { action: 0.5, shown: '0.5' },
      { action: [1], shown: '[1]' },
    ],
  },
  {
    create: () => new AcrobotEnv(),
    startRanges: [[-0.1, 0.1], [-0.1, 0.1], [-0.1, 0.1], [-0.1, 0.1]],
    validAction: 2,
    invalidActions: [
      { action: 3, shown: '3' },
      { action: -1, shown: '-1' },
    ],
  },
  {
    create: () => new MountainCarEnv(),
    startRanges: [[-0.6, -0.4], [0, 0]],
    validAction: 0,
    invalidActions: [{ action: 3, shown: '3' }],
  },
  {
    create: () => new MountainCarContinuousEnv(),
    startRanges: [[-0.6, -0.4], [0, 0]],
    validAction: [0.5],
    invalidActions: [
      { action: [1.5], shown: '[1.5]' },
      { action: [NaN], shown: '[NaN]', problem: 'is not finite' },
      { action: [0, 0], shown: '[0, 0]' },
      { action: 0.5, shown: '0.5' },
    ],
  },
  {
    create: () => new PendulumEnv(),
    startRanges: [[-Math.PI, Math.PI], [-1, 1]],
    validAction: Float32Array.of(-1),
    invalidActions: [{ action: [-2.5], shown: '[-2.5]' }],
  },
];

for (const c of CASES) {
  const id = c.create().id;

  test(`${id}: step before reset names the env and says to reset`, () => {
    assert.throws(() => c.create().step(c.validAction), { message: `${id}.step: called before reset(); call reset() first` });
  });

  test(`${id}: an action outside the action space names the action and the space`, () => {
    const env = c.create();
    env.reset({ seed: 0 });
    for (const { action, shown, problem } of c.invalidActions) {
      assert.throws(() => env.step(action), { message: `${id}.step: action ${shown} ${problem ?? `is not in the action space ${env.actionSpace}`}` });
    }
  });

  test(`${id}: the same seed gives the same start, other seeds other starts`, () => {
    const first = c.create().reset({ seed: 42 }).obs;
    assert.deepEqual(c.create().reset({ seed: 42 }).obs, first);
    assert.notDeepEqual(c.create().reset({ seed: 43 }).obs, first);
  });

  test(`${id}: reset without a seed continues the seeded stream`, () => {
    const a = c.create();
    const b = c.create();
    a.reset({ seed: 5 });
    b.reset({ seed: 5 });
    const next = a.reset().obs;
    assert.deepEqual(b.reset().obs, next);
    assert.notDeepEqual(c.create().reset({ seed: 5 }).obs, next);
  });

  test(`${id}: a seeded episode replays exactly`, () => {
    const run = (): number[] => {
      const env = c.create();
      const trace = Array.from(env.reset({ seed: 9 }).obs);
      for (let t = 0; t < 20; t++) {
        const { obs, reward } = env.step(c.validAction);
        trace.push(...obs, reward);
      }
      return trace;
    };
    assert.deepEqual(run(), run());
  });

  test(`${id}: start states follow Gymnasium's distribution and lie in the observation space`, () => {
    const env = c.create();
    const rng = new Rng(11);
    const lowest = c.startRanges.map(() => Infinity);
    const highest = c.startRanges.map(() => -Infinity);
    for (let episode = 0; episode < 500; episode++) {
      const { obs } = env.reset({ seed: rng.integer(2 ** 31) });
      assert.ok(env.observationSpace.contains(obs), `reset obs ${obs}`);
      env.state.forEach((v, i) => {
        lowest[i] = Math.min(lowest[i], v);
        highest[i] = Math.max(highest[i], v);
      });
    }
    c.startRanges.forEach(([low, high], i) => {
      assert.ok(lowest[i] >= low && highest[i] <= high, `state[${i}] in [${lowest[i]}, ${highest[i]}], expected within [${low}, ${high}]`);
      // 500 uniform draws come within 2% of the range's ends.
      const margin = 0.02 * (high - low);
      assert.ok(lowest[i] <= low + margin && highest[i] >= high - margin, `state[${i}] spans only [${lowest[i]}, ${highest[i]}]`);
    });
  });

  test(`${id}: state is a settable live view that the next step starts from`, () => {
    const env = c.create();
    env.reset({ seed: 1 });
    const start = Float64Array.from(env.state);
    const after = env.step(c.validAction).obs;
    assert.notDeepEqual(Array.from(env.state), Array.from(start));
    env.state = start;
    assert.deepEqual(env.step(c.validAction).obs, after);
    assert.throws(() => {
      env.state = Float64Array.of(1);
    }, new RegExp(`^Error: ${id}: state has 1 elements, expected ${start.length} \\(\\[`));
  });

  test(`${id}: a seed must be a non-negative integer, as Gymnasium's`, () => {
    assert.throws(() => c.create().reset({ seed: -1 }), { message: `${id}.reset: seed must be a non-negative integer, got -1` });
    assert.throws(() => c.create().reset({ seed: 1.5 }), /got 1\.5/);
  });
}

test('Acrobot starts from float32 values, as Gymnasium casts its start state', () => {
  const env = new AcrobotEnv();
  env.reset({ seed: 3 });
  for (const v of env.state) assert.equal(v, Math.fround(v));
});
