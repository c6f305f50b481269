import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { registerAtariEnvs } from '../envs/atari/index.js';
import { envSpec } from '../envs/registry.js';
import { plotRewardCurves } from '../io/plot.js';
import { loadRunRewards } from '../io/run-rewards.js';
import { RUN_CONFIG_FILE } from '../algo/training/run-folder.js';
import { commandAction } from './command-action.js';
import { parseNumber, prepareOutputFile } from './options.js';

interface PlotFlags {
  out: string;
  solvedBound?: number;
  title?: string;
  x: 'steps' | 'minutes';
}

/** The env's solved bound, when every run folder names the same env and it has a threshold. */
function commonSolvedBound(runDirs: string[]): number | undefined {
  const envs = new Set<string>();
  for (const dir of runDirs) {
    const path = join(dir, RUN_CONFIG_FILE);
    if (!existsSync(path)) return undefined;
    envs.add((JSON.parse(readFileSync(path, 'utf8')) as { env: string }).env);
  }
  if (envs.size !== 1) return undefined;
  registerAtariEnvs();
  return envSpec([...envs][0]).rewardThreshold ?? undefined;
}

export function registerPlotCommand(program: Command): void {
  program
    .command('plot')
    .description('draw reward_100 (and the raw episode rewards, faded) against env steps or minutes for run folders of --logdir')
    .argument('<runDirs...>', 'run folders (each holds metrics.csv or a TensorBoard event file)')
    .requiredOption('--out <png>', 'PNG file to write')
    .option('--solved-bound <x>', "dashed line at this reward (default: the env's threshold when all runs share an env)", parseNumber)
    .option('--title <text>', 'chart title')
    .addOption(new Option('--x <axis>', 'horizontal axis: env steps, or minutes of wall time from the first episode').choices(['steps', 'minutes']).default('steps'))
    .option('--verbose', 'print stack traces of errors')
    .action((runDirs: string[], flags: PlotFlags) =>
      commandAction(async (opts: PlotFlags) => {
        const runs = runDirs.map((dir) => loadRunRewards(dir));
        const solvedBound = opts.solvedBound ?? commonSolvedBound(runDirs);
        prepareOutputFile('--out', opts.out, '.png');
        await plotRewardCurves(runs, { out: opts.out, solvedBound, title: opts.title, x: opts.x });
        process.stdout.write(`wrote ${opts.out} (${runs.map((r) => `${r.name}: ${r.rewards.length} episodes`).join(', ')})\n`);
      })(flags),
    );
}
