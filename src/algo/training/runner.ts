import type { Envelope, SharedMemory, TrainerTransport, TransportHandlers } from '../../parallel/transport.js';
import { reportProblem, type AgentReport } from '../agent/agent.js';
import { modeNamed, type ModeTrainer } from '../modes/index.js';
import { MAX_REJECTING_AGENTS, type RunStats } from './run-stats.js';
import { stopReason, type StopReason, type TrainingContext } from './training-context.js';

/** Rejected messages that name no agent logged one by one; later ones are only counted. */
const LOGGED_ANONYMOUS_REJECTIONS = 10;

/** How often the stop rules (time, Ctrl-C) are checked besides after every message. */
const CHECK_EVERY_MS = 250;
const PROGRESS_EVERY_MS = 1000;

/**
 * The most env steps a message of `rolloutSize` transitions from an agent of `envs` env copies
 * stepping `nSteps`-step windows or rollouts may claim. Collecting a rollout takes at most
 * rolloutSize + 2 x nSteps x envs env steps (windows still open before and after it, and a
 * collector step that overshoots); twice that leaves room for an env restart, which drops its
 * open windows.
 */
function maxEnvStepsPerMessage(rolloutSize: number, nSteps: number, envs: number): number {
  return 2 * (rolloutSize + 2 * nSteps * envs);
}

/** "3 from agent 5, 1 from agent 9, 2 naming no agent": the rejections counted per agent. */
function rejectionsByAgent(stats: RunStats): string {
  return [...stats.rejectedByAgent].map(([agentId, count]) => `${count} ${agentId === null ? 'naming no agent' : `from agent ${agentId}`}`).join(', ');
}

export interface RunOptions {
  /** Carries parameters to the agents and their messages back. */
  transport: TrainerTransport;
  /** The mode's trainer half. */
  trainer: ModeTrainer<unknown>;
  /** How the agents run, for the start-up line: e.g. "2 threads x 8 envs". */
  agentsLabel: string;
  /** Env copies each agent steps: with the trainer's rolloutSize, bounds the env steps a message may claim. */
  envsPerAgent: number;
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
 * starts the agents, and for each message checks its report, work and provenance (parameters
 * no newer than published, env steps no more than its rollout can take, no more episodes than env
 * steps: a malformed or implausible one is counted in `stats.rejected` and per agent, its first
 * per agent logged, and skipped), merges its normalisation increments, counts its env steps,
 * episodes and staleness (versions published since the parameters it was computed with, as the
 * mode counts them: `Mode.versionsBehind`), sets the learner's learning rate for the env steps
 * counted (lrSchedule), hands its work to the mode's trainer half
 * unless it is more than `config.maxStaleness` versions behind (then it counts in
 * `stats.droppedStale`), records the update that may result, and ends the run when a stop rule fires.
 * Lock-free modes count updates from the shared version instead of from messages: an agent has
 * applied its update before it sends, so an update whose message is dropped, rejected or never
 * read (still queued, or its agent blocked in `send`, when the run stops) counts too; at the end
 * the learner takes the shared parameters, so that a checkpoint holds every update it counts.
 * @throws the first failure of an agent, of the transport or of the trainer half (e.g. a
 *   NonFiniteUpdateError), after the agents have stopped.
 */
export async function runTraining(ctx: TrainingContext, { transport, trainer, agentsLabel, envsPerAgent, shared = null }: RunOptions): Promise<StopReason> {
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
  let manyRejectingLogged = false;
  let anonymousLogged = 0;
  const reject = (agentId: number | null, detail: string) => {
    const first = stats.addRejected(agentId);
    if (agentId === null) {
      // Messages that name no agent have many sources (foreign runs, garbage): the first few each get a line.
      if (anonymousLogged++ < LOGGED_ANONYMOUS_REJECTIONS) {
        log(`rejected ${detail}${anonymousLogged === LOGGED_ANONYMOUS_REJECTIONS ? '; later rejections of messages naming no agent are counted, not logged' : ''}`);
      }
    } else if (first) {
      log(`rejected ${detail}; later rejections of agent ${agentId} are counted, not logged`);
    } else if (!stats.rejectedByAgent.has(agentId) && !manyRejectingLogged) {
      manyRejectingLogged = true;
      log(`rejected messages of more than ${MAX_REJECTING_AGENTS} agents; those of further agents are counted in all only`);
    }
  };
  const { maxStaleness } = ctx.config;
  const mode = modeNamed(ctx.config.mode);
  const maxEnvSteps = maxEnvStepsPerMessage(trainer.rolloutSize, ctx.config.nSteps, envsPerAgent);
  /** Why a message's provenance is implausible for its report, or null. */
  const provenanceProblem = ({ paramsVersion, envSteps }: Envelope, report: AgentReport): string | null => {
    if (!(Number.isSafeInteger(paramsVersion) && paramsVersion >= 0 && paramsVersion <= transport.version)) {
      return `parameters version ${paramsVersion}, not one published (the newest is ${transport.version})`;
    }
    if (!(Number.isSafeInteger(envSteps) && envSteps >= 0 && envSteps <= maxEnvSteps)) {
      return `${envSteps} env steps, more than the ${maxEnvSteps} a rollout of ${trainer.rolloutSize} transitions over ${envsPerAgent} envs can take`;
    }
    return report.episodes.length <= envSteps ? null : `${report.episodes.length} episodes ended in ${envSteps} env steps`;
  };
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
      const problem = reportProblem(report) ?? provenanceProblem(envelope, report) ?? trainer.check(report.work) ?? normalizer?.problem(report.normalization) ?? null;
      if (problem !== null) {
        reject(envelope.agentId, `a message from agent ${envelope.agentId}: ${problem}`);
        return;
      }
      if (normalizer !== null) {
        normalizer.merge(report.normalization!);
        if (shared !== null) normalizer.writeStats(shared.params.subarray(learner.params.length));
      }
      stats.envSteps += envelope.envSteps;
      const versionsBehind = mode.versionsBehind(transport.version, envelope.paramsVersion);
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
    onDropped(kind, detail, agentId) {
      if (kind === 'stale') stats.droppedStale++;
      else reject(agentId, detail);
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
    if (stats.rejected > 0) log(`rejected ${stats.rejected} agent messages in all: ${rejectionsByAgent(stats)}`);
    if (shared !== null) {
      // The agents have stopped: the updates they applied after the last message read count too.
      countLockFreeUpdates();
      learner.load(shared.params.subarray(0, learner.params.length));
    }
  }
}
