/**
 * The `a3c` CLI as a child process of a benchmark suite: its stderr line by line, the last lines
 * kept to explain a failure, its stdout kept for a `--json` summary, and the progress lines read.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/** Lines of the child's stderr kept to explain a failure. */
const STDERR_TAIL_LINES = 20;
/** Plain progress lines (every 10 s) passed on by `trainChild` at most this often. */
const PROGRESS_EVERY_MS = 60_000;

export interface CliChild {
  child: ChildProcess;
  /** Everything the child wrote to stdout so far. */
  stdout(): string;
  /** The last lines of its stderr, joined. */
  tail(): string;
  /** Settles when it has exited: its code or the signal that ended it; rejects when it could not start. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node [nodeArgs] cli/main.js [cliArgs]`, calling `onLine` with each whole line of its
 * stderr.
 */
export function spawnCli(nodeArgs: string[], cliArgs: string[], onLine: (line: string) => void): CliChild {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...cliArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let partial = '';
  const tail: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      tail.push(line);
      if (tail.length > STDERR_TAIL_LINES) tail.shift();
      onLine(line);
    }
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, tail: () => [...tail, partial].join('\n'), closed };
}

/** The seconds and env steps of a plain progress line, "<env> <mode> <seconds>s steps <n> ..." (src/cli/progress.ts); null for other lines. */
export function progressOf(line: string): { seconds: number; envSteps: number } | null {
  const match = / (\d+)s steps (\d+) /.exec(line);
  return match === null ? null : { seconds: Number(match[1]), envSteps: Number(match[2]) };
}

/** The `a3c train --json` summary line of the training child. */
export interface TrainSummary {
  env: string;
  mode: string;
  solved: boolean;
  steps: number;
  episodes: number;
  seconds: number;
  mean_reward: number | null;
  eval_reward: number | null;
  steps_per_s: number;
  checkpoint: string | null;
  backend: string;
}

/** The last line of a child's stdout, parsed as the `--json` summary it prints; null when there is none. */
function jsonSummary<T>(stdout: string): T | null {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return line === '' ? null : (JSON.parse(line) as T);
}

/**
 * Runs `a3c train` with `args` (which include `--json`), passing its stderr on (progress lines at
 * most once a minute); resolves to its summary. Ctrl-C in the terminal reaches the child too,
 * which saves and stops; the suite then reports the run so far.
 * @throws Error with the child's last lines when it fails.
 */
export async function trainChild(args: string[], log: (line: string) => void): Promise<TrainSummary> {
  let lastProgressMs = -Infinity;
  const run = spawnCli([], args, (line) => {
    const progress = progressOf(line) !== null;
    if (progress && performance.now() - lastProgressMs < PROGRESS_EVERY_MS) return;
    if (progress) lastProgressMs = performance.now();
    log(line);
  });
  const onSigint = () => log('waiting for the training to save and stop, then reporting the run so far');
  process.on('SIGINT', onSigint);
  try {
    const { code, signal } = await run.closed;
    const summary = jsonSummary<TrainSummary>(run.stdout());
    if (code !== 0 || summary === null) throw new Error(`a3c train exited with ${signal ?? `code ${code}`}; its last lines:\n${run.tail()}`);
    return summary;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * `a3c eval --json` of `checkpoint`: its mean reward over `episodes` greedy episodes.
 * @throws Error with the child's last lines when it fails.
 */
export async function evalChild(checkpoint: string, episodes: number): Promise<number> {
  const run = spawnCli([], ['eval', '--checkpoint', checkpoint, '--episodes', String(episodes), '--json'], () => {});
  const { code } = await run.closed;
  const summary = jsonSummary<{ mean_reward: number }>(run.stdout());
  if (code !== 0 || summary === null) throw new Error(`a3c eval --checkpoint ${checkpoint} exited with code ${code}: ${run.tail()}`);
  return summary.mean_reward;
}
