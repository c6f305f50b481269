#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { A3C } from '../algo/a3c.js';
import { MODES, REFERENCE_DEFAULTS, type TrainConfig } from '../algo/config.js';
import { evaluateCheckpoint } from '../algo/evaluate.js';
import { initBackend } from '../nn/kernels/backend.js';
import { commandAction } from './command-action.js';
import { registerExportCommand } from './export.js';
import { parseInteger, parseIntegerList, parseNumber } from './options.js';
import { registerPlayCommand } from './play.js';
import { registerPlotCommand } from './plot.js';
import { createProgress } from './progress.js';

const D = REFERENCE_DEFAULTS;

/** Flags of `train`, by config key; defaults shown are the reference's, before per-env defaults. */
function addTrainFlags(cmd: Command): Command {
  return cmd
    .option('--env <id>', `Gymnasium env id (default ${D.env})`)
    .addOption(new Option('--mode <mode>', `data: agents send transitions; grad: agents send gradients; a2c: synchronous (default ${D.mode})`).choices(MODES as unknown as string[]))
    .option('--workers <n>', `agent threads (default ${D.workers}; per-env defaults may differ)`, parseInteger)
    .option('--envs-per-worker <n>', `env copies per agent (default ${D.envsPerWorker})`, parseInteger)
    .option('--seed <n>', `run seed (default ${D.seed})`, parseInteger)
    .option('--gamma <x>', `discount (default ${D.gamma})`, parseNumber)
    .option('--lr <x>', `Adam learning rate (default ${D.lr})`, parseNumber)
    .option('--adam-eps <x>', `Adam epsilon (default ${D.adamEps})`, parseNumber)
    .option('--ent-coef <x>', `entropy bonus (default ${D.entCoef})`, parseNumber)
    .option('--n-steps <n>', `n-step return length (default ${D.nSteps})`, parseInteger)
    .option('--max-grad-norm <x>', `gradient clipping by global norm (default ${D.maxGradNorm})`, parseNumber)
    .option('--micro-batch <n>', `data mode: transitions per agent message (default ${D.microBatch})`, parseInteger)
    .option('--batch-size <n>', `data/a2c: transitions per update (default ${D.batchSize})`, parseInteger)
    .option('--grad-batch <n>', `grad mode: transitions per agent gradient (default ${D.gradBatch})`, parseInteger)
    .option('--train-batch <n>', `grad mode: gradients summed per update (default ${D.trainBatch})`, parseInteger)
    .option('--hidden <sizes>', `MLP hidden sizes, comma-separated (default ${D.hidden.join(',')})`, parseIntegerList)
    .option('--stop-reward <x>', 'stop when the mean reward of 100 episodes reaches this (default: the env threshold)', parseNumber)
    .option('--max-steps <n>', 'stop after this many env steps', parseInteger)
    .option('--max-seconds <x>', 'stop after this many seconds', parseNumber)
    .option('--checkpoint <dir>', 'checkpoint folder: snapshots step-<N>/ and a "latest" pointer; the final one is always saved')
    .option('--save-every <steps>', 'also save a checkpoint every this many env steps', parseInteger)
    .option('--keep-checkpoints <n>', `snapshots kept in the checkpoint folder (default ${D.keepCheckpoints})`, parseInteger)
    .option('--resume <checkpoint>', 'continue a checkpoint: network, optimiser, counters, reward history, TensorBoard run')
    .option('--logdir <dir>', 'write TensorBoard event files and metrics.csv to a run folder in this folder')
    .option('--config <file>', 'JSON file of config keys (camelCase, as in TrainConfig); flags override it')
    .option('--json', 'print one JSON summary line on stdout at the end')
    .option('--verbose', 'print stack traces of errors');
}

const CONFIG_KEYS: (keyof TrainConfig)[] = [
  'env', 'mode', 'workers', 'envsPerWorker', 'seed', 'gamma', 'lr', 'adamEps', 'entCoef', 'nSteps', 'maxGradNorm',
  'microBatch', 'batchSize', 'gradBatch', 'trainBatch', 'hidden', 'stopReward', 'maxSteps', 'maxSeconds', 'checkpoint',
  'saveEvery', 'keepCheckpoints', 'logdir',
];

function readConfigFile(path: string): Partial<TrainConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new Error(`config file ${path}: cannot be read`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('expected a JSON object');
    return parsed as Partial<TrainConfig>;
  } catch (err) {
    throw new Error(`config file ${path}: ${(err as Error).message}`);
  }
}

async function train(opts: Record<string, unknown>): Promise<void> {
  const fromFile = typeof opts.config === 'string' ? readConfigFile(opts.config) : {};
  const fromFlags: Partial<TrainConfig> = {};
  for (const key of CONFIG_KEYS) if (opts[key] !== undefined) (fromFlags as Record<string, unknown>)[key] = opts[key];
  const progress = { current: null as ReturnType<typeof createProgress> | null };
  const a3c = new A3C({
    ...fromFile,
    ...fromFlags,
    resume: opts.resume as string | undefined,
    callbacks: {
      onProgress: (stats) => progress.current?.update(stats),
      onLog: (line) => {
        progress.current?.stop();
        process.stderr.write(`${line}\n`);
        progress.current = createProgress(`${a3c.config.env} ${a3c.config.mode}`);
      },
    },
  });
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    process.stderr.write('\nstopping: finishing the current update and saving the checkpoint (Ctrl-C again to quit now)\n');
    a3c.stop();
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await a3c.learn();
    progress.current?.stop();
    const summary = {
      env: result.env,
      mode: result.mode,
      solved: result.solved,
      steps: result.steps,
      episodes: result.episodes,
      seconds: Number(result.seconds.toFixed(2)),
      mean_reward: result.meanReward === null ? null : Number(result.meanReward.toFixed(2)),
      steps_per_s: Math.round(result.stepsPerSecond),
      checkpoint: result.checkpoint,
    };
    const reward = summary.mean_reward === null ? '-' : summary.mean_reward;
    process.stderr.write(
      `${result.solved ? 'solved' : `stopped (${result.stopReason})`}: ${result.env} ${result.mode} in ${summary.seconds}s, ` +
        `${result.steps} steps, ${result.episodes} episodes, reward_100 ${reward}, ${summary.steps_per_s} steps/s` +
        `${result.checkpoint ? `, checkpoint ${result.checkpoint}` : ''}${result.runDir ? `, logs ${result.runDir}` : ''}\n`,
    );
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    progress.current?.stop();
    process.off('SIGINT', onSigint);
  }
}

async function evaluate(opts: { checkpoint: string; episodes: number; seed: number; stochastic?: boolean; json?: boolean }): Promise<void> {
  await initBackend({});
  const result = evaluateCheckpoint(opts.checkpoint, { episodes: opts.episodes, seed: opts.seed, stochastic: opts.stochastic });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ mean_reward: result.meanReward, episodes: result.episodes })}\n`);
  } else {
    result.rewards.forEach((r, i) => process.stdout.write(`episode ${i + 1}: reward ${r} length ${result.lengths[i]}\n`));
    process.stdout.write(`${result.env}: mean reward ${result.meanReward.toFixed(2)} over ${result.episodes} episodes\n`);
  }
}

const program = new Command('a3c').description('Asynchronous Advantage Actor-Critic for TypeScript');
addTrainFlags(program.command('train').description('train an agent (CartPole-v1 with A3C by default)')).action(commandAction(train));
program
  .command('eval')
  .description("play a checkpoint's policy and report its mean reward")
  .requiredOption('--checkpoint <dir>', 'checkpoint folder')
  .option('--episodes <n>', 'episodes to play', parseInteger, 10)
  .option('--seed <n>', 'seed of the first episode', parseInteger, 0)
  .option('--stochastic', 'sample actions instead of taking the most probable one')
  .option('--json', 'print {"mean_reward","episodes"} on stdout')
  .option('--verbose', 'print stack traces of errors')
  .action(commandAction(evaluate));
registerPlayCommand(program);
registerExportCommand(program);
registerPlotCommand(program);
await program.parseAsync();
