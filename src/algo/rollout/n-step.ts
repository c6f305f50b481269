import type { Obs, VectorEnv } from '../../envs/core.js';
import { Collector, type ActingPolicy, type ActionRow } from './collector.js';
import type { TransitionBatch } from './transition-batch.js';

interface PendingTransition {
  obs: Obs;
  action: ActionRow;
  /** Discounted reward sum of the window. */
  rewardSum: number;
  /** gamma^k of the window, multiplying V of the observation the window ends on. */
  discount: number;
}

interface HistoryStep {
  obs: Obs;
  action: ActionRow;
  reward: number;
}

/**
 * ptan's ExperienceSourceFirstLast over a vector env: each step yields, per env copy, the
 * transition (s_t, a_t, sum_{i<n} gamma^i r_{t+i}, s_{t+n}) with its value target
 * R + gamma^n V(s_{t+n}). At episode end the shorter tail windows are emitted too. Unlike ptan, a
 * truncated episode still bootstraps from V(final observation) (see Stable-Baselines3 #633):
 * only `terminated` means the future is worth zero.
 *
 * V(s_{t+n}) comes from the next step's action forward pass, so the network runs once per step;
 * windows waiting for it are held back until then. Box actions, episodes and env restarts: see
 * Collector.
 */
export class NStepCollector extends Collector {
  private readonly histories: HistoryStep[][];
  private readonly waiting: PendingTransition[][];
  private readonly gammaPowers: Float64Array;

  constructor(
    env: VectorEnv,
    policy: ActingPolicy,
    private readonly gamma: number,
    private readonly nSteps: number,
    seed?: number,
  ) {
    super(env, policy, seed);
    this.histories = Array.from({ length: env.numEnvs }, () => []);
    this.waiting = Array.from({ length: env.numEnvs }, () => []);
    this.gammaPowers = Float64Array.from({ length: nSteps + 1 }, (_, k) => gamma ** k);
  }

  /**
   * Steps every env copy once and pushes the windows completed so far into `out`.
   * @throws what the env's `step` throws, but an EnvProcessDiedError of an env that can restart.
   */
  step(out: TransitionBatch): void {
    const n = this.numEnvs;
    const obs = this.obs;
    const { actions, values } = this.policy.act(obs, n);
    for (let i = 0; i < n; i++) this.release(i, values[i], out);

    const result = this.stepEnv(actions);
    if (result === null) return;
    for (let i = 0; i < n; i++) {
      const history = this.histories[i];
      history.push({ obs: this.rowOf(obs, i), action: this.actionOf(actions, i), reward: result.rewards[i] });
      if (result.terminated[i] === 1) {
        while (history.length > 0) this.emit(this.window(history), 0, out);
      } else if (result.truncated[i] === 1) {
        while (history.length > 0) this.waiting[i].push(this.window(history));
      } else if (history.length === this.nSteps) {
        this.waiting[i].push(this.window(history));
      }
    }
    const finalValues = this.truncationValues(result);
    if (finalValues !== null) for (let i = 0; i < n; i++) if (result.truncated[i] === 1) this.release(i, finalValues[i], out);
  }

  /** The env restarted: the windows of the episodes in progress can no longer be completed. */
  protected dropEpisodesInProgress(): void {
    for (let i = 0; i < this.numEnvs; i++) {
      this.histories[i].length = 0;
      this.waiting[i].length = 0;
    }
  }

  /** Transitions still waiting for a bootstrap value (bounded by numEnvs). */
  get waitingCount(): number {
    return this.waiting.reduce((s, w) => s + w.length, 0);
  }

  /** Folds the history into a window starting at its oldest step, and drops that step. */
  private window(history: HistoryStep[]): PendingTransition {
    let rewardSum = 0;
    for (let k = history.length - 1; k >= 0; k--) rewardSum = history[k].reward + this.gamma * rewardSum;
    const first = history.shift()!;
    return { obs: first.obs, action: first.action, rewardSum, discount: this.gammaPowers[history.length + 1] };
  }

  private release(i: number, value: number, out: TransitionBatch): void {
    const waiting = this.waiting[i];
    for (const t of waiting) this.emit(t, value, out);
    waiting.length = 0;
  }

  private emit(t: PendingTransition, bootstrapValue: number, out: TransitionBatch): void {
    out.push(t.obs, t.action, t.rewardSum + t.discount * bootstrapValue);
  }
}
