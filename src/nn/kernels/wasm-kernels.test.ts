import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../utils/rng.js';
import { initBackend, type BackendName } from './backend.js';
import { registerWasmKernels } from './wasm-kernels.js';

/**
 * Our wasm kernels against tfjs's cpu kernels on the same inputs. Float32 sums in a different
 * order differ by a few ulps per term; the tolerance is relative to the largest output.
 */
const RELATIVE_TOLERANCE = 1e-5;

function randomValues(size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: size }, () => rng.uniform(-1, 1));
}

interface Operand {
  values: Float32Array;
  shape: number[];
}

function operand(shape: number[], rng: Rng): Operand {
  return { values: randomValues(shape.reduce((p, d) => p * d, 1), rng), shape };
}

/** Selects `backend`; on wasm puts our kernels back on top of any native ones initBackend adds. */
async function useBackend(backend: BackendName): Promise<void> {
  await initBackend({ backend });
  if (backend === 'wasm') registerWasmKernels();
}

async function runOn(backend: BackendName, operands: Operand[], op: (...xs: tf.Tensor[]) => tf.Tensor): Promise<Float32Array> {
  await useBackend(backend);
  const result = tf.tidy(() => op(...operands.map((o) => tf.tensor(o.values, o.shape))));
  const values = result.dataSync() as Float32Array;
  result.dispose();
  return values;
}

async function assertWasmMatchesCpu(operands: Operand[], op: (...xs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const expected = await runOn('cpu', operands, op);
  const actual = await runOn('wasm', operands, op);
  assert.equal(actual.length, expected.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  }
  assert.ok(scale > 0, 'degenerate test: the expected output is all zeros');
  assert.ok(worst <= RELATIVE_TOLERANCE * scale, `max |wasm - cpu| = ${worst}, largest |cpu| = ${scale}`);
}

interface ConvCase {
  name: string;
  x: number[];
  filter: number[];
  stride: number;
  pad: 'valid' | 'same';
}

/** The Atari net's three convolutions at its input sizes (batch 1: the cpu side is slow), plus padded and odd cases. */
const CONV_CASES: ConvCase[] = [
  { name: 'atari conv1 8x8 stride 4', x: [1, 84, 84, 4], filter: [8, 8, 4, 32], stride: 4, pad: 'valid' },
  { name: 'atari conv2 4x4 stride 2', x: [1, 20, 20, 32], filter: [4, 4, 32, 64], stride: 2, pad: 'valid' },
  { name: 'atari conv3 3x3 stride 1', x: [1, 9, 9, 64], filter: [3, 3, 64, 64], stride: 1, pad: 'valid' },
  { name: 'same padding, stride 2, odd sizes', x: [3, 11, 7, 5], filter: [3, 3, 5, 6], stride: 2, pad: 'same' },
  { name: 'valid, windows leave a remainder', x: [1, 10, 13, 2], filter: [4, 3, 2, 3], stride: 3, pad: 'valid' },
];

/** tfjs exports no conv2DBackpropFilter op; this is the call its Conv2D gradient makes. */
function conv2dBackpropFilter(x: tf.Tensor, dy: tf.Tensor, filterShape: number[], stride: number, pad: 'valid' | 'same'): tf.Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [stride, stride], pad, dataFormat: 'NHWC', filterShape });
}

type Shape4D = [number, number, number, number];

function convOutShape(c: ConvCase): number[] {
  const [batch, h, w] = c.x;
  const [kh, kw, , outC] = c.filter;
  const size = (n: number, k: number) => (c.pad === 'same' ? Math.ceil(n / c.stride) : Math.floor((n - k) / c.stride) + 1);
  return [batch, size(h, kh), size(w, kw), outC];
}

describe('wasm kernels match the cpu backend', () => {
  before(async () => {
    await useBackend('wasm');
  });

  for (const c of CONV_CASES) {
    it(`Conv2DBackpropFilter: ${c.name}`, async () => {
      const rng = new Rng(1);
      await assertWasmMatchesCpu([operand(c.x, rng), operand(convOutShape(c), rng)], (x, dy) =>
        conv2dBackpropFilter(x, dy, c.filter, c.stride, c.pad),
      );
    });

    it(`Conv2DBackpropInput: ${c.name}`, async () => {
      const rng = new Rng(2);
      const xShape = c.x as Shape4D;
      await assertWasmMatchesCpu([operand(convOutShape(c), rng), operand(c.filter, rng)], (dy, filter) =>
        tf.conv2dTranspose(dy as tf.Tensor4D, filter as tf.Tensor4D, xShape, c.stride, c.pad),
      );
    });
  }

  const matMulCases: Array<{ name: string; a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }> = [
    { name: 'dense dx: dy [32, 128] x W^T, W [784, 128]', a: [32, 128], b: [784, 128], transposeA: false, transposeB: true },
    { name: 'transposed b, the smaller operand', a: [300, 40], b: [20, 40], transposeA: false, transposeB: true },
    { name: 'dense dW: x^T dy, x [32, 784]', a: [32, 784], b: [32, 128], transposeA: true, transposeB: false },
    { name: 'transposed a, b much wider', a: [16, 8], b: [16, 700], transposeA: true, transposeB: false },
    { name: 'both transposed', a: [24, 10], b: [7, 24], transposeA: true, transposeB: true },
    { name: 'rank 3 with batch 1 (fused matMul gradients)', a: [1, 32, 64], b: [1, 48, 64], transposeA: false, transposeB: true },
    { name: 'batched, left to the stock kernel', a: [3, 5, 6], b: [3, 5, 4], transposeA: true, transposeB: false },
  ];
  for (const c of matMulCases) {
    it(`BatchMatMul: ${c.name}`, async () => {
      const rng = new Rng(3);
      await assertWasmMatchesCpu([operand(c.a, rng), operand(c.b, rng)], (a, b) => tf.matMul(a, b, c.transposeA, c.transposeB));
    });
  }

  it('frees every intermediate buffer on the wasm heap', async () => {
    await useBackend('wasm');
    const rng = new Rng(4);
    const c = CONV_CASES[3];
    const x = tf.tensor(operand(c.x, rng).values, c.x);
    const dy = tf.tensor4d(operand(convOutShape(c), rng).values, convOutShape(c) as Shape4D);
    const filter = tf.tensor4d(operand(c.filter, rng).values, c.filter as Shape4D);
    const run = () =>
      tf.tidy(() => {
        conv2dBackpropFilter(x, dy, c.filter, c.stride, c.pad);
        tf.conv2dTranspose(dy, filter, c.x as Shape4D, c.stride, c.pad);
        tf.matMul(tf.reshape(x, [c.x[0], -1]), tf.reshape(x, [c.x[0], -1]), true, false);
      });
    run();
    const dataIds = tf.engine().backend.numDataIds();
    const tensors = tf.memory().numTensors;
    run();
    run();
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
    assert.equal(tf.memory().numTensors, tensors);
    tf.dispose([x, dy, filter]);
  });
});
