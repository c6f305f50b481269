/**
 * A private `redis-server` for tests: bound to 127.0.0.1 on a free port, no persistence,
 * optionally with a password; tests skip where Debian's redis-server is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** Why Redis tests cannot run here, or null when they can. */
export function redisSkipReason(): string | null {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return probe.error === undefined && probe.status === 0 ? null : 'redis-server is not installed (apt-get install redis-server); Redis transport tests skipped';
}

/** A port that was free a moment ago (redis-server cannot pick its own: it has no --port 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** PEM files for a TLS-only server (`--port 0 --tls-port PORT`), which asks clients for a certificate signed by `ca`. */
export interface TestRedisTls {
  cert: string;
  key: string;
  ca: string;
}

export interface TestRedis {
  port: number;
  /** redis://[:PASSWORD@]127.0.0.1:PORT/0, rediss:// with TLS */
  url: string;
  /** Ends the server (SIGKILL: as a crash would). */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
}

async function launch(port: number, password: string | undefined, tls: TestRedisTls | undefined): Promise<ChildProcess> {
  const listen = tls === undefined ? ['--port', String(port)] : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.cert, '--tls-key-file', tls.key, '--tls-ca-cert-file', tls.ca];
  const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'];
  if (password !== undefined) args.push('--requirepass', password);
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server on port ${port} did not start in 15 s:\n${output}`)), 15_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    });
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

/**
 * Why this redis-server cannot serve TLS (built without it), or null when it can: a server
 * started with a TLS option it does not know exits at once with "Bad directive".
 */
export function redisTlsSkipReason(): string | null {
  const skip = redisSkipReason();
  if (skip !== null) return skip;
  const probe = spawnSync('redis-server', ['--port', '0', '--tls-port', '0'], { encoding: 'utf8', timeout: 10_000 });
  return /Bad directive/i.test(`${probe.stdout}${probe.stderr}`)
    ? 'this redis-server was built without TLS (BUILD_TLS=yes; Debian\'s has it); TLS tests skipped'
    : null;
}

/** Starts a server (retrying on another port if the one picked was taken meanwhile). */
export async function startRedis(password?: string, tls?: TestRedisTls): Promise<TestRedis> {
  let port = await freePort();
  let child: ChildProcess;
  for (let attempt = 0; ; attempt++) {
    try {
      child = await launch(port, password, tls);
      break;
    } catch (error) {
      if (attempt === 2) throw error;
      port = await freePort();
    }
  }
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    port,
    url: `${tls === undefined ? 'redis' : 'rediss'}://${password === undefined ? '' : `:${password}@`}127.0.0.1:${port}/0`,
    kill,
    async restart() {
      await kill();
      child = await launch(port, password, tls);
    },
  };
}
