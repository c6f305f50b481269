import type { Command } from 'commander';
import type { StatefulEnv } from '../envs/core.js';
import type { GymEnv } from '../envs/gym-bridge/gym-env.js';
import { ATARI_FAMILY } from '../envs/atari/index.js';
import { prepareEnvs } from '../envs/prepare-envs.js';
import { checkpointConfig } from '../algo/training/checkpoint-config.js';
import { playCheckpoint } from '../algo/training/play.js';
import { loadCheckpoint } from '../io/checkpoint.js';
import { GifRecorder } from '../io/render/gif-recorder.js';
import { classicControlScene, renderFrame } from '../io/render/render-frame.js';
import { initBackend } from '../nn/kernels/backend.js';
import { commandAction } from './command-action.js';
import { parseInteger, prepareOutputFile } from './options.js';

interface PlayFlags {
  checkpoint: string;
  episodes: number;
  seed: number;
  stochastic?: boolean;
  record?: string;
  json?: boolean;
}

const DEFAULT_EPISODES = 1;
const DEFAULT_SEED = 0;

/** `a3c play`: watch a checkpoint's policy, as numbers or as an animated GIF. */
export function registerPlayCommand(program: Command): void {
  program
    .command('play')
    .description("play a checkpoint's policy, print each episode's reward and optionally record the episodes as a GIF")
    .requiredOption('--checkpoint <path>', 'checkpoint folder, snapshot, or .tar the browser page downloaded')
    .option('--episodes <n>', 'episodes to play', parseInteger, DEFAULT_EPISODES)
    .option('--seed <n>', 'seed of the first episode (episode e resets with seed + e)', parseInteger, DEFAULT_SEED)
    .option('--stochastic', 'sample actions instead of taking the most probable one')
    .option('--record <file.gif>', 'write the episodes as an animated GIF (classic control drawn as Gymnasium does; Atari from the emulator\'s RGB frames)')
    .option('--json', 'print one JSON summary line on stdout')
    .option('--verbose', 'print stack traces of errors')
    .action(commandAction(play));
}

async function play(flags: PlayFlags): Promise<void> {
  const checkpoint = loadCheckpoint(flags.checkpoint);
  const config = checkpointConfig(checkpoint, flags.checkpoint);
  const envId = config.env;
  const isAtari = ATARI_FAMILY.matches(envId);
  await prepareEnvs(config.envModule);
  if (flags.record !== undefined) prepareOutputFile('--record', flags.record, '.gif');
  const recording = flags.record === undefined ? null : { path: flags.record, recorder: null as GifRecorder | null };
  await initBackend({});
  // The GIF shows the emulator's RGB screens, which only the python backend keeps.
  const atariBackend = isAtari && recording !== null ? 'python' : undefined;
  if (atariBackend !== undefined && config.atariBackend !== atariBackend) {
    process.stderr.write(`play: recording ${envId} on --atari-backend python (the run trained on ${config.atariBackend}), which keeps the emulator's RGB screens\n`);
  }
  const result = playCheckpoint(checkpoint, {
    episodes: flags.episodes,
    seed: flags.seed,
    stochastic: flags.stochastic,
    atariBackend,
    onEnv:
      recording === null
        ? undefined
        : (env) => {
            if (isAtari) {
              const screen = (env.unwrapped as GymEnv).renderRgb();
              recording.recorder ??= new GifRecorder(screen.width, screen.height, ATARI_GIF_FPS);
              recording.recorder.addFrame(rgbaOf(screen.rgb));
            } else {
              recording.recorder ??= gifRecorderFor(envId);
              recording.recorder.addFrame(renderFrame(envId, (env.unwrapped as StatefulEnv).state));
            }
          },
  }, flags.checkpoint);
  if (recording?.recorder) await recording.recorder.save(recording.path);

  if (flags.json) {
    const summary = {
      env: result.env,
      episodes: result.episodes,
      mean_reward: result.meanReward,
      rewards: result.rewards,
      lengths: result.lengths,
      gif: recording?.path ?? null,
      gif_frames: recording?.recorder?.frameCount ?? 0,
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  result.rewards.forEach((reward, i) => process.stdout.write(`episode ${i + 1}: reward ${reward} length ${result.lengths[i]}\n`));
  process.stdout.write(`${result.env}: mean reward ${result.meanReward.toFixed(2)} over ${result.episodes} episodes\n`);
  if (recording?.recorder) {
    const { frameCount, fps } = recording.recorder;
    process.stdout.write(`recorded ${frameCount} frames (${(frameCount / fps).toFixed(1)} s at ${fps} fps) to ${recording.path}\n`);
  }
}

/** ALE runs at 60 frames a second and an agent step skips 4 of them (MaxAndSkip). */
const ATARI_GIF_FPS = 15;

function rgbaOf(rgb: Uint8Array): Uint8Array {
  const rgba = new Uint8Array((rgb.length / 3) * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    rgba[j] = rgb[i];
    rgba[j + 1] = rgb[i + 1];
    rgba[j + 2] = rgb[i + 2];
    rgba[j + 3] = 255;
  }
  return rgba;
}

/** Frames as Gymnasium's render_mode="rgb_array" draws them, at its render fps; throws for envs that cannot be drawn. */
function gifRecorderFor(envId: string): GifRecorder {
  const scene = classicControlScene(envId);
  return new GifRecorder(scene.widthPx, scene.heightPx, scene.renderFps);
}
