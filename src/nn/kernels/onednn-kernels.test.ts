import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../../utils/rng.js';
import {
  consistentPadEnd,
  ONEDNN_KERNEL_NAMES,
  oneDnnStatus,
  registerOneDnnKernels,
  runOneDnnKernel,
  unregisterOneDnnKernels,
  type OneDnnAddon,
} from './onednn-kernels.js';

/** float32 sums of a few thousand products agree to about this fraction of their largest value. */
const RELATIVE_TOLERANCE = 1e-4;
/** Central-difference step and tolerance for float32 losses of order 1. */
const FD_STEP = 1e-2;
const FD_TOLERANCE = 2e-2;
const FD_SAMPLES_PER_PARAM = 4;

const status = oneDnnStatus();
const skip = status.addon === null ? `oneDNN addon unavailable: ${status.reason}` : false;

test('consistentPadEnd keeps pads oneDNN accepts and widens them for ceil rounding', () => {
  // 84 -> 20 with filter 8, stride 4, no pads: already consistent.
  assert.equal(consistentPadEnd(84, 8, 4, 0, 0, 20), 0);
  // 10 with filter 3, stride 2, pad 1 rounded up to 6 outputs needs an end pad of 2.
  assert.equal(consistentPadEnd(10, 3, 2, 1, 1, 6), 2);
});

type Shapes = Record<string, number[]>;
type Values = Record<string, Float32Array>;

function randomValues(shapes: Shapes, seed: number): Values {
  const rng = new Rng(seed);
  const values: Values = {};
  for (const [name, shape] of Object.entries(shapes)) {
    values[name] = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => rng.normal());
  }
  return values;
}

/** Runs `compute` on `backend` with `values` as tensors and returns its output. */
async function onBackend(
  backend: 'cpu' | 'wasm',
  shapes: Shapes,
  values: Values,
  compute: (inputs: Record<string, tf.Tensor>) => tf.Tensor,
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const inputs: Record<string, tf.Tensor> = {};
    for (const [name, shape] of Object.entries(shapes)) inputs[name] = tf.tensor(values[name], shape);
    const output = compute(inputs);
    return { shape: output.shape, values: output.dataSync() as Float32Array };
  });
}

function assertClose(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= RELATIVE_TOLERANCE * scale)) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (scale ${scale})`);
    }
  }
}

/** The oneDNN kernel on wasm against tfjs's cpu kernel on the same inputs and attributes. */
async function checkKernel(addon: OneDnnAddon, kernelName: string, shapes: Shapes, attrs: tf.NamedAttrMap, seed: number) {
  const values = randomValues(shapes, seed);
  const expected = await onBackend('cpu', shapes, values, (inputs) => tf.engine().runKernel(kernelName, inputs, attrs) as tf.Tensor);
  const actual = await onBackend('wasm', shapes, values, (inputs) => runOneDnnKernel(kernelName, inputs, attrs, addon));
  const what = `${kernelName} ${JSON.stringify(shapes)} ${JSON.stringify(attrs)}`;
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  assertClose(actual.values, expected.values, what);
}

/** Lapan's Atari convolutions (batch 2) plus padding, dilation and layout variants. */
const CONVOLUTIONS: Array<{ x: number[]; filter: number[]; strides: number | [number, number]; pad: tf.NamedAttrMap['pad']; dilations?: number; dimRoundingMode?: string; dataFormat?: 'NHWC' | 'NCHW' }> = [
  { x: [2, 84, 84, 4], filter: [8, 8, 4, 32], strides: 4, pad: 'valid' },
  { x: [2, 20, 20, 32], filter: [4, 4, 32, 64], strides: 2, pad: 'valid' },
  { x: [2, 9, 9, 64], filter: [3, 3, 64, 64], strides: 1, pad: 'valid' },
  { x: [2, 11, 13, 3], filter: [3, 3, 3, 5], strides: [2, 1], pad: 'same' },
  { x: [1, 10, 10, 2], filter: [3, 3, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
  { x: [1, 9, 8, 2], filter: [3, 2, 2, 4], strides: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]] },
  { x: [2, 12, 12, 3], filter: [3, 3, 3, 4], strides: 1, pad: 'valid', dilations: 2 },
  { x: [2, 3, 10, 10], filter: [3, 3, 3, 4], strides: 2, pad: 'valid', dataFormat: 'NCHW' },
];

function convAttrs(c: (typeof CONVOLUTIONS)[number]): tf.NamedAttrMap {
  return { strides: c.strides, pad: c.pad, dataFormat: c.dataFormat ?? 'NHWC', dilations: c.dilations ?? 1, dimRoundingMode: c.dimRoundingMode } as tf.NamedAttrMap;
}

function convOutShape(c: (typeof CONVOLUTIONS)[number]): number[] {
  const attrs = convAttrs(c);
  return tf.backend_util.computeConv2DInfo(
    c.x as [number, number, number, number],
    c.filter as [number, number, number, number],
    c.strides,
    c.dilations ?? 1,
    c.pad as 'valid',
    c.dimRoundingMode as 'ceil' | undefined,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat as 'NHWC'),
  ).outShape;
}

describe('oneDNN kernels against the cpu backend', { skip }, () => {
  const addon = status.addon as OneDnnAddon;

  test('a kernel output that grows the wasm heap is written through views taken after the growth', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
    const heapBytes = backend.wasm.HEAPU8.buffer.byteLength;
    // An outer product a [n, 1] x b [1, n] whose output alone exceeds the current heap.
    const n = Math.ceil(Math.sqrt(heapBytes / Float32Array.BYTES_PER_ELEMENT)) + 1;
    const a = Float32Array.from({ length: n }, (_, i) => (i % 7) + 1);
    const b = Float32Array.from({ length: n }, (_, j) => (j % 5) - 2.5);
    const c = tf.tidy(() => runOneDnnKernel('BatchMatMul', { a: tf.tensor2d(a, [n, 1]), b: tf.tensor2d(b, [1, n]) }, {}, addon));
    assert.ok(backend.wasm.HEAPU8.buffer.byteLength > heapBytes, 'the heap grew');
    const values = c.dataSync();
    c.dispose();
    for (const [i, j] of [[0, 0], [n - 1, n - 1], [n >> 1, 3], [5, n - 2]]) {
      assert.equal(values[i * n + j], a[i] * b[j], `c[${i}, ${j}]`);
    }
  });

  test('the addon refuses arrays whose lengths do not match the shape', () => {
    const shape = { batchA: 1, batchB: 1, m: 2, n: 3, k: 4, transposeA: false, transposeB: false };
    const [a, b] = [new Float32Array(8), new Float32Array(12)];
    assert.throws(() => addon.matMul(a, b, null, new Float32Array(5), shape, false), /c has 5 elements; the shape needs 6/);
    assert.throws(() => addon.matMul(a, b, new Float32Array(2), new Float32Array(6), shape, false), /bias has 2 elements/);
    assert.throws(() => addon.matMul(a, new Float64Array(12) as unknown as Float32Array, null, new Float32Array(6), shape, false), /b must be a Float32Array/);
  });

  test('the thread count is per JavaScript thread and starts at 1', async () => {
    assert.equal(addon.numThreads(), 1);
    addon.setNumThreads(2);
    try {
      assert.equal(addon.numThreads(), 2);
      const moduleUrl = new URL('./onednn-kernels.js', import.meta.url).href;
      const worker = new Worker(
        `import(${JSON.stringify(moduleUrl)}).then((m) => require('node:worker_threads').parentPort.postMessage(m.loadOneDnn().numThreads()));`,
        { eval: true },
      );
      const [workerThreads] = await once(worker, 'message');
      await worker.terminate();
      assert.equal(workerThreads, 1, 'a worker thread loads its own instance');
    } finally {
      addon.setNumThreads(1);
    }
  });

  test('Conv2D', async () => {
    for (const [i, c] of CONVOLUTIONS.entries()) {
      await checkKernel(addon, 'Conv2D', { x: c.x, filter: c.filter }, convAttrs(c), i);
    }
  });

  test('FusedConv2D with bias and ReLU', async () => {
    for (const activation of ['linear', 'relu']) {
      const c = CONVOLUTIONS[1];
      const attrs = { ...convAttrs(c), activation };
      await checkKernel(addon, 'FusedConv2D', { x: c.x, filter: c.filter, bias: [c.filter[3]] }, attrs, 100);
    }
  });

  test('Conv2DBackpropInput', async () => {
    for (const [i, c] of CONVOLUTIONS.entries()) {
      if (c.dilations !== undefined) continue; // tfjs's gradients support no dilation
      const attrs = { ...convAttrs(c), inputShape: c.x };
      await checkKernel(addon, 'Conv2DBackpropInput', { dy: convOutShape(c), filter: c.filter }, attrs, 200 + i);
    }
  });

  test('Conv2DBackpropFilter', async () => {
    for (const [i, c] of CONVOLUTIONS.entries()) {
      if (c.dilations !== undefined) continue;
      const attrs = { ...convAttrs(c), filterShape: c.filter };
      await checkKernel(addon, 'Conv2DBackpropFilter', { x: c.x, dy: convOutShape(c) }, attrs, 300 + i);
    }
  });

  test('BatchMatMul with every transpose and batch broadcast', async () => {
    const [m, k, n] = [5, 7, 3];
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const a = transposeA ? [k, m] : [m, k];
        const b = transposeB ? [n, k] : [k, n];
        const attrs = { transposeA, transposeB };
        await checkKernel(addon, 'BatchMatMul', { a, b }, attrs, 400);
        await checkKernel(addon, 'BatchMatMul', { a: [2, 3, ...a], b: [2, 3, ...b] }, attrs, 401);
        await checkKernel(addon, 'BatchMatMul', { a: [4, ...a], b }, attrs, 402);
        await checkKernel(addon, 'BatchMatMul', { a, b: [4, ...b] }, attrs, 403);
      }
    }
  });

  test('_FusedMatMul with bias and ReLU (the Atari dense layer)', async () => {
    for (const activation of ['linear', 'relu']) {
      for (const transposeB of [false, true]) {
        const attrs = { transposeA: false, transposeB, activation };
        const b = transposeB ? [512, 3136] : [3136, 512];
        await checkKernel(addon, '_FusedMatMul', { a: [4, 3136], b, bias: [512] }, attrs, 500);
      }
    }
  });

  test('Sum over leading axes (bias gradients)', async () => {
    const cases: Array<[number[], number | number[], boolean]> = [
      [[4, 20, 20, 32], [0, 1, 2], false],
      [[4, 20, 20, 32], [-4, -3, -2], true],
      [[3000, 5], 0, false],
      [[2, 3, 4], [0, 1, 2], false],
    ];
    for (const [i, [shape, axis, keepDims]] of cases.entries()) {
      await checkKernel(addon, 'Sum', { x: shape }, { axis, keepDims }, 450 + i);
    }
  });

  test('unsupported arguments are refused, not computed wrongly', async () => {
    await tf.setBackend('wasm');
    tf.tidy(() => {
      const x = tf.ones([1, 6, 6, 2]);
      const filter = tf.ones([3, 3, 2, 2]);
      const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1, activation: 'elu' };
      assert.throws(() => runOneDnnKernel('FusedConv2D', { x, filter }, attrs, addon), /activation "elu"/);
      assert.throws(() => runOneDnnKernel('Conv2D', { x: x.toInt(), filter: filter.toInt() }, attrs, addon), /dtype int32/);
      assert.throws(() => runOneDnnKernel('Sum', { x }, { axis: [1, 2], keepDims: false }, addon), /not leading/);
    });
  });
});

describe('oneDNN kernels registered on the wasm backend', { skip }, () => {
  before(async () => {
    await tf.setBackend('wasm');
  });

  test('registering replaces the wasm kernels and unregistering restores them', () => {
    const stock = tf.getKernel('Conv2D', 'wasm');
    assert.equal(registerOneDnnKernels(), true);
    assert.notEqual(tf.getKernel('Conv2D', 'wasm'), stock);
    for (const name of ONEDNN_KERNEL_NAMES) assert.ok(tf.getKernel(name, 'wasm') !== undefined, name);
    unregisterOneDnnKernels();
    assert.equal(tf.getKernel('Conv2D', 'wasm'), stock);
    assert.equal(tf.getKernel('Conv2DBackpropFilter', 'wasm'), undefined, 'tfjs-backend-wasm has none of its own');
  });

  test('registering again wraps a kernel registered over ours, and unregistering restores that one', () => {
    const stock = tf.getKernel('Conv2D', 'wasm') as tf.KernelConfig;
    const other: tf.KernelConfig = { ...stock };
    registerOneDnnKernels();
    tf.unregisterKernel('Conv2D', 'wasm');
    tf.registerKernel(other);
    registerOneDnnKernels();
    assert.notEqual(tf.getKernel('Conv2D', 'wasm'), other);
    unregisterOneDnnKernels();
    assert.equal(tf.getKernel('Conv2D', 'wasm'), other);
    tf.unregisterKernel('Conv2D', 'wasm');
    tf.registerKernel(stock);
  });

  test('activations the addon lacks fall back to the wasm kernel', async () => {
    const shapes = { x: [1, 7, 7, 2], filter: [3, 3, 2, 3], bias: [3] };
    const values = randomValues(shapes, 600);
    const conv = (t: Record<string, tf.Tensor>) =>
      tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter: t.filter as tf.Tensor4D, bias: t.bias, strides: 1, pad: 'valid', activation: 'relu6' });
    const expected = await onBackend('cpu', shapes, values, conv);
    await tf.setBackend('wasm');
    registerOneDnnKernels();
    try {
      assertClose((await onBackend('wasm', shapes, values, conv)).values, expected.values, 'FusedConv2D relu6');
    } finally {
      unregisterOneDnnKernels();
    }
  });

  /** A small net shaped like the Atari one: two ReLU-free (smooth) convolutions and a dense head. */
  const NET_SHAPES: Shapes = {
    x: [3, 12, 12, 2],
    conv1: [4, 4, 2, 5],
    bias1: [5],
    conv2: [3, 3, 5, 4],
    dense: [4 * 3 * 3, 2],
    denseBias: [2],
  };

  function netLoss(t: Record<string, tf.Tensor>): tf.Scalar {
    const h1 = tf.tanh(tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter: t.conv1 as tf.Tensor4D, bias: t.bias1, strides: 2, pad: 'valid' }));
    const h2 = tf.tanh(tf.conv2d(h1, t.conv2 as tf.Tensor4D, 1, 'valid'));
    const flat = tf.reshape(h2, [h2.shape[0], -1]) as tf.Tensor2D;
    const out = tf.fused.matMul({ a: flat, b: t.dense as tf.Tensor2D, bias: t.denseBias });
    return tf.mean(tf.square(tf.sub(out, 0.5)));
  }

  const PARAMS = ['conv1', 'bias1', 'conv2', 'dense', 'denseBias'];

  function netGradients(t: Record<string, tf.Tensor>): tf.Tensor[] {
    const params = PARAMS.map((name) => t[name]);
    return tf.grads((...p: tf.Tensor[]) => netLoss({ ...t, ...Object.fromEntries(PARAMS.map((name, i) => [name, p[i]])) }))(params);
  }

  test('gradients of a conv+dense loss match the cpu backend and finite differences', async () => {
    const values = randomValues(NET_SHAPES, 700);
    const cpu = await gradientsOn('cpu', values);
    await tf.setBackend('wasm');
    registerOneDnnKernels();
    try {
      const native = await gradientsOn('wasm', values);
      for (const [i, name] of PARAMS.entries()) assertClose(native[i], cpu[i], `d loss / d ${name}`);
      const rng = new Rng(701);
      for (const [i, name] of PARAMS.entries()) {
        for (let s = 0; s < FD_SAMPLES_PER_PARAM; s++) {
          const index = rng.integer(values[name].length);
          const numeric = finiteDifference(values, name, index);
          const analytic = native[i][index];
          assert.ok(
            Math.abs(numeric - analytic) <= FD_TOLERANCE * Math.max(Math.abs(numeric), Math.abs(analytic), FD_STEP),
            `d loss / d ${name}[${index}]: analytic ${analytic}, finite difference ${numeric}`,
          );
        }
      }
    } finally {
      unregisterOneDnnKernels();
    }
  });

  test('a gradient step leaves no tensors behind', async () => {
    const values = randomValues(NET_SHAPES, 800);
    await tf.setBackend('wasm');
    registerOneDnnKernels();
    try {
      await gradientsOn('wasm', values);
      const before = tf.memory().numTensors;
      await gradientsOn('wasm', values);
      assert.equal(tf.memory().numTensors, before);
    } finally {
      unregisterOneDnnKernels();
    }
  });

  async function gradientsOn(backend: 'cpu' | 'wasm', values: Values): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    return tf.tidy(() => {
      const t = Object.fromEntries(Object.entries(NET_SHAPES).map(([name, shape]) => [name, tf.tensor(values[name], shape)]));
      return netGradients(t).map((g) => g.dataSync() as Float32Array);
    });
  }

  /** Central difference of the loss in one parameter element, on the active backend. */
  function finiteDifference(values: Values, name: string, index: number): number {
    const lossWith = (delta: number) =>
      tf.tidy(() => {
        const shifted = Float32Array.from(values[name]);
        shifted[index] += delta;
        const t = Object.fromEntries(
          Object.entries(NET_SHAPES).map(([n, shape]) => [n, tf.tensor(n === name ? shifted : values[n], shape)]),
        );
        return netLoss(t).dataSync()[0];
      });
    return (lossWith(FD_STEP) - lossWith(-FD_STEP)) / (2 * FD_STEP);
  }
});
