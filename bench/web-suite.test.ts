import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webTables, type WebReport } from './web-suite.js';

test('the web table gives each pair, the medians and page/Node, with the CPU and the browser', () => {
  const arm = (envStepsPerS: number, load: number) => ({ envStepsPerS, envSteps: envStepsPerS * 20, startupSeconds: 1.5, load });
  const report: WebReport = {
    env: 'CartPole-v1',
    mode: 'data',
    workers: 2,
    seconds: 20,
    pairs: [
      { node: arm(40_000, 9), page: arm(24_000, 9.5), ratio: 0.6 },
      { node: arm(42_000, 10), page: arm(33_600, 10.5), ratio: 0.8 },
    ],
    medianNodeStepsPerS: 41_000,
    medianPageStepsPerS: 28_800,
    medianRatio: 0.7,
    browser: 'Chromium 156',
  };
  const [table] = webTables(report, 'AMD EPYC');
  const lines = table.split('\n');
  assert.equal(lines[0], 'CartPole-v1 data mode, 2 workers, 20 s per run: the page (Chromium 156) against Node, on AMD EPYC');
  assert.match(lines[3], /^1 +40,000 +24,000 +0\.6 +1\.5 +1\.5 +9 \/ 9\.5/);
  assert.match(lines.at(-1)!, /^median +41,000 +28,800 +0\.7 /);
});
