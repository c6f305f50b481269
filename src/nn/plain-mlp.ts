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

/**
 * Shapes of MlpNet's variables in its order: each hidden layer's weight and bias, then the policy
 * head's, then a Gaussian head's log sigma `[actDim]` or softplus layer, then the value head's.
 */
export function mlpParameterShapes(spec: MlpSpec): number[][] {
  const sizes = [spec.obsSize, ...spec.hidden];
  const bodySize = sizes[sizes.length - 1];
  const dense = ([inSize, outSize]: [number, number]) => [[inSize, outSize], [outSize]];
  const std = spec.gaussian === undefined ? [] : spec.gaussian.std === 'state-independent' ? [[spec.numActions]] : dense([bodySize, spec.numActions]);
  return [...spec.hidden.flatMap((units, i) => dense([sizes[i], units])), ...dense([bodySize, spec.numActions]), ...std, ...dense([bodySize, 1])];
}

export class PlainMlpPolicy {
  private readonly hidden: DenseLayer[];
  private readonly policyHead: DenseLayer;

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
    this.policyHead = dense(shapes[2 * spec.hidden.length]);
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
    return applyDense(this.policyHead, h, false);
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
