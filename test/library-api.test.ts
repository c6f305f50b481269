import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

test("the package's main entry exports the training API and the envs", async () => {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { main: string };
  const api = await import(new URL(`../../${pkg.main}`, import.meta.url).href);
  for (const name of ['A3C', 'make', 'makeVectorEnv', 'Box', 'Discrete', 'resolveConfig', 'evaluateCheckpoint', 'loadCheckpoint', 'initBackend']) {
    assert.ok(name in api, `exports ${name}`);
  }
  const env = api.make('CartPole-v1');
  assert.equal(env.reset({ seed: 1 }).obs.length, 4);
  assert.throws(() => new api.A3C({ mode: 'fast' }), /unknown mode "fast"; expected one of data, grad, a2c, hogwild/);
});
