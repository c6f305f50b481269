/**
 * The training page: A3C in the browser on the project's own code. The trainer (the A3C facade,
 * the runner and the learner of src/algo) runs in the page; its agents run in Web Workers over the
 * Web Worker transport (src/parallel/web-worker-transport.ts), with the parameters in a
 * SharedArrayBuffer where the page is cross-origin isolated. Settings come from the address in
 * `a3c train`'s flag names (settings.ts); opened with any, it starts at once. `window.a3c.status()`
 * reports progress to scripts (the browser test).
 */
import { A3C, type A3COptions, type TrainResult } from '../../src/algo/a3c.js';
import { CONFIG_FIELDS, MODES, type TrainConfig } from '../../src/algo/config/config.js';
import type { Action, Env, StatefulEnv } from '../../src/envs/core.js';
import { prepareEnvs } from '../../src/envs/prepare-envs.js';
import { envSpec, make } from '../../src/envs/registry.js';
import { normalizeObs } from '../../src/envs/vec-normalize.js';
import { readCheckpointArchive } from '../../src/io/checkpoint-archive.js';
import { decodeCheckpoint, type Checkpoint, type CheckpointFiles } from '../../src/io/checkpoint.js';
import { classicControlScene } from '../../src/io/render/render-frame.js';
import type { ClassicControlScene } from '../../src/io/render/scene.js';
import type { MlpSpec } from '../../src/nn/networks.js';
import { PlainMlpPolicy } from '../../src/nn/plain-mlp.js';
import type { AgentWorker, AgentWorkerHost } from '../../src/parallel/web-worker-transport.js';
import { drawScene } from '../scene-canvas.js';
import { downloadCheckpoint } from './checkpoint-download.js';
import { configFromQuery, PAGE_CONFIG } from './settings.js';
import { TrainingChart } from './training-chart.js';
import { initWebBackend } from './web-backend.js';

/** The envs the page offers (any registered id may still be given in the address). */
const CLASSIC_CONTROL = ['CartPole-v1', 'Acrobot-v1', 'MountainCar-v0', 'MountainCarContinuous-v0', 'Pendulum-v1'];
/** The shown episode plays this many times the env's render fps: a 500-step CartPole episode in 5 s. */
const RENDER_SPEED = 2;
const MAX_STEPS_PER_FRAME = 20;
const MS_PER_S = 1000;
const LOG_LINES = 200;

type PageState = 'loading' | 'ready' | 'running' | 'paused' | 'stopping' | 'solved' | 'stopped' | 'error';

/** What `window.a3c.status()` returns. */
interface PageStatus {
  state: PageState;
  env: string | null;
  mode: string | null;
  workers: number;
  steps: number;
  episodes: number;
  updates: number;
  /** Mean reward of the last 100 episodes (of fewer before 100 have ended); null before the first. */
  reward100: number | null;
  /** Mean-100 at or above the env's reward threshold over at least 100 episodes. */
  solved: boolean;
  /** Seconds since the run started training. */
  seconds: number;
  stepsPerSecond: number | null;
  entropy: number | null;
  crossOriginIsolated: boolean;
  simd: boolean;
  backend: string;
  error: string | null;
  /** The finished run's figures, as `a3c train --json` gives them (A3C.learn's TrainResult); null before a run ends. */
  result: RunResult | null;
}

/** Of A3C.learn's TrainResult: seconds include start-up; env steps/s are counted after it. */
type RunResult = Pick<TrainResult, 'stopReason' | 'steps' | 'seconds' | 'startupSeconds' | 'stepsPerSecond'>;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const ui = {
  notes: element<HTMLDivElement>('notes'),
  settings: element<HTMLFormElement>('settings'),
  env: element<HTMLSelectElement>('env'),
  mode: element<HTMLSelectElement>('mode'),
  workers: element<HTMLInputElement>('workers'),
  start: element<HTMLButtonElement>('start'),
  pause: element<HTMLButtonElement>('pause'),
  stop: element<HTMLButtonElement>('stop'),
  download: element<HTMLButtonElement>('download'),
  upload: element<HTMLInputElement>('upload'),
  steps: element<HTMLOutputElement>('steps'),
  rate: element<HTMLOutputElement>('rate'),
  episodes: element<HTMLOutputElement>('episodes'),
  reward: element<HTMLOutputElement>('reward'),
  entropy: element<HTMLOutputElement>('entropy'),
  status: element<HTMLDivElement>('status'),
  scene: element<HTMLCanvasElement>('scene'),
  chart: element<HTMLCanvasElement>('chart'),
  log: element<HTMLDivElement>('log'),
};

const status: PageStatus = {
  state: 'loading',
  env: null,
  mode: null,
  workers: 0,
  steps: 0,
  episodes: 0,
  updates: 0,
  reward100: null,
  solved: false,
  seconds: 0,
  stepsPerSecond: null,
  entropy: null,
  crossOriginIsolated: globalThis.crossOriginIsolated === true,
  simd: false,
  backend: '',
  error: null,
  result: null,
};
(window as unknown as { a3c: { status(): PageStatus } }).a3c = { status: () => ({ ...status }) };

function show(state: PageState, text: string): void {
  status.state = state;
  ui.status.dataset.state = state;
  ui.status.textContent = text;
  ui.pause.disabled = state !== 'running' && state !== 'paused';
  ui.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
  ui.stop.disabled = state !== 'running' && state !== 'paused';
  ui.start.disabled = state === 'running' || state === 'paused' || state === 'stopping' || state === 'loading';
}

function fail(err: unknown): void {
  status.error = err instanceof Error ? err.message : String(err);
  show('error', `Stopped: ${status.error}`);
}

function note(text: string): void {
  const p = document.createElement('p');
  p.textContent = text;
  ui.notes.append(p);
}

function log(line: string): void {
  const lines = `${ui.log.textContent ?? ''}${line}\n`.split('\n');
  ui.log.textContent = lines.slice(-LOG_LINES - 1).join('\n');
  ui.log.scrollTop = ui.log.scrollHeight;
}

const fixed = (x: number | null, digits: number) => (x === null ? '-' : x.toFixed(digits));

/** The env the page draws while training: its own copy, played by the newest parameters' greedy policy. */
class ShownEpisode {
  private readonly env: Env;
  private readonly scene: ClassicControlScene | null;
  private seed = 0;
  private policy: ((obs: Float32Array | Float64Array) => Action) | null = null;
  private obs: Float32Array | Float64Array;
  private pendingSteps = 0;
  private lastFrameMs: number | null = null;

  constructor(
    private readonly envId: string,
    private readonly ctx: CanvasRenderingContext2D,
  ) {
    this.env = make(envId);
    this.obs = this.env.reset({ seed: this.seed }).obs as Float32Array;
    let scene: ClassicControlScene | null = null;
    try {
      scene = classicControlScene(envId);
    } catch {
      note(`No renderer for ${envId}: the page draws the classic-control envs only.`);
    }
    this.scene = scene;
  }

  /** Plays the greedy policy of `checkpoint`'s parameters from now on. */
  follow(checkpoint: Checkpoint): void {
    if (checkpoint.netSpec.kind !== 'mlp') return;
    const policy = new PlainMlpPolicy(checkpoint.netSpec as MlpSpec, checkpoint.params.slice(0, this.numParams(checkpoint)));
    const stats = checkpoint.normalization?.obs ?? null;
    const { actionSpace } = this.env;
    this.policy = (obs) => {
      const action = policy.greedyAction(stats === null ? obs : normalizeObs(obs, stats));
      return typeof action === 'number' || actionSpace.kind !== 'box' ? action : actionSpace.clip(action);
    };
  }

  private numParams(checkpoint: Checkpoint): number {
    return checkpoint.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  }

  frame(nowMs: number): void {
    if (this.scene === null) return;
    if (this.policy !== null && this.lastFrameMs !== null) {
      const stepsPerMs = (this.scene.renderFps * RENDER_SPEED) / MS_PER_S;
      this.pendingSteps = Math.min(this.pendingSteps + (nowMs - this.lastFrameMs) * stepsPerMs, MAX_STEPS_PER_FRAME);
      for (; this.pendingSteps >= 1; this.pendingSteps--) {
        const result = this.env.step(this.policy(this.obs));
        this.obs = result.obs as Float32Array;
        if (result.terminated || result.truncated) this.obs = this.env.reset({ seed: ++this.seed }).obs as Float32Array;
      }
    }
    this.lastFrameMs = nowMs;
    drawScene(this.ctx, this.scene, (this.env.unwrapped as StatefulEnv).state);
  }

  get id(): string {
    return this.envId;
  }
}

/** One training run of the page and its readouts. */
class PageRun {
  readonly a3c: A3C;
  private latest: Checkpoint | null = null;
  private entropySum = 0;
  private entropyCount = 0;
  private lastProgress: { steps: number; ms: number } | null = null;

  constructor(
    options: A3COptions,
    private readonly chart: TrainingChart,
    private readonly shown: () => ShownEpisode | null,
  ) {
    this.a3c = new A3C({
      ...options,
      callbacks: {
        onLog: log,
        onUpdate: (update) => {
          this.entropySum += update.entropy;
          this.entropyCount++;
        },
        onProgress: (stats) => {
          const threshold = envSpec(this.a3c.config.env).rewardThreshold;
          const nowMs = performance.now();
          status.steps = stats.envSteps;
          status.episodes = stats.episodes;
          status.updates = stats.updates;
          status.seconds = stats.seconds;
          status.reward100 = stats.episodes > 0 ? stats.meanReward100 : null;
          status.solved = threshold !== null && stats.solved(threshold);
          if (this.lastProgress !== null && status.state === 'running') {
            status.stepsPerSecond = ((stats.envSteps - this.lastProgress.steps) * MS_PER_S) / (nowMs - this.lastProgress.ms);
          }
          this.lastProgress = { steps: stats.envSteps, ms: nowMs };
          const entropy = this.entropyCount > 0 ? this.entropySum / this.entropyCount : null;
          if (entropy !== null) status.entropy = entropy;
          this.entropySum = 0;
          this.entropyCount = 0;
          this.chart.add(stats.envSteps, status.reward100, entropy);
          this.latest = this.a3c.checkpoint();
          this.shown()?.follow(this.latest);
          ui.steps.textContent = stats.envSteps.toLocaleString('en');
          ui.episodes.textContent = stats.episodes.toLocaleString('en');
          ui.reward.textContent = fixed(status.reward100, 1);
          ui.entropy.textContent = fixed(status.entropy, 3);
          ui.rate.textContent = status.stepsPerSecond === null ? '-' : Math.round(status.stepsPerSecond).toLocaleString('en');
          ui.download.disabled = false;
        },
      },
    });
  }

  /** The newest snapshot: the running training's, or the last one taken before it ended. */
  checkpoint(): Checkpoint | null {
    try {
      return this.a3c.checkpoint();
    } catch {
      return this.latest;
    }
  }
}

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const fromQuery = configFromQuery(query, location.href);
  const isolated = status.crossOriginIsolated;
  if (!isolated) {
    note(
      'This page is not cross-origin isolated (it was served without the headers Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp), so the browser gives it no SharedArrayBuffer: training falls back to one ' +
        'worker that gets its parameters by message, and hogwild mode cannot run. Serve the page with `a3c web` or with those headers.',
    );
  }
  const cores = navigator.hardwareConcurrency || 1;
  const requestedWorkers = fromQuery.workers ?? CONFIG_FIELDS.workers.default;
  // Threads for the trainer's tfjs only where the agents leave cores idle.
  const backend = await initWebBackend(Math.max(1, cores - requestedWorkers));
  status.simd = backend.simd;
  status.backend = backend.description;
  if (!backend.simd) note('This browser has no WebAssembly SIMD: tfjs runs its plain wasm kernels, several times slower than with SIMD.');
  log(`trainer backend: ${backend.description}`);

  const host: AgentWorkerHost = {
    sharedMemory: isolated,
    spawn: () => new Worker(new URL('./agent-worker.ts', import.meta.url), { type: 'module' }) as unknown as AgentWorker,
  };
  const chart = new TrainingChart(ui.chart);
  const ctx = ui.scene.getContext('2d');
  if (ctx === null) throw new Error('this browser gives no 2D canvas context');
  let shown: ShownEpisode | null = null;
  let run: PageRun | null = null;

  for (const id of new Set([...CLASSIC_CONTROL, fromQuery.env ?? CONFIG_FIELDS.env.default])) ui.env.add(new Option(id, id));
  for (const mode of MODES) ui.mode.add(new Option(mode, mode));
  ui.env.value = fromQuery.env ?? CONFIG_FIELDS.env.default;
  ui.mode.value = fromQuery.mode ?? CONFIG_FIELDS.mode.default;
  ui.workers.value = String(requestedWorkers);

  const start = (given: Partial<TrainConfig>, resume?: { checkpoint: Checkpoint; name: string }) => {
    const config = { ...given, ...PAGE_CONFIG };
    if (!isolated && (config.workers ?? CONFIG_FIELDS.workers.default) > 1) {
      note(`Asked for ${config.workers ?? CONFIG_FIELDS.workers.default} workers: without cross-origin isolation the page runs 1.`);
      config.workers = 1;
    }
    // A Node checkpoint names its TensorBoard folder; the page writes none.
    const resumed = resume && { ...resume, checkpoint: { ...resume.checkpoint, runDir: null } };
    const current = new PageRun({ ...config, resume: resumed, agentWorkers: host }, chart, () => shown);
    run = current;
    const { env, mode, workers, envModule } = current.a3c.config;
    Object.assign(status, { env, mode, workers, error: null, stepsPerSecond: null, result: null });
    show('running', `Training ${env} in ${mode} mode on ${workers} worker${workers === 1 ? '' : 's'}${resume ? `, continuing ${resume.name}` : ''}…`);
    // An env of a user's module exists here only once the module is imported (learn imports it too, from the cache).
    prepareEnvs(envModule)
      .then(() => {
        if (shown?.id !== env) shown = new ShownEpisode(env, ctx);
        return current.a3c.learn();
      })
      .then((result) => {
        status.solved = result.solved;
        status.result = { stopReason: result.stopReason, steps: result.steps, seconds: result.seconds, startupSeconds: result.startupSeconds, stepsPerSecond: result.stepsPerSecond };
        const how = result.solved ? 'Solved' : `Stopped (${result.stopReason})`;
        show(result.solved ? 'solved' : 'stopped', `${how}: ${result.env} in ${result.seconds.toFixed(0)} s, ${result.steps.toLocaleString('en')} env steps, reward_100 ${fixed(result.meanReward, 1)}.`);
      })
      .catch(fail);
  };

  ui.settings.addEventListener('submit', (event) => {
    event.preventDefault();
    const given = { ...fromQuery, env: ui.env.value, mode: ui.mode.value as TrainConfig['mode'], workers: Number(ui.workers.value) };
    const url = new URL(location.href);
    for (const [key, value] of [['env', given.env], ['mode', given.mode], ['workers', String(given.workers)]]) url.searchParams.set(key, value);
    history.replaceState(null, '', url);
    start(given);
  });
  ui.pause.addEventListener('click', () => {
    if (run === null) return;
    if (status.state === 'paused') {
      run.a3c.unpause();
      show('running', 'Training…');
    } else if (run.a3c.pause()) {
      show('paused', 'Paused: the agents wait. Resume to go on.');
    }
  });
  ui.stop.addEventListener('click', () => {
    if (run === null) return;
    run.a3c.unpause();
    run.a3c.stop();
    show('stopping', 'Stopping after the current update…');
  });
  ui.download.addEventListener('click', () => {
    const checkpoint = run?.checkpoint() ?? null;
    if (checkpoint !== null) downloadCheckpoint(checkpoint);
  });
  ui.upload.addEventListener('change', () => {
    const chosen = [...(ui.upload.files ?? [])];
    ui.upload.value = '';
    if (chosen.length === 0) return;
    readUploadedCheckpoint(chosen)
      .then((resume) => {
        if (run !== null && (status.state === 'running' || status.state === 'paused')) {
          run.a3c.unpause();
          run.a3c.stop();
        }
        // A checkpoint's own step budget is usually spent: the page trains on until solved or stopped, unless the address gives one.
        start({ workers: Number(ui.workers.value), maxSteps: fromQuery.maxSteps ?? null }, resume);
      })
      .catch(fail);
  });
  const frame = (nowMs: number) => {
    shown?.frame(nowMs);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);

  show('ready', 'Pick an env and start, or continue a checkpoint (its .tar, or the files of its folder).');
  if ([...query.keys()].length > 0) start(fromQuery);
}

/** A checkpoint from the chosen files: one .tar (as the page downloads), or a snapshot folder's files. */
async function readUploadedCheckpoint(chosen: File[]): Promise<{ checkpoint: Checkpoint; name: string }> {
  if (chosen.length === 1 && chosen[0].name.endsWith('.tar')) {
    const name = chosen[0].name;
    return { checkpoint: decodeCheckpoint(name, readCheckpointArchive(name, new Uint8Array(await chosen[0].arrayBuffer()))), name };
  }
  const files: CheckpointFiles = {};
  for (const file of chosen) files[file.name] = new Uint8Array(await file.arrayBuffer());
  const name = chosen.map((file) => file.name).join(', ');
  return { checkpoint: decodeCheckpoint(name, files), name };
}

main().catch(fail);
