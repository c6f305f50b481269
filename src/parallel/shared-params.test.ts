import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { SharedParams } from './shared-params.js';

test('publish then read round-trips values and counts versions', () => {
  const shared = SharedParams.create(3);
  assert.equal(shared.version, 0);
  assert.equal(shared.publish(Float32Array.of(1, 2, 3)), 1);
  const out = new Float32Array(3);
  assert.equal(shared.read(out), 1);
  assert.deepEqual(Array.from(out), [1, 2, 3]);
  assert.throws(() => shared.publish(new Float32Array(2)), /got 2 parameters, the buffer holds 3/);
});

test('a reader in another thread never sees a torn update', async () => {
  const size = 100_000;
  const shared = SharedParams.create(size);
  shared.publish(new Float32Array(size));
  // The reader runs SharedParams.read in another thread and checks every snapshot holds one value.
  const reader = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(workerData.moduleUrl).then(({ SharedParams }) => {
       const shared = SharedParams.attach(workerData.buffer);
       const out = new Float32Array(shared.numParams);
       let torn = 0, reads = 0;
       const until = Date.now() + 300;
       while (Date.now() < until) {
         shared.read(out);
         reads++;
         if (out[0] !== out[out.length - 1]) torn++;
       }
       parentPort.postMessage({ torn, reads });
     });`,
    { eval: true, workerData: { buffer: shared.buffer, moduleUrl: new URL('./shared-params.js', import.meta.url).href } },
  );
  const done = new Promise<{ torn: number; reads: number }>((resolve) => reader.once('message', resolve));
  const values = new Float32Array(size);
  const until = Date.now() + 300;
  for (let v = 1; Date.now() < until; v++) shared.publish(values.fill(v));
  const { torn, reads } = await done;
  assert.ok(reads > 0);
  assert.equal(torn, 0);
});
