// Native learner kernels: tfjs kernels for the wasm backend that run the
// convolutions, matrix products and bias-gradient sums through the addon in
// native/ (oneDNN), reading their inputs from and writing their outputs to the
// wasm heap in place. The wasm kernels they replace stay as the fallback for what the addon
// does not cover, and the whole path is optional: without the addon,
// registerOneDnnKernels() changes nothing and returns false.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Set to "0" to keep the wasm-only path even where the addon is built. */
export const NATIVE_ENV_VAR = 'A3C_NATIVE';

/** Where `node scripts/build-native.mjs` leaves the addon; this file runs from dist/src/nn/. */
const ADDON_PATH = fileURLToPath(new URL('../../../../native/build/Release/onednn.node', import.meta.url));
/** The script that builds it, run at install; the same path in a clone and in an installed package. */
const BUILD_SCRIPT = fileURLToPath(new URL('../../../../scripts/build-native.mjs', import.meta.url));

const WASM_BACKEND = 'wasm';

/**
 * Shapes as tfjs gives them: activations [batch, height, width, channels]
 * (channelsLast) or [batch, channels, height, width], filters
 * [filterHeight, filterWidth, inChannels, outChannels]; dilation 1 is none;
 * pads are the zero rows/columns added on each side.
 */
export interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  dilationHeight: number;
  dilationWidth: number;
  padTop: number;
  padLeft: number;
  padBottom: number;
  padRight: number;
  channelsLast: boolean;
}

/**
 * c [batch, m, n] = a [batchA, m, k] x b [batchB, k, n], row-major; a is stored
 * [batchA, k, m] with transposeA and b [batchB, n, k] with transposeB. A batch
 * of 1 broadcasts against the other.
 */
export interface MatMulShape {
  batchA: number;
  batchB: number;
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
}

/** The addon's functions (native/src/addon.cc). Each writes its output array in place. */
export interface OneDnnAddon {
  /** y = conv(x, filter) [+ bias per output channel] [then ReLU]. */
  conv2dForward(
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | null,
    y: Float32Array,
    geometry: ConvGeometry,
    relu: boolean,
  ): void;
  /** dx = gradient of the convolution with respect to its input. */
  conv2dBackwardData(dy: Float32Array, filter: Float32Array, dx: Float32Array, geometry: ConvGeometry): void;
  /** dFilter = gradient of the convolution with respect to its filter. */
  conv2dBackwardFilter(x: Float32Array, dy: Float32Array, dFilter: Float32Array, geometry: ConvGeometry): void;
  /** c = a x b [+ bias [n] on every row] [then ReLU]. */
  matMul(a: Float32Array, b: Float32Array, bias: Float32Array | null, c: Float32Array, shape: MatMulShape, relu: boolean): void;
  /** y [cols] = column sums of x [rows, cols], accumulated in double. */
  sumOverRows(x: Float32Array, y: Float32Array, rows: number): void;
  /** torch.optim.Adam's update of flat arrays in place (see native/src/optim.h). */
  adamStep(
    params: Float32Array,
    grads: Float32Array,
    expAvg: Float32Array,
    expAvgSq: Float32Array,
    beta1: number,
    beta2: number,
    stepSize: number,
    invBiasCorrection2Sqrt: number,
    eps: number,
  ): void;
  /** clipGradNorm's maths (src/nn/gradients.ts) in place; returns the norm before clipping. */
  clipByGlobalNorm(x: Float32Array, maxNorm: number, eps: number): number;
  /** OpenMP threads for calls from this JavaScript thread; 1 when loaded. */
  setNumThreads(threads: number): void;
  numThreads(): number;
  /** The oneDNN library version, e.g. "2.6.3". */
  version(): string;
}

/** The addon, or null with the reason it is unavailable. */
export type OneDnnStatus = { addon: OneDnnAddon; reason: null } | { addon: null; reason: string };

let status: OneDnnStatus | undefined;

/** Loads the addon once per thread; later calls return the same result. */
export function oneDnnStatus(): OneDnnStatus {
  status ??= loadAddon();
  return status;
}

/** The oneDNN addon, or null when it is disabled, not built or fails to load (see oneDnnStatus().reason). */
export function loadOneDnn(): OneDnnAddon | null {
  return oneDnnStatus().addon;
}

function loadAddon(): OneDnnStatus {
  if (process.env[NATIVE_ENV_VAR] === '0') {
    return { addon: null, reason: `disabled by ${NATIVE_ENV_VAR}=0` };
  }
  try {
    return { addon: createRequire(import.meta.url)(ADDON_PATH) as OneDnnAddon, reason: null };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'MODULE_NOT_FOUND'
        ? `${ADDON_PATH} is not built; run \`node ${BUILD_SCRIPT}\` (needs libdnnl-dev)`
        : `${ADDON_PATH} failed to load: ${(error as Error).message}`;
    return { addon: null, reason };
  }
}

interface KernelArgs {
  /** Optional inputs (bias, preluActivationWeights) may be absent or null. */
  inputs: { [name: string]: tf.TensorInfo };
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}

/** A native kernel returns its output, or why it cannot handle these arguments. */
type NativeKernel = (args: KernelArgs, addon: OneDnnAddon) => tf.TensorInfo | { unsupported: string };

/**
 * Our registered kernel configs and the wasm kernels they replaced (undefined
 * where wasm had none), for the fallback and for unregistering.
 */
const installed = new Map<string, { native: tf.KernelConfig; replaced: tf.KernelConfig | undefined }>();

/**
 * Replaces the wasm backend's Conv2D, FusedConv2D, Conv2DBackpropInput,
 * Conv2DBackpropFilter, BatchMatMul, _FusedMatMul and Sum kernels with the
 * native ones, which fall back to the kernels they replace. Returns false, changing
 * nothing, when the addon is unavailable. Call it after any other registration
 * of these kernels on wasm; calling it again re-wraps kernels registered since.
 */
export function registerOneDnnKernels(): boolean {
  const addon = loadOneDnn();
  if (addon === null) return false;
  for (const [kernelName, kernel] of Object.entries(NATIVE_KERNELS)) {
    const current = tf.getKernel(kernelName, WASM_BACKEND);
    if (current !== undefined && current === installed.get(kernelName)?.native) continue;
    if (current !== undefined) tf.unregisterKernel(kernelName, WASM_BACKEND);
    const native: tf.KernelConfig = {
      kernelName,
      backendName: WASM_BACKEND,
      // The replaced kernel's setup binds its wasm functions, which the
      // fallback needs if the backend initialises after this registration.
      setupFunc: current?.setupFunc,
      disposeFunc: current?.disposeFunc,
      kernelFunc: (args) => {
        const result = kernel(args as KernelArgs, addon);
        if (!('unsupported' in result)) return result;
        if (current === undefined) {
          throw new Error(`${kernelName}: the oneDNN kernel does not support ${result.unsupported}, and wasm has no ${kernelName} kernel to fall back to`);
        }
        return current.kernelFunc(args);
      },
    };
    tf.registerKernel(native);
    installed.set(kernelName, { native, replaced: current });
  }
  return true;
}

/** Puts back the wasm kernels registerOneDnnKernels() replaced, where ours are still registered. */
export function unregisterOneDnnKernels(): void {
  for (const [kernelName, { native, replaced }] of installed) {
    if (tf.getKernel(kernelName, WASM_BACKEND) !== native) continue;
    tf.unregisterKernel(kernelName, WASM_BACKEND);
    if (replaced !== undefined) tf.registerKernel(replaced);
  }
  installed.clear();
}

/**
 * Runs one native kernel on the active wasm backend without the wasm fallback,
 * throwing where the addon does not support the arguments.
 */
export function runOneDnnKernel(
  kernelName: string,
  inputs: { [name: string]: tf.Tensor },
  attrs: tf.NamedAttrMap,
  addon: OneDnnAddon,
): tf.Tensor {
  const kernel = NATIVE_KERNELS[kernelName];
  if (kernel === undefined) {
    throw new Error(`no oneDNN kernel "${kernelName}"; there are ${ONEDNN_KERNEL_NAMES.join(', ')}`);
  }
  if (tf.getBackend() !== WASM_BACKEND) {
    throw new Error(`oneDNN kernels run on the wasm backend; the active one is ${tf.getBackend()}: await tf.setBackend('wasm')`);
  }
  const result = kernel({ inputs, backend: tf.backend() as BackendWasm, attrs }, addon);
  if ('unsupported' in result) throw new Error(`${kernelName}: the oneDNN kernel does not support ${result.unsupported}`);
  return tf.engine().makeTensorFromTensorInfo(result);
}

const FUSABLE_ACTIVATIONS = new Set(['linear', 'relu']);

const NATIVE_KERNELS: Record<string, NativeKernel> = {
  Conv2D: ({ inputs: { x, filter }, backend, attrs }, addon) => {
    const info = convInfo(x.shape, filter.shape, attrs, attrs.dilations as number | [number, number]);
    const why = unsupportedConv(info, [x, filter]);
    if (why !== null) return { unsupported: why };
    const y = backend.makeOutput(info.outShape, 'float32');
    addon.conv2dForward(heap(backend, x), heap(backend, filter), null, heap(backend, y), geometry(info), false);
    return y;
  },

  FusedConv2D: ({ inputs: { x, filter, bias, preluActivationWeights }, backend, attrs }, addon) => {
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if (!FUSABLE_ACTIVATIONS.has(activation) || preluActivationWeights != null) {
      return { unsupported: `activation "${activation}"` };
    }
    const info = convInfo(x.shape, filter.shape, attrs, attrs.dilations as number | [number, number]);
    const why = unsupportedConv(info, bias == null ? [x, filter] : [x, filter, bias]);
    if (why !== null) return { unsupported: why };
    // tfjs adds the bias by broadcasting on the last axis, which is the channel axis only in NHWC.
    if (bias != null && (!isChannelVector(bias.shape, info.outChannels) || info.dataFormat !== 'channelsLast')) {
      return { unsupported: `bias of shape [${bias.shape}] for ${info.outChannels} ${info.dataFormat} channels` };
    }
    const y = backend.makeOutput(info.outShape, 'float32');
    addon.conv2dForward(
      heap(backend, x),
      heap(backend, filter),
      bias == null ? null : heap(backend, bias),
      heap(backend, y),
      geometry(info),
      activation === 'relu',
    );
    return y;
  },

  Conv2DBackpropInput: ({ inputs: { dy, filter }, backend, attrs }, addon) => {
    const info = convInfo(attrs.inputShape as number[], filter.shape, attrs, 1);
    const why = unsupportedConv(info, [dy, filter]);
    if (why !== null) return { unsupported: why };
    const dx = backend.makeOutput(info.inShape, 'float32');
    addon.conv2dBackwardData(heap(backend, dy), heap(backend, filter), heap(backend, dx), geometry(info));
    return dx;
  },

  Conv2DBackpropFilter: ({ inputs: { x, dy }, backend, attrs }, addon) => {
    const info = convInfo(x.shape, attrs.filterShape as number[], attrs, 1);
    const why = unsupportedConv(info, [x, dy]);
    if (why !== null) return { unsupported: why };
    const dFilter = backend.makeOutput(info.filterShape, 'float32');
    addon.conv2dBackwardFilter(heap(backend, x), heap(backend, dy), heap(backend, dFilter), geometry(info));
    return dFilter;
  },

  BatchMatMul: ({ inputs: { a, b }, backend, attrs }, addon) => {
    const plan = planMatMul(a, b, attrs);
    if ('unsupported' in plan) return plan;
    const c = backend.makeOutput(plan.outShape, 'float32');
    addon.matMul(heap(backend, a), heap(backend, b), null, heap(backend, c), plan.shape, false);
    return c;
  },

  _FusedMatMul: ({ inputs: { a, b, bias, preluActivationWeights }, backend, attrs }, addon) => {
    const activation = (attrs.activation as string | undefined) ?? 'linear';
    if (!FUSABLE_ACTIVATIONS.has(activation) || preluActivationWeights != null) {
      return { unsupported: `activation "${activation}"` };
    }
    const plan = planMatMul(a, b, attrs);
    if ('unsupported' in plan) return plan;
    if (bias != null && (bias.dtype !== 'float32' || !isChannelVector(bias.shape, plan.shape.n))) {
      return { unsupported: `${bias.dtype} bias of shape [${bias.shape}] for ${plan.shape.n} columns` };
    }
    const c = backend.makeOutput(plan.outShape, 'float32');
    addon.matMul(
      heap(backend, a),
      heap(backend, b),
      bias == null ? null : heap(backend, bias),
      heap(backend, c),
      plan.shape,
      activation === 'relu',
    );
    return c;
  },

  // Bias gradients sum over every axis but the channel one; wasm's Sum first
  // transposes the reduced axes innermost, ten times slower at [128, 20, 20, 32].
  Sum: ({ inputs: { x }, backend, attrs }, addon) => {
    if (x.dtype !== 'float32') return { unsupported: `dtype ${x.dtype}` };
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape).sort((p, q) => p - q);
    if (axes.length === 0 || axes.some((axis, i) => axis !== i)) return { unsupported: `reducing axes [${axes}], not leading ones` };
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    const kept = x.shape.slice(axes.length);
    if (rows * tf.util.sizeFromShape(kept) === 0) return { unsupported: 'empty tensors' };
    const outShape = attrs.keepDims ? [...axes.map(() => 1), ...kept] : kept;
    const y = backend.makeOutput(outShape, 'float32');
    addon.sumOverRows(heap(backend, x), heap(backend, y), rows);
    return y;
  },
};

/** The wasm kernels registerOneDnnKernels() replaces. */
export const ONEDNN_KERNEL_NAMES: readonly string[] = Object.keys(NATIVE_KERNELS);

/**
 * A float32 view of a tensor on the wasm heap. Allocating a tensor can grow
 * the heap, which detaches earlier views, so take views only after every
 * output of a kernel is allocated.
 */
function heap(backend: BackendWasm, tensor: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(tensor) as Float32Array;
}

function convInfo(
  inShape: number[],
  filterShape: number[],
  attrs: tf.NamedAttrMap,
  dilations: number | [number, number],
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    dilations,
    attrs.pad as 'valid' | 'same' | number | tf.backend_util.ExplicitPadding,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    tf.backend_util.convertConv2DDataFormat(attrs.dataFormat as 'NHWC' | 'NCHW'),
  );
}

function unsupportedConv(info: tf.backend_util.Conv2DInfo, tensors: tf.TensorInfo[]): string | null {
  const notFloat = tensors.find((t) => t.dtype !== 'float32');
  if (notFloat !== undefined) return `dtype ${notFloat.dtype}`;
  if ([info.inShape, info.outShape, info.filterShape].some((shape) => tf.util.sizeFromShape(shape) === 0)) {
    return 'empty tensors';
  }
  return null;
}

function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  const pad = info.padInfo;
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    dilationHeight: info.dilationHeight,
    dilationWidth: info.dilationWidth,
    padTop: pad.top,
    padLeft: pad.left,
    padBottom: consistentPadEnd(info.inHeight, info.effectiveFilterHeight, info.strideHeight, pad.top, pad.bottom, info.outHeight),
    padRight: consistentPadEnd(info.inWidth, info.effectiveFilterWidth, info.strideWidth, pad.left, pad.right, info.outWidth),
    channelsLast: info.dataFormat === 'channelsLast',
  };
}

/**
 * oneDNN requires out = floor((in + padStart + padEnd - filter) / stride) + 1.
 * tfjs's 'ceil' and 'round' dimRoundingMode can give one more output than the
 * pads it reports allow; that output reads zeros past the end, which a larger
 * end pad expresses.
 */
export function consistentPadEnd(
  inSize: number,
  effectiveFilterSize: number,
  stride: number,
  padStart: number,
  padEnd: number,
  outSize: number,
): number {
  const outWithPads = Math.floor((inSize + padStart + padEnd - effectiveFilterSize) / stride) + 1;
  return outWithPads === outSize ? padEnd : (outSize - 1) * stride + effectiveFilterSize - inSize - padStart;
}

/** A bias holding one value per channel: [channels], or [1, ..., 1, channels]. */
function isChannelVector(shape: number[], channels: number): boolean {
  return shape.length > 0 && shape[shape.length - 1] === channels && tf.util.sizeFromShape(shape) === channels;
}

function planMatMul(
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  attrs: tf.NamedAttrMap,
): { shape: MatMulShape; outShape: number[] } | { unsupported: string } {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return { unsupported: `dtypes ${a.dtype} x ${b.dtype}` };
  if (a.shape.length < 2 || b.shape.length < 2) return { unsupported: `ranks ${a.shape.length} x ${b.shape.length}` };
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const [aRows, aCols] = a.shape.slice(-2);
  const [bRows, bCols] = b.shape.slice(-2);
  const m = transposeA ? aCols : aRows;
  const k = transposeA ? aRows : aCols;
  const n = transposeB ? bRows : bCols;
  if ((transposeB ? bCols : bRows) !== k) return { unsupported: `inner dimensions of [${a.shape}] x [${b.shape}]` };
  const aBatchShape = a.shape.slice(0, -2);
  const bBatchShape = b.shape.slice(0, -2);
  const outBatchShape = tf.broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const batch = tf.util.sizeFromShape(outBatchShape);
  const batchA = tf.util.sizeFromShape(aBatchShape);
  const batchB = tf.util.sizeFromShape(bBatchShape);
  // oneDNN broadcasts a whole operand, not single batch axes.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) {
    return { unsupported: `batch broadcast of [${a.shape}] x [${b.shape}]` };
  }
  if (batch * m * n * k === 0) return { unsupported: 'empty tensors' };
  return { shape: { batchA, batchB, m, n, k, transposeA, transposeB }, outShape: [...outBatchShape, m, n] };
}
