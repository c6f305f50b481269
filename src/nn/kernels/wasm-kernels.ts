/**
 * Kernels for tfjs-backend-wasm that make training fast: it has no Conv2DBackpropFilter at all, and
 * its Conv2DBackpropInput and transposed-operand BatchMatMul are naive loops, 5-15x slower than
 * these at the Atari net's shapes (bench/nn-kernels.ts). These rewrite each as XNNPACK work (plain matMul and Conv2D)
 * plus cheap transposes, so tfjs's own gradient definitions (Conv2D_grad, BatchMatMul_grad,
 * fused ops) run unchanged on fast kernels: same maths, different summation order.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
// Registers the stock wasm kernels, which ours call and, for the cases they do not cover, defer to.
import '@tensorflow/tfjs-backend-wasm';

type Infos = Record<string, tf.TensorInfo>;
type Attrs = Record<string, unknown>;
interface KernelArgs {
  inputs: Infos;
  backend: BackendWasm;
  attrs: Attrs;
}
type Kernel = (args: KernelArgs) => tf.TensorInfo;

const BACKEND = 'wasm';

/**
 * The stock wasm kernels, captured at import, before anything replaces them: ours call these
 * directly, so kernels registered over ours (oneDNN) never run inside ours. Ours keep the
 * setupFunc of the stock kernel they replace, which it needs run when the backend starts.
 */
const STOCK_CONFIGS = Object.fromEntries(
  ['BatchMatMul', 'Conv2D', 'Conv2DBackpropInput', 'PadV2', 'Reshape', 'Slice', 'Transpose'].map((name) => [name, stockKernelConfig(name)]),
);
const STOCK_BATCH_MAT_MUL = stockKernel('BatchMatMul');
const STOCK_CONV2D_BACKPROP_INPUT = stockKernel('Conv2DBackpropInput');

/**
 * Relative costs, per element, of a wasm Transpose (a strided gather) and of XNNPACK packing its
 * right-hand operand (a copy), used to pick the cheaper rewrite of a transposed matMul. The
 * extremes that matter differ by 10x or more, so rough figures suffice.
 */
const TRANSPOSE_COST = 3;
const PACK_COST = 1;

function stockKernelConfig(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, BACKEND);
  if (config === undefined) throw new Error(`tfjs-backend-wasm registers no ${name} kernel; expected version 4.22`);
  return config;
}

function stockKernel(name: string): Kernel {
  return STOCK_CONFIGS[name].kernelFunc as unknown as Kernel;
}

function run(name: string, backend: BackendWasm, inputs: Infos, attrs: Attrs = {}): tf.TensorInfo {
  return stockKernel(name)({ inputs, backend, attrs });
}

function release(backend: BackendWasm, ...infos: tf.TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function reshape(backend: BackendWasm, x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return run('Reshape', backend, { x }, { shape });
}

function transpose(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return run('Transpose', backend, { x }, { perm });
}

function transpose2d(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  return transpose(backend, x, [1, 0]);
}

/** [m, k] x [k, n] on XNNPACK, the only fast matMul of the wasm backend. */
function plainMatMul(backend: BackendWasm, a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
  const out = STOCK_BATCH_MAT_MUL({ inputs: { a, b }, backend, attrs: { transposeA: false, transposeB: false } });
  const shaped = reshape(backend, out, [a.shape[0], b.shape[1]]);
  release(backend, out);
  return shaped;
}

/** op(a) x op(b) for 2-D `a`, `b`, rewritten as plain matMuls and transposes. */
function matMul2d(backend: BackendWasm, a: tf.TensorInfo, transposeA: boolean, b: tf.TensorInfo, transposeB: boolean): tf.TensorInfo {
  const withTransposed = (x: tf.TensorInfo, use: (xT: tf.TensorInfo) => tf.TensorInfo): tf.TensorInfo => {
    const xT = transpose2d(backend, x);
    const out = use(xT);
    release(backend, xT);
    return out;
  };
  const transposeOf = (product: tf.TensorInfo): tf.TensorInfo => {
    const out = transpose2d(backend, product);
    release(backend, product);
    return out;
  };
  if (!transposeA && !transposeB) return plainMatMul(backend, a, b);
  if (transposeA && transposeB) return transposeOf(plainMatMul(backend, b, a)); // (b a)^T
  if (transposeB) {
    // a [m, k] times b^T with b [n, k]: transpose b, or compute (b a^T)^T.
    const [m, k] = a.shape;
    const n = b.shape[0];
    const costTransposeB = (TRANSPOSE_COST + PACK_COST) * n * k;
    const costTransposeProduct = (TRANSPOSE_COST + PACK_COST) * m * k + TRANSPOSE_COST * m * n;
    return costTransposeB <= costTransposeProduct
      ? withTransposed(b, (bT) => plainMatMul(backend, a, bT))
      : withTransposed(a, (aT) => transposeOf(plainMatMul(backend, b, aT)));
  }
  // a^T with a [k, m] times b [k, n]: transpose a, or compute (b^T a)^T.
  const [k, m] = a.shape;
  const n = b.shape[1];
  const costTransposeA = TRANSPOSE_COST * k * m + PACK_COST * k * n;
  const costTransposeProduct = TRANSPOSE_COST * k * n + PACK_COST * k * m + TRANSPOSE_COST * m * n;
  return costTransposeA <= costTransposeProduct
    ? withTransposed(a, (aT) => plainMatMul(backend, aT, b))
    : withTransposed(b, (bT) => transposeOf(plainMatMul(backend, bT, a)));
}

const sizeOf = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

/**
 * BatchMatMul with a transposed operand (what BatchMatMul_grad asks for) as plain XNNPACK matMuls;
 * the untransposed and the truly batched cases go to the stock kernel.
 */
const batchMatMul: Kernel = (args) => {
  const { a, b } = args.inputs;
  const transposeA = args.attrs.transposeA as boolean;
  const transposeB = args.attrs.transposeB as boolean;
  const batchA = sizeOf(a.shape.slice(0, -2));
  const batchB = sizeOf(b.shape.slice(0, -2));
  if ((!transposeA && !transposeB) || batchA !== 1 || batchB !== 1 || a.dtype !== 'float32' || b.dtype !== 'float32') {
    return STOCK_BATCH_MAT_MUL(args);
  }
  const { backend } = args;
  const a2 = reshape(backend, a, a.shape.slice(-2));
  const b2 = reshape(backend, b, b.shape.slice(-2));
  const product = matMul2d(backend, a2, transposeA, b2, transposeB);
  const outRank = Math.max(a.shape.length, b.shape.length);
  const out = reshape(backend, product, [...new Array<number>(outRank - 2).fill(1), ...product.shape]);
  release(backend, a2, b2, product);
  return out;
};

function isChannelsLast(dataFormat: unknown): boolean {
  return dataFormat === undefined || dataFormat === 'NHWC';
}

/**
 * dx of a conv: patches [n, (kh, kw, ci)] = dy [n, co] x filter [(kh, kw, ci), co]^T on XNNPACK,
 * then each patch row is added back where the forward conv read it (col2im).
 */
const conv2dBackpropInput: Kernel = (args) => {
  const { dy, filter } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = args.attrs;
  if (!isChannelsLast(dataFormat)) return STOCK_CONV2D_BACKPROP_INPUT(args);
  const { backend } = args;
  const xShape = inputShape as [number, number, number, number];
  const conv = tf.backend_util.computeConv2DInfo(
    xShape,
    filter.shape as [number, number, number, number],
    strides as [number, number],
    1,
    pad as 'valid',
    dimRoundingMode as 'floor' | undefined,
  );
  const [kh, kw, inC, outC] = filter.shape;
  const rows = conv.batchSize * conv.outHeight * conv.outWidth;
  const dy2 = reshape(backend, dy, [rows, outC]);
  const filter2 = reshape(backend, filter, [kh * kw * inC, outC]);
  const patches = matMul2d(backend, dy2, false, filter2, true);
  const dx = backend.makeOutput(xShape, 'float32');
  // Views are taken after the last allocation: a heap growth detaches older ones.
  const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
  dxValues.fill(0);
  col2im(backend.typedArrayFromHeap(patches) as Float32Array, dxValues, conv);
  release(backend, dy2, filter2, patches);
  return dx;
};

/** Adds patches [b, oh, ow, kh, kw, ci] into dx [b, h, w, ci], skipping padding. */
function col2im(patches: Float32Array, dx: Float32Array, conv: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = conv;
  const padTop = conv.padInfo.top;
  const padLeft = conv.padInfo.left;
  const patchRow = filterWidth * inChannels;
  let src = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padLeft;
        const kwStart = Math.max(0, -left);
        const kwEnd = Math.min(filterWidth, inWidth - left);
        for (let kh = 0; kh < filterHeight; kh++, src += patchRow) {
          const ih = oh * strideHeight - padTop + kh;
          if (ih < 0 || ih >= inHeight || kwEnd <= kwStart) continue;
          const from = src + kwStart * inChannels;
          const to = ((b * inHeight + ih) * inWidth + left + kwStart) * inChannels;
          const length = (kwEnd - kwStart) * inChannels;
          for (let j = 0; j < length; j++) dx[to + j] += patches[from + j];
        }
      }
    }
  }
}

/**
 * dFilter of a conv as one XNNPACK conv: with the batch as channels, x^T [ci, h, w, b] correlated
 * with dy^T [oh, ow, b, co] dilated by the stride gives [ci, kh, kw, co], since
 * dFilter[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*s + kh, ow*s + kw, ci] * dy[b, oh, ow, co].
 */
const conv2dBackpropFilter: Kernel = (args) => {
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = args.attrs;
  if (!isChannelsLast(dataFormat)) {
    throw new Error(`Conv2DBackpropFilter on wasm supports dataFormat NHWC only; got ${String(dataFormat)}: transpose the input to NHWC`);
  }
  const { backend } = args;
  const [kh, kw, inC, outC] = filterShape as [number, number, number, number];
  const conv = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    [kh, kw, inC, outC],
    strides as [number, number],
    1,
    pad as 'valid',
    dimRoundingMode as 'floor' | undefined,
  );
  const { outHeight, outWidth, strideHeight, strideWidth, inHeight, inWidth } = conv;
  const { top, left } = conv.padInfo;
  // Enough padding that every window the forward conv used lies inside x.
  const bottom = Math.max(conv.padInfo.bottom, (outHeight - 1) * strideHeight + kh - inHeight - top);
  const right = Math.max(conv.padInfo.right, (outWidth - 1) * strideWidth + kw - inWidth - left);
  const padded = top + bottom + left + right > 0;
  const xPadded = padded
    ? run('PadV2', backend, { x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 })
    : x;
  const xT = transpose(backend, xPadded, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const correlation = run('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    pad: 'valid',
    dataFormat: 'NHWC',
    dilations: [strideHeight, strideWidth],
  });
  const [, corrHeight, corrWidth] = correlation.shape;
  const cropped =
    corrHeight === kh && corrWidth === kw ? correlation : run('Slice', backend, { x: correlation }, { begin: [0, 0, 0, 0], size: [inC, kh, kw, outC] });
  const dFilter = transpose(backend, cropped, [1, 2, 0, 3]);
  release(backend, xT, dyT, correlation);
  if (cropped !== correlation) release(backend, cropped);
  if (padded) release(backend, xPadded);
  return dFilter;
};

const KERNELS: Record<string, { kernel: Kernel; stock?: tf.KernelConfig }> = {
  BatchMatMul: { kernel: batchMatMul, stock: STOCK_CONFIGS.BatchMatMul },
  Conv2DBackpropInput: { kernel: conv2dBackpropInput, stock: STOCK_CONFIGS.Conv2DBackpropInput },
  Conv2DBackpropFilter: { kernel: conv2dBackpropFilter },
};

/**
 * Registers our kernels for the wasm backend (replacing the stock ones of the same names) and
 * returns their names. Idempotent; kernels are looked up per call, so it may come before or after
 * the backend is initialised.
 */
export function registerWasmKernels(): string[] {
  for (const [kernelName, { kernel, stock }] of Object.entries(KERNELS)) {
    const kernelFunc = kernel as unknown as tf.KernelFunc;
    const current = tf.getKernel(kernelName, BACKEND);
    if (current?.kernelFunc === kernelFunc) continue;
    if (current !== undefined) tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc, setupFunc: stock?.setupFunc });
  }
  return Object.keys(KERNELS);
}
