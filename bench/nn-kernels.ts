/**
 * Milliseconds per call of the kernels src/nn/kernels/wasm-kernels.ts provides, ours against the stock
 * tfjs-backend-wasm kernel, at the shapes of the Atari net's backward pass. The stock wasm backend
 * has no Conv2DBackpropFilter; with --cpu its row shows tfjs's cpu backend, the only other option
 * (seconds per call).
 *
 *   node dist/bench/nn-kernels.js [--seconds S] [--cpu] [batch]
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/nn/kernels/backend.js';
import { registerWasmKernels } from '../src/nn/kernels/wasm-kernels.js';

export interface KernelTiming {
  kernel: string;
  shapes: string;
  oursMs: number;
  /** The stock wasm kernel, or the cpu backend's where wasm has none (null unless asked for). */
  stockMs: number | null;
  stockBackend: 'wasm' | 'cpu';
}

interface KernelCase {
  kernel: string;
  inputs: Record<string, number[]>;
  attrs: Record<string, unknown>;
}

const DEFAULT_BATCH = 32;
const DEFAULT_SECONDS = 1;
/** The cpu backend needs seconds per call: one call measures it. */
const CPU_CALLS = 1;

/** The replaced wasm kernels, captured before initBackend registers ours. */
const STOCK = Object.fromEntries(['BatchMatMul', 'Conv2DBackpropInput'].map((name) => [name, tf.getKernel(name, 'wasm')!]));

function atariCases(batch: number): KernelCase[] {
  const convs = [
    { x: [batch, 84, 84, 4], dy: [batch, 20, 20, 32], filter: [8, 8, 4, 32], stride: 4 },
    { x: [batch, 20, 20, 32], dy: [batch, 9, 9, 64], filter: [4, 4, 32, 64], stride: 2 },
    { x: [batch, 9, 9, 64], dy: [batch, 7, 7, 64], filter: [3, 3, 64, 64], stride: 1 },
  ];
  const convAttrs = (stride: number) => ({ strides: [stride, stride], pad: 'valid', dataFormat: 'NHWC' });
  return [
    ...convs.map((c) => ({ kernel: 'Conv2DBackpropFilter', inputs: { x: c.x, dy: c.dy }, attrs: { ...convAttrs(c.stride), filterShape: c.filter } })),
    // The first layer's input gradient is never needed (observations are not trained).
    ...convs.slice(1).map((c) => ({ kernel: 'Conv2DBackpropInput', inputs: { dy: c.dy, filter: c.filter }, attrs: { ...convAttrs(c.stride), inputShape: c.x } })),
    { kernel: 'BatchMatMul', inputs: { a: [batch, 512], b: [3136, 512] }, attrs: { transposeA: false, transposeB: true } },
    { kernel: 'BatchMatMul', inputs: { a: [batch, 3136], b: [batch, 512] }, attrs: { transposeA: true, transposeB: false } },
  ];
}

function msPerCall(c: KernelCase, seconds: number, maxCalls: number): number {
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([name, shape]) => [name, tf.randomUniform(shape, -1, 1)]));
  // Returns nothing from tidy: it would walk a returned typed array element by element.
  const call = () =>
    tf.tidy(() => {
      (tf.engine().runKernel(c.kernel, inputs, c.attrs as tf.NamedAttrMap) as tf.Tensor).dataSync();
    });
  try {
    call();
    const start = performance.now();
    let calls = 0;
    while (calls < maxCalls && (calls === 0 || performance.now() - start < seconds * 1000)) {
      call();
      calls++;
    }
    return (performance.now() - start) / calls;
  } finally {
    tf.dispose(Object.values(inputs));
  }
}

/** Our wasm kernels, on top of any native ones initBackend registers. */
async function useOurWasmKernels(): Promise<void> {
  await initBackend();
  registerWasmKernels();
}

function withStockWasmKernel<T>(kernel: string, run: () => T): T {
  tf.unregisterKernel(kernel, 'wasm');
  tf.registerKernel(STOCK[kernel]);
  try {
    return run();
  } finally {
    tf.unregisterKernel(kernel, 'wasm');
    registerWasmKernels();
  }
}

export async function benchNnKernels(batch: number, seconds: number, withCpu: boolean): Promise<KernelTiming[]> {
  const timings: KernelTiming[] = [];
  const round = (ms: number) => Math.round(ms * 100) / 100;
  for (const c of atariCases(batch)) {
    await useOurWasmKernels();
    const oursMs = msPerCall(c, seconds, Infinity);
    const stockBackend = c.kernel in STOCK ? 'wasm' : 'cpu';
    let stockMs: number | null = null;
    if (stockBackend === 'wasm') {
      stockMs = withStockWasmKernel(c.kernel, () => msPerCall(c, seconds, Infinity));
    } else if (withCpu) {
      await initBackend({ backend: 'cpu' });
      stockMs = msPerCall(c, seconds, CPU_CALLS);
    }
    const shapes = Object.entries(c.inputs).map(([name, shape]) => `${name} [${shape.join(', ')}]`).join(', ');
    timings.push({ kernel: c.kernel, shapes, oursMs: round(oursMs), stockMs: stockMs === null ? null : round(stockMs), stockBackend });
  }
  return timings;
}

async function main(argv: string[]): Promise<void> {
  let seconds = DEFAULT_SECONDS;
  let batch = DEFAULT_BATCH;
  let withCpu = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') seconds = Number(argv[++i]);
    else if (argv[i] === '--cpu') withCpu = true;
    else if (/^\d+$/.test(argv[i])) batch = Number(argv[i]);
    else throw new Error(`unknown argument "${argv[i]}"; usage: nn-kernels.js [--seconds S] [--cpu] [batch]`);
  }
  for (const timing of await benchNnKernels(batch, seconds, withCpu)) console.log(JSON.stringify({ batch, ...timing }));
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
