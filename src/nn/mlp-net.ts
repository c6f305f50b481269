import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { createDense, dense, type DenseParams } from './layers.js';
import { checkPositiveIntegers, type ActorCriticNet, type ActorCriticOutput, type MlpSpec } from './net-spec.js';
import { ParameterList } from './parameter-list.js';

/**
 * The reference MlpA2C: ReLU hidden layers shared by a linear policy head and a linear value head.
 * Variables: each hidden layer's weight and bias, then the policy head's, then the value head's.
 */
export class MlpNet extends ParameterList implements ActorCriticNet {
  private readonly hidden: DenseParams[];
  private readonly policy: DenseParams;
  private readonly valueHead: DenseParams;

  constructor(readonly spec: MlpSpec, seed: number) {
    checkPositiveIntegers('mlp obsSize, numActions and hidden sizes', [spec.obsSize, spec.numActions, ...spec.hidden]);
    const rng = new Rng(seed);
    const sizes = [spec.obsSize, ...spec.hidden];
    const hidden = spec.hidden.map((units, i) => createDense(sizes[i], units, rng));
    const bodySize = sizes[sizes.length - 1];
    const policy = createDense(bodySize, spec.numActions, rng);
    const valueHead = createDense(bodySize, 1, rng);
    super([...hidden, policy, valueHead].flatMap((layer) => [layer.weight, layer.bias]));
    this.hidden = hidden;
    this.policy = policy;
    this.valueHead = valueHead;
  }

  /** obs: [batch, obsSize] */
  forward(obs: tf.Tensor): ActorCriticOutput {
    if (obs.rank !== 2 || obs.shape[1] !== this.spec.obsSize) {
      throw new Error(`mlp forward: expected observations [batch, ${this.spec.obsSize}]; got [${obs.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      let h = obs.toFloat() as tf.Tensor2D;
      for (const layer of this.hidden) h = dense(h, layer, 'relu');
      const logits = dense(h, this.policy, 'linear');
      const value = tf.reshape(dense(h, this.valueHead, 'linear'), [obs.shape[0]]) as tf.Tensor1D;
      return { logits, value };
    });
  }
}
