import type { SharedMemory, TrainerTransport, TransportHandlers } from '../parallel/transport.js';
import { reportProblem, type AgentReport } from './agent.js';
import type { ModeTrainer } from './modes/index.js';
import { stopReason, type StopReason, type TrainingContext } from './training-context.js';

/** How often the stop rules (time, Ctrl-C) are checked besides after every message. */
const CHECK_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 1000;
/** Rejected messages logged one by one; later ones are only counted (a flood must not flood the log). */
const REJECTIONS_LOGGED = 10;

export interface RunOptions {
  /** Carries parameters to the agents and their messages back. */
  transport: TrainerTransport;
  /** The mode's trainer half. */
  trainer: ModeTrainer<unknown>;
  /** How the agents run, for the start-up line: e.g. "2 threads x 8 envs". */
  agentsLabel: string;
  /**
   * Lock-free modes: the transport's shared memory. Agents write the parameters there themselves,
   * so merged normalisation statistics are written in place after them instead of published, and
   * count each update they apply in its version (`bumpVersion`, an `Atomics.add`), which the
   * runner's update count follows.
   */
  shared?: SharedMemory | null;
}

/**
 * The training loop every mode shares: publishes the learner's parameters through the transport
 * (followed by the merged normalisation statistics when `ctx.normalizer` is set, normalization.ts),
 * starts the agents, and for each message checks its report and work (a malformed one is counted
 * in `stats.rejected` and skipped), merges its normalisation increments, counts its env steps,
 * episodes and staleness (versions published since the parameters it was computed with), sets the
 * learner's learning rate for the env steps counted (lrSchedule), hands its work to the mode's trainer half
 * unless it is more than `config.maxStaleness` versions behind (then it counts in
 * `stats.droppedStale`), records the update that may result, and ends the run when a stop rule fires.
 * Lock-free modes count updates from the shared version instead of from messages: an agent has
 * applied its update before it sends, so an update whose message is dropped, rejected or never
 * read (still queued, or its agent blocked in `send`, when the run stops) counts too; at the end
 * the learner takes the shared parameters, so that a checkpoint holds every update it counts.
 * @throws the first failure of an agent, of the transport or of the trainer half (e.g. a
 *   NonFiniteUpdateError), after the agents have stopped.
 */
export async function runTraining(ctx: TrainingContext, { transport, trainer, agentsLabel, shared = null }: RunOptions): Promise<StopReason> {
  const { learner, stats, callbacks } = ctx;
  const normalizer = ctx.normalizer ?? null;
  const log = (line: string) => callbacks.onLog?.(line);
  let outcome: StopReason | Error | null = null;
  let stopping: Promise<void> | null = null;
  let settle: (result: StopReason | Error) => void = () => {};
  const finished = new Promise<StopReason | Error>((resolve) => (settle = resolve));
  const finish = (result: StopReason | Error) => {
    if (outcome !== null) return;
    outcome = result;
    settle(result);
    stopping = transport.stop();
  };
  const checkStop = () => {
    const reason = stopReason(ctx);
    if (reason) finish(reason);
  };
  const reject = (detail: string) => {
    stats.rejected++;
    if (stats.rejected <= REJECTIONS_LOGGED) log(`rejected ${detail}${stats.rejected === REJECTIONS_LOGGED ? ' (later ones are counted, not logged)' : ''}`);
  };
  const { maxStaleness } = ctx.config;
  // Lock-free modes: the shared version after the initial publish, the updates counted before this
  // process, and the transitions behind each update (every lock-free update is one agent's rollout).
  let versionAtStart = 0;
  const updatesAtStart = stats.updates;
  let samplesPerUpdate = 0;
  const countLockFreeUpdates = () => {
    const counted = updatesAtStart + transport.version - versionAtStart;
    stats.trainedSamples += (counted - stats.updates) * samplesPerUpdate;
    stats.updates = counted;
  };
  const handlers: TransportHandlers = {
    onMessage(envelope) {
      const report = envelope.body as AgentReport;
      const problem = reportProblem(report) ?? trainer.check(report.work) ?? normalizer?.problem(report.normalization) ?? null;
      if (problem !== null) {
        reject(`a message from agent ${envelope.agentId}: ${problem}`);
        return;
      }
      if (normalizer !== null) {
        normalizer.merge(report.normalization!);
        if (shared !== null) normalizer.writeStats(shared.params.subarray(learner.params.length));
      }
      stats.envSteps += envelope.envSteps;
      // A lock-free agent's own update is among the versions since it read the parameters.
      const versionsBehind = transport.version - envelope.paramsVersion - (shared === null ? 0 : 1);
      stats.addStaleness(versionsBehind);
      for (const line of report.logs) log(`agent ${envelope.agentId}: ${line}`);
      if (report.episodes.length > 0) {
        stats.addEpisodes(report.episodes);
        callbacks.onEpisodes?.(report.episodes, stats);
      }
      const tooStale = maxStaleness !== null && versionsBehind > maxStaleness;
      if (tooStale) stats.droppedStale++;
      // The schedule follows the run's env steps, this message's and a resumed run's included.
      learner.scheduleLr(stats.envSteps);
      const update = tooStale ? null : trainer.receive(report.work);
      if (update !== null) {
        if (shared === null) {
          stats.updates++;
          stats.trainedSamples += update.samples;
        } else {
          samplesPerUpdate = update.samples;
          countLockFreeUpdates();
        }
        callbacks.onUpdate?.(update, stats);
      }
      checkStop();
    },
    onFailure: finish,
    onLog: log,
    onDropped(kind, detail) {
      if (kind === 'stale') stats.droppedStale++;
      else reject(detail);
    },
  };

  // Normalisation statistics travel after the parameters (normalization.ts).
  const publish = (params: Float32Array) => transport.publish(normalizer ? normalizer.appendTo(params) : params);
  learner.onPublish(publish);
  versionAtStart = publish(learner.params);
  let timer: NodeJS.Timeout | undefined;
  try {
    const descriptions = await Promise.race([transport.start(handlers), finished.then(() => null)]);
    if (descriptions !== null) {
      stats.startActing();
      log(`agents: ${agentsLabel}${descriptions.length > 0 ? `, backend ${[...new Set(descriptions)].join(' | ')}` : ''}`);
    }
    let lastProgress = performance.now();
    timer = setInterval(() => {
      const now = performance.now();
      if (now - lastProgress >= PROGRESS_EVERY_MS) {
        lastProgress = now;
        stats.agents = transport.agents;
        callbacks.onProgress?.(stats);
      }
      checkStop();
    }, CHECK_EVERY_MS);
    const result = await finished;
    if (result instanceof Error) throw result;
    return result;
  } finally {
    clearInterval(timer);
    learner.onPublish(() => {});
    await (stopping ?? transport.stop());
    if (shared !== null) {
      // The agents have stopped: the updates they applied after the last message read count too.
      countLockFreeUpdates();
      learner.load(shared.params.subarray(0, learner.params.length));
    }
  }
}
