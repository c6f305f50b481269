import { test } from 'node:test';
import assert from 'node:assert/strict';
import { A3C } from '../src/algo/a3c.js';
import type { ModeName } from '../src/algo/config/config.js';

for (const mode of ['data', 'grad'] as ModeName[]) {
  test(`${mode} mode: a crashed agent thread is reported and replaced, and training goes on`, async () => {
    const logs: string[] = [];
    let crashed = false;
    const a3c = new A3C({
      mode,
      workers: 2,
      maxSteps: 60_000,
      stopReward: 1e9,
      callbacks: {
        onLog: (line) => logs.push(line),
        onEpisodes: (_episodes, stats) => {
          if (!crashed && stats.envSteps > 10_000) {
            crashed = true;
            void a3c.crashAgent(0);
          }
        },
      },
    });
    const result = await a3c.learn();
    assert.ok(crashed);
    assert.equal(result.stopReason, 'max-steps');
    assert.ok(result.steps >= 60_000);
    assert.ok(logs.some((l) => /^agent 0 crashed \(.+\); starting a replacement$/.test(l)), logs.join('\n'));
    assert.equal(await a3c.crashAgent(0), false, 'no agents after learn()');
  });
}
