import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from './backend.js';
import { oneDnnStatus } from './onednn-kernels.js';

const BACKEND_MODULE = fileURLToPath(new URL('./backend.js', import.meta.url));
const KERNELS_MODULE = fileURLToPath(new URL('./wasm-kernels.js', import.meta.url));
/** How the description starts: it names the native path when the oneDNN addon loads (A3C_NATIVE unset). */
const PATH_PREFIX = oneDnnStatus().addon === null ? 'wasm' : 'native oneDNN kernels on wasm';
/** dist/src/nn/kernels/ -> the repository root, where node_modules resolves. */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('initBackend', () => {
  it('selects wasm by default with our kernels, and switches to cpu and back', async () => {
    const wasm = await initBackend();
    assert.equal(tf.getBackend(), 'wasm');
    // Native kernels, where built, are listed after ours.
    assert.ok(wasm.startsWith(`${PATH_PREFIX} (XNNPACK SIMD, 1 thread; our kernels: BatchMatMul, Conv2DBackpropInput, Conv2DBackpropFilter`), wasm);
    assert.equal(wasm.includes('(oneDNN)'), PATH_PREFIX !== 'wasm');
    assert.equal(await initBackend({ backend: 'cpu' }), 'cpu (pure JS, 1 thread)');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal(await initBackend({ backend: 'wasm', threads: 1 }), wasm);
  });

  it('says what was wrong with bad arguments', async () => {
    await assert.rejects(initBackend({ threads: 0 }), /threads must be a positive integer; got 0/);
    await assert.rejects(initBackend({ backend: 'cpu', threads: 2 }), /cpu backend is single-threaded/);
    await assert.rejects(initBackend({ backend: 'gpu' as 'cpu' }), /unknown backend "gpu"/);
    await initBackend();
    await assert.rejects(initBackend({ threads: 2 }), /already runs 1 thread\(s\)/);
  });

  it('runs the threaded wasm build with 2 threads, giving the single-threaded results, and exits', () => {
    // A fresh process: the thread count is fixed once the wasm backend exists. Our BatchMatMul
    // (put back on top of any native kernels) runs on the stock XNNPACK matMul, so on its threads.
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import { initBackend } from ${JSON.stringify(BACKEND_MODULE)};
      import { registerWasmKernels } from ${JSON.stringify(KERNELS_MODULE)};
      const a = Array.from({ length: 64 * 96 }, (_, i) => Math.sin(i));
      const b = Array.from({ length: 80 * 96 }, (_, i) => Math.cos(i));
      const run = () => {
        const product = tf.matMul(tf.tensor2d(a, [64, 96]), tf.tensor2d(b, [80, 96]), false, true);
        const values = Array.from(product.dataSync());
        tf.dispose(product);
        return values;
      };
      const description = await initBackend({ threads: 2 });
      registerWasmKernels();
      const threaded = run();
      await initBackend({ backend: 'cpu' });
      console.log(JSON.stringify({ description, threaded, cpu: run() }));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    assert.equal(child.status, 0, child.stderr);
    const { description, threaded, cpu } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { description: string; threaded: number[]; cpu: number[] };
    assert.ok(description.startsWith(`${PATH_PREFIX} (XNNPACK threaded SIMD, 2 threads;`), description);
    assert.equal(threaded.length, 64 * 80);
    threaded.forEach((v, i) => assert.ok(Math.abs(v - cpu[i]) < 1e-4, `output ${i}: ${v} vs ${cpu[i]}`));
  });
});
