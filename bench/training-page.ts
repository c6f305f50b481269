/**
 * The training page in headless Chromium, for the browser tests and the `web` bench suite:
 * `a3c web` as a child process, Chromium launched with the flags this offline box needs, and the
 * page's `window.a3c.status()` (web/train/main.ts) read and waited on.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { spawnCli, type CliChild } from './cli-child.js';

/** Debian's Chromium (apt-get install -y chromium), which playwright-core drives without a download of its own. */
export const CHROMIUM = '/usr/bin/chromium';
/** No internet here: without the background-networking flags Chromium floods refused connections. */
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Why the browser runs cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium)`;
}

/** What the page's `window.a3c.status()` returns (web/train/main.ts), as far as its readers read it. */
export interface PageStatus {
  state: string;
  env: string | null;
  mode: string | null;
  workers: number;
  steps: number;
  episodes: number;
  reward100: number | null;
  solved: boolean;
  /** Seconds since the run started. */
  seconds: number;
  stepsPerSecond: number | null;
  crossOriginIsolated: boolean;
  error: string | null;
  /** The finished run's figures (A3C.learn's result); null before it ends. */
  result: { stopReason: string; steps: number; seconds: number; startupSeconds: number; stepsPerSecond: number } | null;
}

/** The page's status; the function runs in the page, whose global is its window. */
export function pageStatus(page: Page): Promise<PageStatus> {
  return page.evaluate(() => (globalThis as unknown as { a3c: { status(): PageStatus } }).a3c.status());
}

/**
 * Waits until the page's status `s` satisfies the JavaScript expression `done`, polled twice a second.
 * @throws Error with the page's message when it shows an error; playwright's TimeoutError after `timeoutMs`.
 */
export async function waitForStatus(page: Page, done: string, timeoutMs: number): Promise<PageStatus> {
  await page.waitForFunction(`(() => { const s = globalThis.a3c?.status(); return s !== undefined && (s.state === 'error' || (${done})); })()`, undefined, { timeout: timeoutMs, polling: 500 });
  const s = await pageStatus(page);
  if (s.error !== null) throw new Error(`the page failed: ${s.error}`);
  return s;
}

/**
 * Starts `a3c web --port 0 [args]`; resolves with the page's address (ending in /) once it listens,
 * and the child, for the caller to kill.
 * @throws Error with its last lines when it exits first.
 */
export async function startWebCommand(args: string[] = []): Promise<{ url: string; web: CliChild }> {
  let found: (url: string) => void;
  const listening = new Promise<string>((resolve) => (found = resolve));
  const web = spawnCli([], ['web', '--port', '0', ...args], (line) => {
    const url = /training page at (http:\/\/\S+?\/)\?/.exec(line)?.[1];
    if (url !== undefined) found(url);
  });
  const exited = web.closed.then(({ code, signal }) => {
    throw new Error(`a3c web exited with ${signal ?? `code ${code}`}: ${web.tail()}`);
  });
  return { url: await Promise.race([listening, exited]), web };
}

/** Headless Chromium (CHROMIUM), for the caller to close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Collects the page's uncaught errors and console errors, as they come. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  return errors;
}
