/**
 * The exported policy page: plays the checkpoint's greedy policy (a Gaussian's mean clipped into
 * the action space, for Box actions) in the project's own env code, drawn like Gymnasium, with
 * observations normalised as in training when the checkpoint normalised them. Query parameters: `seed` (of the first episode, default 0) and `speed`
 * (multiple of the env's render fps, default 1).
 */
import { make } from '../src/envs/registry.js';
import type { Action, Obs } from '../src/envs/core.js';
import type { Space } from '../src/envs/spaces.js';
import { normalizeObs } from '../src/envs/vec-normalize.js';
import { POLICY_PAGE_FILES, readPagePolicy, type PolicyPageInfo } from '../src/io/policy-page.js';
import { classicControlScene } from '../src/io/render/render-frame.js';
import type { PlainMlpPolicy } from '../src/nn/plain-mlp.js';
import { Episode } from './episode.js';
import { ArrowKeys, keyActionsFor } from './keyboard.js';
import { drawScene } from './scene-canvas.js';

const DEFAULT_SEED = 0;
const DEFAULT_SPEED = 1;
/** After a stall (a hidden tab), catch up at most this many steps in one frame rather than racing. */
const MAX_STEPS_PER_FRAME = 100;
const MS_PER_S = 1000;

type PageState = 'loading' | 'playing' | 'done' | 'error';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

const ui = {
  env: element<HTMLSpanElement>('env'),
  trained: element<HTMLParagraphElement>('trained'),
  canvas: element<HTMLCanvasElement>('scene'),
  reward: element<HTMLOutputElement>('reward'),
  steps: element<HTMLOutputElement>('steps'),
  status: element<HTMLDivElement>('status'),
  controls: element<HTMLFormElement>('controls'),
  seed: element<HTMLInputElement>('seed'),
  manual: element<HTMLInputElement>('manual'),
  help: element<HTMLParagraphElement>('help'),
};

function showStatus(state: PageState, text: string): void {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function queryNumber(query: URLSearchParams, name: string, fallback: number, valid: (n: number) => boolean, expected: string): number {
  const text = query.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !valid(n)) throw new Error(`?${name}=${text} in the address: expected ${expected}`);
  return n;
}

async function fetchFile(name: string): Promise<Response> {
  const response = await fetch(name);
  if (!response.ok) throw new Error(`cannot load ${name}: HTTP ${response.status}`);
  return response;
}

function formatReward(reward: number): string {
  return Number.isInteger(reward) ? String(reward) : reward.toFixed(2);
}

async function main(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const isSeed = (n: number) => Number.isSafeInteger(n) && n >= 0;
  const firstSeed = queryNumber(query, 'seed', DEFAULT_SEED, isSeed, 'a non-negative integer');
  const speed = queryNumber(query, 'speed', DEFAULT_SPEED, (n) => Number.isFinite(n) && n > 0, 'a positive number');

  const [info, model, weights] = await Promise.all([
    fetchFile(POLICY_PAGE_FILES.info).then((r) => r.json() as Promise<PolicyPageInfo>),
    fetchFile(POLICY_PAGE_FILES.model).then((r) => r.json() as Promise<unknown>),
    fetchFile(POLICY_PAGE_FILES.weights).then((r) => r.arrayBuffer()),
  ]);
  const policy = readPagePolicy(model, weights);
  const scene = classicControlScene(info.env);
  const env = make(info.env);
  checkPolicyFits(policy, env.observationSpace.shape, env.actionSpace, info.env);
  const stats = info.obsNormalization ?? null;
  const { actionSpace } = env;
  const greedy = (obs: Obs): Action => {
    const action = policy.greedyAction(stats === null ? obs : normalizeObs(obs, stats));
    return typeof action === 'number' || actionSpace.kind !== 'box' ? action : actionSpace.clip(action);
  };
  const keyActions = keyActionsFor(info.env);

  document.title = `${info.env} · a3c-ts policy`;
  ui.env.textContent = info.env;
  ui.trained.textContent = `Greedy policy of a checkpoint trained for ${info.trainedEnvSteps.toLocaleString('en')} env steps, running in your browser on the project's own env code.`;
  ui.help.textContent = keyActions === null ? 'No keyboard controls for this env.' : `Play it yourself: ${keyActions.help}.`;
  ui.manual.disabled = keyActions === null;
  const pixelRatio = window.devicePixelRatio || 1;
  ui.canvas.width = Math.round(scene.widthPx * pixelRatio);
  ui.canvas.height = Math.round(scene.heightPx * pixelRatio);
  ui.canvas.style.width = `${scene.widthPx}px`;
  const ctx = ui.canvas.getContext('2d');
  if (ctx === null) throw new Error('this browser gives no 2D canvas context');

  const keys = keyActions === null ? null : new ArrowKeys(keyActions);
  const onKey = (down: boolean) => (event: KeyboardEvent) => {
    if (keys?.handle(event.key, down) && ui.manual.checked) event.preventDefault();
  };
  window.addEventListener('keydown', onKey(true));
  window.addEventListener('keyup', onKey(false));

  let episode = new Episode(env, firstSeed);
  let pendingSteps = 0;
  ui.seed.value = String(firstSeed);
  ui.controls.addEventListener('submit', (event) => {
    event.preventDefault();
    const seed = Number(ui.seed.value);
    if (!isSeed(seed)) {
      ui.seed.reportValidity();
      return;
    }
    episode = new Episode(env, seed);
    policy.resetState();
    pendingSteps = 0;
    const url = new URL(location.href);
    url.searchParams.set('seed', String(seed));
    history.replaceState(null, '', url);
  });

  const stepsPerMs = (scene.renderFps * speed) / MS_PER_S;
  let lastFrameMs: number | null = null;
  const frame = (nowMs: number) => {
    try {
      advance(nowMs);
      requestAnimationFrame(frame);
    } catch (err) {
      showStatus('error', `Stopped: ${(err as Error).message}`);
    }
  };
  const advance = (nowMs: number) => {
    if (lastFrameMs !== null && !episode.done) {
      pendingSteps = Math.min(pendingSteps + (nowMs - lastFrameMs) * stepsPerMs, MAX_STEPS_PER_FRAME);
      for (; pendingSteps >= 1 && !episode.done; pendingSteps--) {
        const manual = keys !== null && ui.manual.checked;
        episode.step(manual ? keys.action() : greedy(episode.observation));
      }
    }
    lastFrameMs = nowMs;
    drawScene(ctx, scene, episode.state);
    ui.reward.textContent = formatReward(episode.reward);
    ui.steps.textContent = String(episode.steps);
    ui.status.dataset.seed = String(episode.seed);
    if (episode.done) {
      showStatus('done', `Episode over (seed ${episode.seed}). Pick a seed and restart.`);
    } else {
      showStatus('playing', ui.manual.checked ? 'You are playing.' : 'The policy is playing.');
    }
  };
  requestAnimationFrame(frame);
}

function checkPolicyFits(policy: PlainMlpPolicy, obsShape: readonly number[], actionSpace: Space, envId: string): void {
  const { obsSize, numActions, gaussian } = policy.spec;
  const policyActions = gaussian === undefined ? `${numActions} actions` : `Box actions of ${numActions}`;
  const envActions = actionSpace.kind === 'discrete' ? `${actionSpace.n} actions` : `Box actions of ${actionSpace.size}`;
  if (obsShape.length !== 1 || obsShape[0] !== obsSize || envActions !== policyActions) {
    throw new Error(`the policy takes ${obsSize} observations to ${policyActions}; ${envId} has observations [${obsShape.join(', ')}] and ${envActions}`);
  }
}

main().catch((err: unknown) => showStatus('error', `Cannot play: ${(err as Error).message}`));
