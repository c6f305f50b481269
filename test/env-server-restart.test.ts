import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { A3C } from '../src/algo/a3c.js';

/** Env server processes started by this test process (agents are threads, so they are our children). */
function ourEnvServers(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'env_server.py'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
}

test('a killed env server is detected and restarted, and training goes on', { timeout: 180_000 }, async () => {
  const logs: string[] = [];
  let killed = 0;
  const a3c = new A3C({
    env: 'gym:CartPole-v1',
    mode: 'data',
    workers: 1,
    envsPerWorker: 2,
    maxSteps: 4000,
    stopReward: 1e9,
    callbacks: {
      onLog: (line) => logs.push(line),
      onEpisodes: (_episodes, stats) => {
        if (killed === 0 && stats.envSteps > 500) {
          const pids = ourEnvServers();
          assert.equal(pids.length, 1, `one env server for one agent, found ${pids.join(', ')}`);
          process.kill(pids[0], 'SIGKILL');
          killed = pids[0];
        }
      },
    },
  });
  const result = await a3c.learn();
  assert.ok(killed > 0, 'the test killed a server');
  assert.equal(result.stopReason, 'max-steps');
  assert.ok(result.steps >= 4000);
  assert.ok(
    logs.some((l) => /^agent 0: .*restarted the env$/.test(l)),
    `a log line reports the restart; got:\n${logs.join('\n')}`,
  );
  // close() asks each server to exit; give them a moment to do so.
  const deadline = Date.now() + 5_000;
  while (ourEnvServers().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(ourEnvServers(), [], 'no server is left running after training');
});
