/**
 * Optimisers over flat Float32Arrays in plain JS, so that their state is a few typed arrays: easy
 * to checkpoint, and for SharedRmsProp and SharedAdam, to share between threads through SharedArrayBuffers.
 */
import { loadOneDnn, type OneDnnAddon } from './kernels/onednn-kernels.js';

export interface OptimizerState {
  name: string;
  /** Steps taken so far. */
  step: number;
  buffers: Record<string, Float32Array>;
}

export interface Optimizer {
  readonly name: string;
  /** The learning rate of the next step; a schedule changes it between steps. */
  lr: number;
  /** Updates `params` in place from `grads` (same length). */
  step(params: Float32Array, grads: Float32Array): void;
  /** Live views of the buffers (copy them to keep a snapshot). */
  state(): OptimizerState;
  /** Restores a state() of an optimiser of the same name and size. */
  loadState(state: OptimizerState): void;
}

export interface AdamArgs {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Adam epsilon of the reference A3C (Lapan, Deep RL Hands-On 2nd ed., ch. 13), far above torch's 1e-8. */
export const REFERENCE_ADAM_EPS = 1e-3;

/** torch.optim.Adam's betas; eps is the reference A3C's (REFERENCE_ADAM_EPS), not torch's 1e-8. */
export const DEFAULT_ADAM_ARGS = Object.freeze({ beta1: 0.9, beta2: 0.999, eps: REFERENCE_ADAM_EPS });

/**
 * Adam's state: the moment estimates, torch's exp_avg and exp_avg_sq (one value per parameter),
 * and `step`, an Int32Array of one element holding the steps taken, counted with `Atomics.add` so
 * that views of SharedArrayBuffers can be shared by threads (SharedAdam).
 */
export interface AdamBuffers {
  expAvg: Float32Array;
  expAvgSq: Float32Array;
  step: Int32Array;
}

/** torch.optim.Adam (no weight decay, no amsgrad), with its bias correction. */
export class Adam implements Optimizer {
  readonly name: string = 'adam';
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Steps taken, [1]: this instance's, or those of every thread sharing it (SharedAdam). */
  private readonly steps: Int32Array;
  /** First and second moment estimates, torch's exp_avg and exp_avg_sq. */
  private readonly expAvg: Float32Array;
  private readonly expAvgSq: Float32Array;

  /** The compiled update of the oneDNN addon where it loads (the same double-precision maths); JavaScript otherwise. */
  private readonly native: OneDnnAddon | null;

  /**
   * `buffers`: the state to step, e.g. views of SharedArrayBuffers (SharedAdam); zeroed arrays of
   * its own when absent.
   * @throws Error when a buffer does not hold one value per parameter, or `step` one value.
   */
  constructor(numParams: number, args: AdamArgs, native: OneDnnAddon | null = loadOneDnn(), buffers?: AdamBuffers) {
    this.native = native;
    this.lr = args.lr;
    this.beta1 = args.beta1 ?? DEFAULT_ADAM_ARGS.beta1;
    this.beta2 = args.beta2 ?? DEFAULT_ADAM_ARGS.beta2;
    this.eps = args.eps ?? DEFAULT_ADAM_ARGS.eps;
    const { expAvg, expAvgSq, step } = buffers ?? { expAvg: new Float32Array(numParams), expAvgSq: new Float32Array(numParams), step: new Int32Array(1) };
    for (const [key, buffer] of Object.entries({ expAvg, expAvgSq })) {
      if (buffer.length !== numParams) throw new Error(`adam: ${key} has ${buffer.length} values; expected one per parameter (${numParams})`);
    }
    if (step.length !== 1) throw new Error(`adam: step has ${step.length} values; expected 1 (the step count)`);
    this.expAvg = expAvg;
    this.expAvgSq = expAvgSq;
    this.steps = step;
  }

  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.name, this.expAvg.length, params, grads);
    // This step's number t among all steps on this state, those of other threads included: the
    // bias corrections 1 - beta^t must count every update the moments have seen (ikostrikov/pytorch-a3c
    // shares its step tensor for this; its issue #12).
    const t = Atomics.add(this.steps, 0, 1) + 1;
    const { beta1, beta2, eps, expAvg, expAvgSq } = this;
    const [oneMinusBeta1, oneMinusBeta2] = [1 - beta1, 1 - beta2];
    const stepSize = this.lr / (1 - beta1 ** t);
    // torch divides sqrt(v) by sqrt(bias_correction2); multiplying by the inverse is the same
    // maths and makes this loop a quarter faster.
    const inverseBiasCorrection2Sqrt = 1 / Math.sqrt(1 - beta2 ** t);
    if (this.native) {
      this.native.adamStep(params, grads, expAvg, expAvgSq, beta1, beta2, stepSize, inverseBiasCorrection2Sqrt, eps);
      return;
    }
    const n = params.length;
    for (let i = 0; i < n; i++) {
      const g = grads[i];
      const m = beta1 * expAvg[i] + oneMinusBeta1 * g;
      const v = beta2 * expAvgSq[i] + oneMinusBeta2 * g * g;
      expAvg[i] = m;
      expAvgSq[i] = v;
      params[i] -= (stepSize * m) / (Math.sqrt(v) * inverseBiasCorrection2Sqrt + eps);
    }
  }

  state(): OptimizerState {
    return { name: this.name, step: Atomics.load(this.steps, 0), buffers: { expAvg: this.expAvg, expAvgSq: this.expAvgSq } };
  }

  loadState(state: OptimizerState): void {
    loadBuffers(this.name, state, { expAvg: this.expAvg, expAvgSq: this.expAvgSq });
    Atomics.store(this.steps, 0, state.step);
  }
}

export interface RmsPropArgs {
  lr: number;
  alpha?: number;
  eps?: number;
}

/**
 * RMSProp's decay of the mean squared gradient in Mnih et al. 2016, "Asynchronous Methods for Deep
 * Reinforcement Learning" (sec. 8); OpenAI Baselines' A2C uses the same.
 */
export const A3C_RMSPROP_ALPHA = 0.99;

/**
 * RMSProp epsilon (inside the square root) of the A3C paper's shared RMSProp, which the paper does
 * not state: chainerrl's RMSpropAsync for its A3C examples, following muupan/async-rl's exchange
 * with the authors.
 */
export const A3C_RMSPROP_EPS = 0.1;

/** RMSProp epsilon (inside the square root) of OpenAI Baselines' A2C (baselines/a2c/a2c.py, learn()). */
export const BASELINES_RMSPROP_EPS = 1e-5;

/** The A3C paper's RMSProp: A3C_RMSPROP_ALPHA and A3C_RMSPROP_EPS. */
export const DEFAULT_RMSPROP_ARGS = Object.freeze({ alpha: A3C_RMSPROP_ALPHA, eps: A3C_RMSPROP_EPS });

/**
 * RMSProp as Mnih et al. 2016 (sec. 4) and TensorFlow write it, eps inside the square root:
 * g = alpha g + (1 - alpha) grad^2, theta -= lr grad / sqrt(g + eps). OpenAI Baselines' A2C uses
 * it with alpha 0.99, eps 1e-5 (BASELINES_RMSPROP_EPS). Pass a Float32Array view of a SharedArrayBuffer as `squareAvg` to
 * share g between threads (SharedRmsProp).
 */
export class RmsProp implements Optimizer {
  readonly name: string = 'rmsprop';
  lr: number;
  readonly alpha: number;
  readonly eps: number;
  readonly squareAvg: Float32Array;
  /** Steps taken by this instance (shared statistics do not count them). */
  private steps = 0;

  constructor(numParams: number, args: RmsPropArgs, squareAvg: Float32Array = new Float32Array(numParams)) {
    if (squareAvg.length !== numParams) {
      throw new Error(`rmsprop: squareAvg has ${squareAvg.length} values; expected one per parameter (${numParams})`);
    }
    this.lr = args.lr;
    this.alpha = args.alpha ?? DEFAULT_RMSPROP_ARGS.alpha;
    this.eps = args.eps ?? DEFAULT_RMSPROP_ARGS.eps;
    this.squareAvg = squareAvg;
  }

  step(params: Float32Array, grads: Float32Array): void {
    checkSizes(this.name, this.squareAvg.length, params, grads);
    this.steps++;
    const { alpha, eps, lr, squareAvg } = this;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      const avg = alpha * squareAvg[i] + (1 - alpha) * g * g;
      squareAvg[i] = avg;
      params[i] -= (lr * g) / Math.sqrt(avg + eps);
    }
  }

  state(): OptimizerState {
    return { name: this.name, step: this.steps, buffers: { squareAvg: this.squareAvg } };
  }

  loadState(state: OptimizerState): void {
    loadBuffers(this.name, state, { squareAvg: this.squareAvg });
    this.steps = state.step;
  }
}

/**
 * The A3C paper's RMSProp with shared statistics (Mnih et al. 2016, sec. 4): `squareAvg` a view
 * of a SharedArrayBuffer that every agent thread steps with, lock-free, as in the paper.
 */
export class SharedRmsProp extends RmsProp {
  override readonly name = 'shared-rmsprop';
}

/**
 * Adam with its moments and step count shared by threads (ikostrikov/pytorch-a3c's SharedAdam,
 * the most used A3C's default): `buffers` views of SharedArrayBuffers that every agent thread
 * steps with, the moments lock-free as in Hogwild, the step count with `Atomics.add`, so that each
 * update's bias correction 1 - beta^t uses the global step t.
 */
export class SharedAdam extends Adam {
  override readonly name = 'shared-adam';

  constructor(numParams: number, args: AdamArgs, buffers: AdamBuffers, native: OneDnnAddon | null = loadOneDnn()) {
    super(numParams, args, native, buffers);
  }
}

function checkSizes(name: string, numParams: number, params: Float32Array, grads: Float32Array): void {
  if (params.length !== numParams || grads.length !== numParams) {
    throw new Error(`${name}.step: params has ${params.length} values and grads ${grads.length}; the optimiser was built for ${numParams}`);
  }
}

function loadBuffers(name: string, state: OptimizerState, into: Record<string, Float32Array>): void {
  if (state.name !== name) throw new Error(`cannot load ${state.name} state into ${name}`);
  for (const [key, buffer] of Object.entries(into)) {
    const saved = state.buffers[key];
    if (saved === undefined || saved.length !== buffer.length) {
      throw new Error(`${name} state: buffer ${key} has ${saved?.length ?? 'no'} values; expected ${buffer.length}`);
    }
  }
  for (const [key, buffer] of Object.entries(into)) buffer.set(state.buffers[key]);
}
