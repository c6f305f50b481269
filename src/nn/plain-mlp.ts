/**
 * The MLP actor-critic's policy in plain TypeScript over its flat float32 parameters, for places
 * without tfjs (the exported browser page). Activations are rounded to float32 after each layer as
 * in tfjs, so logits agree with MlpNet's to float32 rounding (sums run in another order) and the
 * greedy action is the same unless two logits tie to within that rounding.
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

/** Shapes of MlpNet's variables in its order: each hidden layer's weight and bias, then the policy head's, then the value head's. */
export function mlpParameterShapes(spec: MlpSpec): number[][] {
  const sizes = [spec.obsSize, ...spec.hidden];
  const bodySize = sizes[sizes.length - 1];
  const layers: [number, number][] = [...spec.hidden.map((units, i): [number, number] => [sizes[i], units]), [bodySize, spec.numActions], [bodySize, 1]];
  return layers.flatMap(([inSize, outSize]) => [[inSize, outSize], [outSize]]);
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
    const layers: DenseLayer[] = [];
    for (let i = 0; i < shapes.length; i += 2) {
      const [inSize, outSize] = shapes[i];
      layers.push({ weight: take(inSize * outSize), bias: take(outSize), inSize, outSize });
    }
    // The value head, last, is not needed to act.
    this.hidden = layers.slice(0, spec.hidden.length);
    this.policyHead = layers[spec.hidden.length];
  }

  /** Unnormalised log-probabilities `[numActions]` for one observation `[obsSize]`. */
  logits(obs: ArrayLike<number>): Float32Array {
    if (obs.length !== this.spec.obsSize) throw new Error(`PlainMlpPolicy: observation has ${obs.length} values, expected ${this.spec.obsSize}`);
    let h: Float32Array = Float32Array.from(obs);
    for (const layer of this.hidden) h = applyDense(layer, h, true);
    return applyDense(this.policyHead, h, false);
  }

  /** The most probable action; ties go to the lowest index, as the Node policy's argmax. */
  greedyAction(obs: ArrayLike<number>): number {
    const logits = this.logits(obs);
    let best = 0;
    for (let j = 1; j < logits.length; j++) if (logits[j] > logits[best]) best = j;
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
