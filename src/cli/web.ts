import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { commandAction } from './command-action.js';
import { parseInteger } from './options.js';

/** Where `npm run build` (`build:web`: vite, web/train/vite.config.ts) puts the training page: dist/web-train beside dist/src. */
const TRAINING_PAGE_DIR = fileURLToPath(new URL('../../web-train/', import.meta.url));
export const DEFAULT_WEB_PORT = 8088;
const MAX_PORT = 65535;
const DEFAULT_WEB_HOST = '127.0.0.1';

/**
 * The headers that make a page cross-origin isolated, without which browsers give it no
 * SharedArrayBuffer (https://web.dev/articles/coop-coep): any host serving the built page needs them.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
});

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/** The file under `root` that URL path `path` names (index.html for a folder), or null for none or one outside `root`. */
function fileFor(root: string, path: string): string | null {
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  if (!existsSync(file)) return null;
  if (statSync(file).isDirectory()) return existsSync(join(file, 'index.html')) ? join(file, 'index.html') : null;
  return file;
}

export interface WebServerOptions {
  port: number;
  host: string;
  /** A folder served at /files/ (the user's env modules, for `?env-module=/files/my-env.js`); null: none. */
  files: string | null;
}

/**
 * Serves the training page, cross-origin isolated (CROSS_ORIGIN_ISOLATION_HEADERS), on
 * `host:port` (port 0: a free one); resolves with the server and its URL once it listens.
 * @throws Error when the page was not built; the server's error when it cannot listen (a port in use).
 */
export async function serveTrainingPage(options: WebServerOptions): Promise<{ server: Server; url: string }> {
  if (!existsSync(join(TRAINING_PAGE_DIR, 'index.html'))) throw new Error(`the training page is missing from ${TRAINING_PAGE_DIR}: build it with "npm run build:web"`);
  const files = options.files === null ? null : normalize(options.files);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = files !== null && path.startsWith('/files/') ? fileFor(files, path.slice('/files/'.length)) : fileFor(TRAINING_PAGE_DIR, path);
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (file === null) {
      response.writeHead(404, CROSS_ORIGIN_ISOLATION_HEADERS).end();
      return;
    }
    response.writeHead(200, { ...CROSS_ORIGIN_ISOLATION_HEADERS, 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}/` };
}

/** `a3c web`: serves the training page until interrupted. */
export function registerWebCommand(program: Command): void {
  program
    .command('web')
    .description('serve the page that trains A3C in the browser (agents in Web Workers), cross-origin isolated; its address takes train\'s flags: /?env=CartPole-v1&mode=data&workers=2')
    .option('--port <n>', 'port to listen on', parseInteger, DEFAULT_WEB_PORT)
    .option('--host <address>', 'address to listen on', DEFAULT_WEB_HOST)
    .option('--files <dir>', 'also serve this folder at /files/ (an env module for ?env-module=/files/my-env.js%23myEnv)')
    .option('--verbose', 'print stack traces of errors')
    .action(
      commandAction(async (opts: { port: number; host: string; files?: string }) => {
        if (!(opts.port >= 0 && opts.port <= MAX_PORT)) throw new Error(`--port must be 0 (a free port) to ${MAX_PORT}, got ${opts.port}`);
        const { url } = await serveTrainingPage({ port: opts.port, host: opts.host, files: opts.files ?? null });
        process.stderr.write(`training page at ${url}?env=CartPole-v1&mode=data&workers=2 (Ctrl-C to stop)\n`);
      }),
    );
}
