/**
 * The MLP actor-critic's policy in plain TypeScript over its flat float32 parameters, for places
 * without tfjs (the exported browser page). Activations are rounded to float32 after each layer as
 * in tfjs, so logits (or a Gaussian head's mean) agree with MlpNet's to float32 rounding (sums run
 * in another order) and the greedy action is the same unless two logits tie to within that rounding.
 */
import type { MlpSpec } from './net-spec.js';

interface DenseLayer {
  /** [inSize, outSize] row-major, as MlpNet stores it. */
  weight: Float32Array;
  /** [outSize] */
  bias: Float32Array;
  inSize: number;
  outSize: number;
}

/** An LSTM's kernel `[inSize, 4 cells]`, recurrent kernel `[cells, 4 cells]` and bias, gates i, f, g, o (nn/lstm.ts). */
interface LstmLayer {
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  bias: Float32Array;
  inSize: number;
  cells: number;
}

/**
 * Shapes of MlpNet's variables in its order: each hidden layer's weight and bias, then an LSTM's
 * kernel, recurrent kernel and bias, then the policy head's, then a Gaussian head's log sigma
 * `[actDim]` or softplus layer, then the value head's.
 */
export function mlpParameterShapes(spec: MlpSpec): number[][] {
  const sizes = [spec.obsSize, ...spec.hidden];
  const cells = spec.lstmCells ?? 0;
  const lastHidden = sizes[sizes.length - 1];
  const bodySize = cells > 0 ? cells : lastHidden;
  const dense = ([inSize, outSize]: [number, number]) => [[inSize, outSize], [outSize]];
  const lstm = cells > 0 ? [[lastHidden, 4 * cells], [cells, 4 * cells], [4 * cells]] : [];
  const std = spec.gaussian === undefined ? [] : spec.gaussian.std === 'state-independent' ? [[spec.numActions]] : dense([bodySize, spec.numActions]);
  return [...spec.hidden.flatMap((units, i) => dense([sizes[i], units])), ...lstm, ...dense([bodySize, spec.numActions]), ...std, ...dense([bodySize, 1])];
}

/**
 * With an LSTM (`spec.lstmCells`) the policy is recurrent: each call of `policyOutput` or
 * `greedyAction` steps its state, which `resetState` zeroes at the start of an episode.
 */
export class PlainMlpPolicy {
  private readonly hidden: DenseLayer[];
  private readonly lstm: LstmLayer | null;
  private readonly policyHead: DenseLayer;
  /** The LSTM's output and cell state after the last step. */
  private h = new Float32Array(0);
  private c = new Float32Array(0);

  constructor(
    readonly spec: MlpSpec,
    params: Float32Array,
  ) {
    const shapes = mlpParameterShapes(spec);
    const numParams = shapes.reduce((n, shape) => n + shape.reduce((a, b) => a * b, 1), 0);
    if (params.length !== numParams) {
      throw new Error(`PlainMlpPolicy: ${params.length} parameters given; the mlp ${JSON.stringify(spec)} has ${numParams}`);
    }
    let offset = 0;
    const take = (size: number): Float32Array => params.subarray(offset, (offset += size));
    const dense = ([inSize, outSize]: number[]): DenseLayer => ({ weight: take(inSize * outSize), bias: take(outSize), inSize, outSize });
    this.hidden = spec.hidden.map((_, i) => dense(shapes[2 * i]));
    const lstmShapes = spec.lstmCells ? 3 : 0;
    if (spec.lstmCells) {
      const [inSize, gates] = shapes[2 * spec.hidden.length];
      const cells = spec.lstmCells;
      this.lstm = { kernel: take(inSize * gates), recurrentKernel: take(cells * gates), bias: take(gates), inSize, cells };
    } else {
      this.lstm = null;
    }
    this.resetState();
    this.policyHead = dense(shapes[2 * spec.hidden.length + lstmShapes]);
    // The standard deviation and the value head, after it, are not needed to act greedily.
  }

  /**
   * The policy head for one observation `[obsSize]`: unnormalised log-probabilities
   * `[numActions]`, or a Gaussian head's mean `[actDim]`.
   */
  policyOutput(obs: ArrayLike<number>): Float32Array {
    if (obs.length !== this.spec.obsSize) throw new Error(`PlainMlpPolicy: observation has ${obs.length} values, expected ${this.spec.obsSize}`);
    let h: Float32Array = Float32Array.from(obs);
    for (const layer of this.hidden) h = applyDense(layer, h, true);
    if (this.lstm !== null) h = this.stepLstm(this.lstm, h);
    return applyDense(this.policyHead, h, false);
  }

  /** Zeroes the LSTM state, as training does where an episode starts. */
  resetState(): void {
    const cells = this.lstm?.cells ?? 0;
    this.h = new Float32Array(cells);
    this.c = new Float32Array(cells);
  }

  /** c = sigmoid(f) c + sigmoid(i) tanh(g); h = sigmoid(o) tanh(c), from gates x W + h U + b. */
  private stepLstm(lstm: LstmLayer, x: Float32Array): Float32Array {
    const { cells, inSize } = lstm;
    const width = 4 * cells;
    const gates = Float32Array.from(lstm.bias);
    for (let k = 0; k < width; k++) {
      for (let i = 0; i < inSize; i++) gates[k] += x[i] * lstm.kernel[i * width + k];
      for (let j = 0; j < cells; j++) gates[k] += this.h[j] * lstm.recurrentKernel[j * width + k];
    }
    const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
    const h = new Float32Array(cells);
    for (let u = 0; u < cells; u++) {
      this.c[u] = sigmoid(gates[cells + u]) * this.c[u] + sigmoid(gates[u]) * Math.tanh(gates[2 * cells + u]);
      h[u] = sigmoid(gates[3 * cells + u]) * Math.tanh(this.c[u]);
    }
    this.h = h;
    return h;
  }

  /**
   * The most probable action: the index of the largest logit (ties go to the lowest index, as the
   * Node policy's argmax), or a Gaussian head's mean `[actDim]`, unclipped (the caller clips it
   * into the env's Box, as `a3c play` does).
   */
  greedyAction(obs: ArrayLike<number>): number | Float32Array {
    const head = this.policyOutput(obs);
    if (this.spec.gaussian !== undefined) return head;
    let best = 0;
    for (let j = 1; j < head.length; j++) if (head[j] > head[best]) best = j;
    return best;
  }
}

function applyDense(layer: DenseLayer, x: Float32Array, relu: boolean): Float32Array {
  const out = new Float32Array(layer.outSize);
  for (let o = 0; o < layer.outSize; o++) {
    let sum = layer.bias[o];
    for (let i = 0; i < layer.inSize; i++) sum += x[i] * layer.weight[i * layer.outSize + o];
    out[o] = relu && sum < 0 ? 0 : sum;
  }
  return out;
}
