import type { Command } from 'commander';
import { RedisAgentPool } from '../parallel/redis-agent-pool.js';
import { parseRedisUrl } from '../parallel/redis-url.js';
import { RUN_NAME_PATTERN } from '../parallel/run-name.js';
import { commandAction } from './command-action.js';
import { parseInteger } from './options.js';

interface AgentFlags {
  transport: string;
  run: string;
  workers: number;
}

/**
 * `a3c agent`: this host's agents for a run over Redis. They wait for the run's trainer, build
 * themselves from its settings, and leave when the run ends (exit 0) or on Ctrl-C / SIGTERM; a
 * trainer that dies is waited for, and a restarted one joined.
 */
async function agent(flags: AgentFlags): Promise<void> {
  if (!Number.isInteger(flags.workers) || flags.workers < 1) throw new Error(`--workers must be a positive integer, got ${flags.workers}`);
  if (!RUN_NAME_PATTERN.test(flags.run)) throw new Error(`--run must be 1 to 64 letters, digits, ".", "_" or "-", got "${flags.run}"`);
  const target = parseRedisUrl(flags.transport, process.env.A3C_REDIS_PASSWORD);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const pool = new RedisAgentPool({ target, run: flags.run, agents: flags.workers, agentModule: new URL('../algo/agent/redis-agent-thread.js', import.meta.url), onLog: log });
  const leave = () => {
    log(`leaving run ${flags.run}`);
    void pool.leave();
  };
  process.once('SIGINT', leave);
  process.once('SIGTERM', leave);
  try {
    const descriptions = await pool.start().catch(async (error: unknown) => {
      await pool.leave();
      throw error;
    });
    if (descriptions.length > 0) log(`${descriptions.length} agent(s) of run ${flags.run} at ${target.display} running: ${[...new Set(descriptions)].join(' | ')}`);
    const runEnded = await pool.done;
    log(runEnded ? `run ${flags.run} ended; the agents left` : `the agents left run ${flags.run}`);
  } finally {
    process.off('SIGINT', leave);
    process.off('SIGTERM', leave);
  }
}

/** Registers `a3c agent`. */
export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('join a training run over Redis as agents (the trainer: a3c train --transport URL --run NAME)')
    .requiredOption('--transport <url>', "the run's Redis: redis://[[USER]:PASSWORD@]HOST:PORT/DB (or the password in A3C_REDIS_PASSWORD)")
    .requiredOption('--run <name>', 'the run to join')
    .option('--workers <n>', 'agent threads on this host', parseInteger, 1)
    .option('--verbose', 'print stack traces of errors')
    .action(commandAction(agent));
}
