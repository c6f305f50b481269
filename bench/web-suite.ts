/**
 * The training page against Node for the same command: CartPole-v1 in data mode on 2 workers for
 * a fixed wall time, `a3c train ... --json` in Node and the page served by `a3c web` in headless
 * Chromium with the same flags in its address, in alternating order (Node first, then the page
 * first, ...) so that drift in the machine's load falls on both arms. Both report A3C.learn's env
 * steps/s: counted from the end of start-up (threads or Web Workers, envs, backends), within a
 * `--max-seconds` that includes it.
 */
import { loadavg } from 'node:os';
import { trainChild } from './cli-child.js';
import { formatTable, type Cell } from './table.js';
import { chromiumMissing, launchChromium, startWebCommand, waitForStatus } from './training-page.js';
import { round } from './training-runs.js';

export interface WebSuiteOptions {
  pairs: number;
  /** Wall time of each run, start-up included (`--max-seconds`). */
  seconds: number;
}

export interface WebArm {
  envStepsPerS: number;
  envSteps: number;
  /** Start-up in the run's wall time; for Node, from its summary: seconds - steps / (steps/s). */
  startupSeconds: number;
  /** The 1-minute load average as the run ended. */
  load: number;
}

export interface WebPair {
  node: WebArm;
  page: WebArm;
  /** page / node env steps/s. */
  ratio: number;
}

export interface WebReport {
  env: string;
  mode: string;
  workers: number;
  seconds: number;
  pairs: WebPair[];
  medianNodeStepsPerS: number;
  medianPageStepsPerS: number;
  /** Median over pairs of page / node (a paired comparison: each pair shares the machine's load of its moment). */
  medianRatio: number;
  /** What Chromium's page runs on, e.g. its version. */
  browser: string;
}

const ENV = 'CartPole-v1';
const MODE = 'data';
const WORKERS = 2;
/** Never reached: every run goes the full wall time instead of stopping when solved. */
const UNREACHABLE_REWARD = '1e9';
/** Beyond the run's own wall time: the page's start (bundle, wasm) and its last update. */
const PAGE_SLACK_MS = 180_000;

/** The flags both arms run with, as `a3c train` takes them and as the page's address does. */
function flags(seconds: number): [string, string][] {
  return [['env', ENV], ['mode', MODE], ['workers', String(WORKERS)], ['max-seconds', String(seconds)], ['stop-reward', UNREACHABLE_REWARD]];
}

async function nodeArm(seconds: number, log: (line: string) => void): Promise<WebArm> {
  const summary = await trainChild(['train', ...flags(seconds).flatMap(([name, value]) => [`--${name}`, value]), '--json'], log);
  if (summary.steps_per_s <= 0) throw new Error(`a3c train reported ${summary.steps_per_s} env steps/s`);
  return { envStepsPerS: summary.steps_per_s, envSteps: summary.steps, startupSeconds: round(summary.seconds - summary.steps / summary.steps_per_s, 2), load: round(loadavg()[0], 2) };
}

/** A fresh Chromium per run, closed after it, so that none idles through the Node arm; its figures and the browser's name. */
async function pageArm(url: string, seconds: number): Promise<{ figures: WebArm; browser: string }> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}?${new URLSearchParams(flags(seconds))}`);
    const done = await waitForStatus(page, "s.state === 'stopped'", seconds * 1000 + PAGE_SLACK_MS);
    const result = done.result;
    if (result === null || result.stopReason !== 'max-seconds') throw new Error(`the page stopped by ${result?.stopReason ?? 'nothing'}, expected max-seconds`);
    if (done.workers !== WORKERS || !done.crossOriginIsolated) throw new Error(`the page ran ${done.workers} workers, cross-origin isolated: ${done.crossOriginIsolated}`);
    const figures = { envStepsPerS: Math.round(result.stepsPerSecond), envSteps: result.steps, startupSeconds: round(result.startupSeconds, 2), load: round(loadavg()[0], 2) };
    return { figures, browser: `Chromium ${browser.version()}` };
  } finally {
    await browser.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** @throws Error when Chromium is missing, a run fails, or the page does not run as asked (WORKERS, cross-origin isolated). */
export async function runWebSuite(options: WebSuiteOptions, log: (line: string) => void): Promise<WebReport> {
  const missing = chromiumMissing();
  if (missing !== null) throw new Error(`the web suite needs headless Chromium: ${missing}`);
  const { url, web } = await startWebCommand();
  let browser = '';
  const pairs: WebPair[] = [];
  try {
    for (let i = 0; i < options.pairs; i++) {
      const page = async () => {
        const run = await pageArm(url, options.seconds);
        browser = run.browser;
        return run.figures;
      };
      let nodeFigures: WebArm;
      let pageFigures: WebArm;
      if (i % 2 === 0) {
        nodeFigures = await nodeArm(options.seconds, log);
        pageFigures = await page();
      } else {
        pageFigures = await page();
        nodeFigures = await nodeArm(options.seconds, log);
      }
      const ratio = round(pageFigures.envStepsPerS / nodeFigures.envStepsPerS, 3);
      pairs.push({ node: nodeFigures, page: pageFigures, ratio });
      log(`web pair ${i + 1}/${options.pairs}: Node ${nodeFigures.envStepsPerS} env steps/s, page ${pageFigures.envStepsPerS} env steps/s, page/Node ${ratio}`);
    }
  } finally {
    web.child.kill();
  }
  return {
    env: ENV,
    mode: MODE,
    workers: WORKERS,
    seconds: options.seconds,
    pairs,
    medianNodeStepsPerS: Math.round(median(pairs.map((p) => p.node.envStepsPerS))),
    medianPageStepsPerS: Math.round(median(pairs.map((p) => p.page.envStepsPerS))),
    medianRatio: round(median(pairs.map((p) => p.ratio)), 3),
    browser,
  };
}

export function webTables(report: WebReport, cpuModel: string): string[] {
  const rows: Cell[][] = report.pairs.map((p, i) => [i + 1, p.node.envStepsPerS, p.page.envStepsPerS, p.ratio, p.node.startupSeconds, p.page.startupSeconds, `${p.node.load} / ${p.page.load}`]);
  rows.push(['median', report.medianNodeStepsPerS, report.medianPageStepsPerS, report.medianRatio, null, null, '']);
  return [
    formatTable(
      `${report.env} ${report.mode} mode, ${report.workers} workers, ${report.seconds} s per run: the page (${report.browser}) against Node, on ${cpuModel}`,
      ['pair', 'Node env steps/s', 'page env steps/s', 'page/Node', 'Node start-up s', 'page start-up s', 'load Node / page'],
      rows,
    ),
  ];
}
