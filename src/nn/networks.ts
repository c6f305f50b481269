/**
 * Actor-critic networks: a policy head (categorical logits, or a Gaussian's mean and log-std) and
 * a value head over a shared body. Every net is built from a serialisable NetSpec and a seed, so
 * each thread can build the same one.
 */
import { AtariNet } from './atari-net.js';
import { MlpNet } from './mlp-net.js';
import type { ActorCriticNet, NetSpec } from './net-spec.js';

export type {
  ActorCriticNet,
  ActorCriticOutput,
  AtariSpec,
  CategoricalOutput,
  GaussianHeadSpec,
  GaussianOutput,
  MlpSpec,
  NetSpec,
  RecurrentInput,
  StdParameterization,
} from './net-spec.js';
export { isGaussianOutput } from './net-spec.js';

/** Builds the net `spec` describes, initialised as PyTorch would from `seed`. */
export function createNet(spec: NetSpec, seed: number): ActorCriticNet {
  switch (spec.kind) {
    case 'mlp':
      return new MlpNet(spec, seed);
    case 'atari':
      return new AtariNet(spec, seed);
    default:
      throw new Error(`unknown net kind "${(spec as { kind: unknown }).kind}"; expected "mlp" or "atari"`);
  }
}

