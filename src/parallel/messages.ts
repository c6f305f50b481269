import type { TrainConfig } from '../algo/config.js';
import type { EpisodeRecord } from '../algo/n-step.js';
import type { LossStats } from '../algo/loss.js';
import type { TransitionArrays } from '../algo/transition-batch.js';
import type { NetSpec } from '../nn/networks.js';

/** What an agent thread starts from. */
export interface AgentInit {
  agentId: number;
  config: TrainConfig;
  netSpec: NetSpec;
  seed: number;
  paramsBuffer: SharedArrayBuffer;
  controlBuffer: SharedArrayBuffer;
}

/** Provenance every agent message carries (DESIGN.md). */
interface Provenance {
  agentId: number;
  /** Version of the parameters the agent acted with. */
  paramsVersion: number;
  /** Env steps taken since the agent's previous message. */
  envSteps: number;
  episodes: EpisodeRecord[];
  /** Env restarts after its process died, one line each. */
  envRestarts: string[];
}

export type AgentMessage =
  | ({ type: 'transitions'; batch: TransitionArrays } & Provenance)
  | ({ type: 'gradients'; grads: Float32Array; samples: number; stats: LossStats } & Provenance)
  | { type: 'ready'; agentId: number; backend: string };

/**
 * Control words shared by the trainer and its agents (Int32Array over a SharedArrayBuffer):
 * [STOP, queued messages of agent 0, agent 1, ...]. An agent waits while it has
 * `maxQueuedPerWorker` messages the trainer has not received yet, like the reference's bounded queue.
 */
export const CONTROL_STOP = 0;
export const CONTROL_QUEUED_BASE = 1;

export function createControlBuffer(workers: number): SharedArrayBuffer {
  return new SharedArrayBuffer((CONTROL_QUEUED_BASE + workers) * Int32Array.BYTES_PER_ELEMENT);
}
