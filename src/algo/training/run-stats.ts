import type { EpisodeRecord } from '../rollout/collector.js';

/** Window of Gymnasium's / SB3's "mean reward over the last 100 episodes". */
export const REWARD_WINDOW = 100;

/** Agent messages over which staleness is averaged. */
export const STALENESS_WINDOW = 100;

/**
 * Agents whose rejected messages are counted one by one (RunStats.rejectedByAgent): a flood of
 * messages naming ever new agent ids must not grow the map without bound.
 */
export const MAX_REJECTING_AGENTS = 100;

/** Counters and the reward history of one training run; everything a progress line shows. */
export class RunStats {
  envSteps = 0;
  /** Transitions that went through an optimiser step. */
  trainedSamples = 0;
  updates = 0;
  /** Agents connected, as the transport counted them at the last progress report. */
  agents = 0;
  /** Agent messages whose work was dropped as too stale (maxStaleness, or a previous trainer's), in this process. */
  droppedStale = 0;
  /** Agent messages rejected as malformed, implausible or foreign, in this process. */
  rejected = 0;
  /**
   * Of those, how many each agent id sent (null: entries that name no agent), for the first
   * MAX_REJECTING_AGENTS agents rejected; the others count in `rejected` only.
   */
  readonly rejectedByAgent = new Map<number | null, number>();
  /** Whole episodes reported so far. */
  episodes = 0;
  /** Rewards of the last REWARD_WINDOW episodes, oldest first (the logs keep every one). */
  readonly recentRewards: number[] = [];
  /** Mean reward of the last periodic greedy evaluation (`evalEvery`) in this process; null before the first. */
  evalReward: number | null = null;
  private readonly startMs: number;
  /** When acting began (agents ready), and the env steps counted before it. */
  private actingStartMs: number;
  private stepsBeforeActing = 0;
  private messagesBeforeActing = 0;
  /** Versions behind of the last STALENESS_WINDOW agent messages, a ring. */
  private readonly staleness = new Int32Array(STALENESS_WINDOW);
  private messages = 0;

  constructor(
    /** Seconds already spent before this process (a resumed run). */
    private readonly priorSeconds = 0,
  ) {
    this.startMs = performance.now();
    this.actingStartMs = this.startMs;
  }

  /** Marks the end of start-up (threads, envs, backends): throughput is measured from here. */
  startActing(): void {
    this.actingStartMs = performance.now();
    this.stepsBeforeActing = this.envSteps;
    this.messagesBeforeActing = this.messages;
  }

  /** Seconds from this process's start to `startActing`. */
  get startupSeconds(): number {
    return (this.actingStartMs - this.startMs) / 1000;
  }

  /** Continues the counters and recent rewards of a checkpoint. */
  restore(saved: { envSteps: number; updates: number; trainedSamples: number; episodes: number; recentRewards: number[] }): void {
    this.envSteps = saved.envSteps;
    this.updates = saved.updates;
    this.trainedSamples = saved.trainedSamples;
    this.episodes = saved.episodes;
    this.recentRewards.push(...saved.recentRewards.slice(-REWARD_WINDOW));
    this.stepsBeforeActing = this.envSteps;
  }

  /**
   * Counts one rejected message of agent `agentId` (null: one that names no agent); true when it
   * is the first counted of that agent.
   */
  addRejected(agentId: number | null): boolean {
    this.rejected++;
    const before = this.rejectedByAgent.get(agentId);
    if (before !== undefined) this.rejectedByAgent.set(agentId, before + 1);
    else if (this.rejectedByAgent.size < MAX_REJECTING_AGENTS) this.rejectedByAgent.set(agentId, 1);
    else return false;
    return before === undefined;
  }

  addEpisodes(episodes: EpisodeRecord[]): void {
    for (const e of episodes) this.recentRewards.push(e.reward);
    this.episodes += episodes.length;
    if (this.recentRewards.length > REWARD_WINDOW) this.recentRewards.splice(0, this.recentRewards.length - REWARD_WINDOW);
  }

  /**
   * Counts one agent message computed with parameters `versionsBehind` versions older than the
   * trainer's when it arrived.
   */
  addStaleness(versionsBehind: number): void {
    this.staleness[this.messages % STALENESS_WINDOW] = versionsBehind;
    this.messages++;
  }

  /** Mean and max versions behind over the last 100 agent messages; null before the first. */
  get stalenessRecent(): { mean: number; max: number } | null {
    const n = Math.min(this.messages, STALENESS_WINDOW);
    if (n === 0) return null;
    let sum = 0;
    let max = 0;
    for (let i = 0; i < n; i++) {
      sum += this.staleness[i];
      max = Math.max(max, this.staleness[i]);
    }
    return { mean: sum / n, max };
  }

  /** Mean of the last 100 episode rewards; NaN before the first episode. */
  get meanReward100(): number {
    const recent = this.recentRewards;
    return recent.length === 0 ? NaN : recent.reduce((a, b) => a + b, 0) / recent.length;
  }

  /**
   * Whether the run has reached `bound`. `byEval` (a run with `evalEvery`): the last greedy
   * evaluation's mean reaches it, as Stable-Baselines3's EvalCallback with
   * StopTrainingOnRewardThreshold decides; otherwise as Gymnasium defines solved, 100 training
   * episodes whose mean reaches it.
   */
  solved(bound: number, byEval = false): boolean {
    if (byEval) return this.evalReward !== null && this.evalReward >= bound;
    return this.episodes >= REWARD_WINDOW && this.meanReward100 >= bound;
  }

  /** Seconds since this process started the run (a resumed run's time budget counts from here). */
  get sessionSeconds(): number {
    return (performance.now() - this.startMs) / 1000;
  }

  get seconds(): number {
    return this.priorSeconds + (performance.now() - this.startMs) / 1000;
  }

  /** Agent messages taken (not rejected) per second since acting began in this process. */
  get messagesPerSecond(): number {
    const s = (performance.now() - this.actingStartMs) / 1000;
    return s > 0 ? (this.messages - this.messagesBeforeActing) / s : 0;
  }

  /** Env steps per second since acting began in this process. */
  get stepsPerSecond(): number {
    const s = (performance.now() - this.actingStartMs) / 1000;
    return s > 0 ? (this.envSteps - this.stepsBeforeActing) / s : 0;
  }
}
