import { EnvProcessDiedError, type ResetOptions, type VectorEnv, type VectorStepResult } from '../../src/envs/core.js';
import { Box, Discrete } from '../../src/envs/spaces.js';

/**
 * One env copy whose observation is the step index t and whose reward for the step taken at t is
 * t + 1; the episode ends after `length` steps, terminated or truncated, reported in `info.episode`
 * as a monitored env does. Returns over it can be checked by hand (ptan's tests' tiny envs).
 */
export class CountingEnv implements VectorEnv {
  readonly numEnvs = 1;
  readonly singleObservationSpace = new Box(-Infinity, Infinity, [1]);
  readonly singleActionSpace = new Discrete(2);
  private t = 0;

  constructor(
    private readonly length: number,
    private readonly ending: 'terminated' | 'truncated',
  ) {}

  reset(_options?: ResetOptions) {
    this.t = 0;
    return { obs: Float32Array.of(0), infos: [{}] };
  }

  step(): VectorStepResult {
    const reward = this.t + 1;
    this.t++;
    const ended = this.t === this.length;
    const finalObs = ended ? Float32Array.of(this.t) : null;
    if (ended) this.t = 0;
    return {
      obs: Float32Array.of(this.t),
      rewards: Float64Array.of(reward),
      terminated: Uint8Array.of(ended && this.ending === 'terminated' ? 1 : 0),
      truncated: Uint8Array.of(ended && this.ending === 'truncated' ? 1 : 0),
      finalObs: [finalObs],
      infos: [ended ? { episode: { r: (this.length * (this.length + 1)) / 2, l: this.length } } : {}],
    };
  }

  close(): void {}
}

/** A CountingEnv of endless episodes whose process "dies" on step `dieAtStep` and can be restarted. */
export class DyingEnv extends CountingEnv {
  steps = 0;
  restarts = 0;

  constructor(private readonly dieAtStep: number) {
    super(100, 'terminated');
  }

  override step(): VectorStepResult {
    if (++this.steps === this.dieAtStep) throw new EnvProcessDiedError('env server died');
    return super.step();
  }

  restart() {
    this.restarts++;
    return this.reset();
  }
}

/**
 * Two copies with Box actions in [-1, 1] x [0, 2] whose every step terminates with reward 1;
 * the actions each step got are pushed to `received`.
 */
export function boxActionEnv(received: number[][]): VectorEnv {
  return {
    numEnvs: 2,
    singleObservationSpace: new Box(-Infinity, Infinity, [1]),
    singleActionSpace: new Box([-1, 0], [1, 2], [2]),
    reset: () => ({ obs: Float32Array.of(0, 1), infos: [{}, {}] }),
    step(actions) {
      received.push(Array.from(actions));
      return { obs: Float32Array.of(0, 1), rewards: Float64Array.of(1, 1), terminated: Uint8Array.of(1, 1), truncated: Uint8Array.of(0, 0), finalObs: [Float32Array.of(0), Float32Array.of(1)], infos: [{}, {}] };
    },
    close() {},
  };
}
