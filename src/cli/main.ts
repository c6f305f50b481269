#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Command, Option } from 'commander';
import { A3C } from '../algo/a3c.js';
import { CONFIG_FIELDS, ENV_DEFAULTS, PRESETS, flagName, type Field, type TrainConfig } from '../algo/config/config.js';
import { MODE_DEFAULTS } from '../algo/training/resolve-config.js';
import { evaluateCheckpoint } from '../algo/training/evaluate.js';
import { initBackend } from '../nn/kernels/backend.js';
import { registerAgentCommand } from './agent.js';
import { commandAction } from './command-action.js';
import { learnerFallbackHint, registerDoctorCommand } from './doctor.js';
import { registerExportCommand } from './export.js';
import { readRunSecret } from '../parallel/run-secret.js';
import { argParser, parseInteger, redisTlsFiles } from './options.js';
import { registerPlayCommand } from './play.js';
import { registerPlotCommand } from './plot.js';
import { createProgress } from './progress.js';
import { registerWebCommand } from './web.js';

/**
 * `train`'s flags: one per config field, as its table declares it, then those that are not config
 * keys. A switch (a true-or-false key) takes an optional value, so that a bare `--flag` is true
 * and leaves the next flag alone, and has a `--no-flag` for false.
 */
function addTrainFlags(cmd: Command): Command {
  for (const [key, field] of Object.entries<Field<unknown>>(CONFIG_FIELDS)) {
    const flag = `--${flagName(key)}`;
    const option = new Option(`${flag} ${field.arg}`, `${field.help}${defaultNote(key, field.default)}`);
    if (field.kind.choices) option.choices(field.kind.choices);
    else if (field.kind.parse) option.argParser(argParser(field.kind.parse));
    cmd.addOption(option);
    if (field.kind.isSwitch) cmd.addOption(new Option(`--no-${flag.slice(2)}`, `the same as ${flag} false`));
  }
  return cmd
    .option('--resume <checkpoint>', 'continue a checkpoint: network, optimiser, counters, reward history, TensorBoard run')
    .option('--config <file>', 'JSON file of config keys (camelCase, as in TrainConfig); flags override it')
    .option('--run-secret-file <file>', "with --transport: file holding the run's secret, which signs init and parameters and checks agents' messages (default: A3C_RUN_SECRET; never saved)")
    .option('--json', 'print one JSON summary line on stdout at the end')
    .option('--verbose', 'print stack traces of errors');
}

/** The reference default shown in help, then each env's, mode's and preset's own where it differs. */
function defaultNote(key: string, value: unknown): string {
  if (value === null) return '';
  const perEnv = [
    ...Object.entries(ENV_DEFAULTS),
    ...Object.entries(MODE_DEFAULTS).map(([mode, d]) => [`--mode ${mode}`, d] as const),
    ...Object.entries(PRESETS).map(([preset, d]) => [`--preset ${preset}`, d] as const),
  ].flatMap(([name, defaults]) => {
    const own: unknown = (defaults as Record<string, unknown>)[key];
    return own === undefined || own === value ? [] : [`; ${name}: ${String(own)}`];
  });
  return ` (default ${String(value)}${perEnv.join('')})`;
}

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
  for (const key of Object.keys(CONFIG_FIELDS)) if (opts[key] !== undefined) (fromFlags as Record<string, unknown>)[key] = opts[key];
  if ((fromFlags.transport ?? fromFile.transport)?.startsWith('rediss://')) Object.assign(fromFlags, redisTlsFiles({ ...fromFile, ...fromFlags }));
  const progress = { current: null as ReturnType<typeof createProgress> | null };
  const a3c = new A3C({
    ...fromFile,
    ...fromFlags,
    resume: opts.resume as string | undefined,
    redisPassword: process.env.A3C_REDIS_PASSWORD,
    runSecret: readRunSecret(opts.runSecretFile as string | undefined, process.env.A3C_RUN_SECRET) ?? undefined,
    callbacks: {
      onProgress: (stats) => progress.current?.update(stats),
      onLog: (line) => {
        progress.current?.stop();
        process.stderr.write(`${line}\n`);
        progress.current = createProgress(`${a3c.config.env} ${a3c.config.mode}`);
      },
    },
  });
  // Ctrl-C, and what `docker stop`, systemd, `timeout` and a closed terminal send, all save first.
  const stopSignals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let interrupts = 0;
  const onSigint = (signal: NodeJS.Signals) => {
    if (++interrupts > 1) process.exit(128 + os.constants.signals[signal]);
    process.stderr.write(`\nstopping (${signal}): finishing the current update and saving the checkpoint (Ctrl-C again to quit now)\n`);
    a3c.stop();
  };
  for (const signal of stopSignals) process.on(signal, onSigint);
  try {
    const hint = learnerFallbackHint();
    if (hint !== null) process.stderr.write(`${hint}\n`);
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
      eval_reward: result.evalReward === null ? null : Number(result.evalReward.toFixed(2)),
      steps_per_s: Math.round(result.stepsPerSecond),
      checkpoint: result.checkpoint,
      backend: result.backend,
    };
    const reward = summary.mean_reward === null ? '-' : summary.mean_reward;
    process.stderr.write(
      `${result.solved ? 'solved' : `stopped (${result.stopReason})`}: ${result.env} ${result.mode} in ${summary.seconds}s, ` +
        `${result.steps} steps, ${result.episodes} episodes, reward_100 ${reward}` +
        `${summary.eval_reward === null ? '' : `, eval_reward ${summary.eval_reward}`}, ${summary.steps_per_s} steps/s` +
        `${result.checkpoint ? `, checkpoint ${result.checkpoint}` : ''}${result.runDir ? `, logs ${result.runDir}` : ''}\n`,
    );
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    progress.current?.stop();
    for (const signal of stopSignals) process.off(signal, onSigint);
  }
}

async function evaluate(opts: { checkpoint: string; episodes: number; seed: number; stochastic?: boolean; json?: boolean }): Promise<void> {
  await initBackend({});
  const result = await evaluateCheckpoint(opts.checkpoint, { episodes: opts.episodes, seed: opts.seed, stochastic: opts.stochastic });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ mean_reward: result.meanReward, episodes: result.episodes })}\n`);
  } else {
    result.rewards.forEach((r, i) => process.stdout.write(`episode ${i + 1}: reward ${r} length ${result.lengths[i]}\n`));
    process.stdout.write(`${result.env}: mean reward ${result.meanReward.toFixed(2)} over ${result.episodes} episodes\n`);
  }
}

const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);
const program = new Command('a3c')
  .description('Asynchronous Advantage Actor-Critic for TypeScript')
  .version((JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version);
addTrainFlags(program.command('train').description('train an agent (CartPole-v1 with A3C by default)')).action(commandAction(train));
program
  .command('eval')
  .description("play a checkpoint's policy and report its mean reward")
  .requiredOption('--checkpoint <path>', 'checkpoint folder, snapshot, or .tar the browser page downloaded')
  .option('--episodes <n>', 'episodes to play', parseInteger, 10)
  .option('--seed <n>', 'seed of the first episode', parseInteger, 0)
  .option('--stochastic', 'sample actions instead of taking the most probable one')
  .option('--json', 'print {"mean_reward","episodes"} on stdout')
  .option('--verbose', 'print stack traces of errors')
  .action(commandAction(evaluate));
registerPlayCommand(program);
registerExportCommand(program);
registerPlotCommand(program);
registerAgentCommand(program);
registerDoctorCommand(program);
registerWebCommand(program);
await program.parseAsync();
