/**
 * Loads tfjs-backend-wasm's multi-threaded SIMD build under Node, which the package itself refuses
 * to do (its WASM_HAS_MULTITHREAD_SUPPORT flag is false under Node: tensorflow/tfjs#3830, because
 * its pthread workers are Blob URLs that Node's worker_threads cannot start).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);

const FACTORY_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER_MODULE = '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const WASM_BINARY = 'tfjs-backend-wasm-threaded-simd.wasm';
const WORKER_SCRIPT = 'tfjs-backend-wasm-threaded-simd.worker.js';

/**
 * tfjs's C++ side caps its XNNPACK thread pool at emscripten_num_logical_cores() / 2, assuming two
 * hyper-threads per core (tfjs-backend-wasm/src/cc/backend.cc); on a 2-core box that caps it at 1.
 */
const LOGICAL_CORES_PER_THREAD = 2;

type ModuleFactory = (config: Record<string, unknown>) => Promise<Record<string, unknown>>;
interface WasmImports {
  env: Record<string, unknown>;
}
/** The slice of the WebAssembly global we use (this project compiles without the DOM lib). */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: WasmImports): Promise<{ instance: object; module: object }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/**
 * The pthread worker script as a file: the package ships it as a JS string for a Blob URL. Named by
 * its hash so concurrent processes write identical content and rename atomically.
 */
function workerScriptPath(): string {
  const { wasmWorkerContents } = require(WORKER_MODULE) as { wasmWorkerContents: string };
  // The string was a template literal: its "\n" escapes became real newlines inside JS string
  // literals; tfjs escapes them back the same way before making its Blob.
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `a3c-ts-tfjs-wasm-worker-${hash}.js`);
  if (!existsSync(path)) {
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, script);
    renameSync(partial, path);
  }
  return path;
}

/** A wasm backend whose XNNPACK kernels run on `threads` threads (the caller's thread included). */
export async function createThreadedWasmBackend(threads: number): Promise<BackendWasm> {
  const factoryPath = require.resolve(FACTORY_MODULE);
  const outDir = dirname(factoryPath);
  const factory = require(FACTORY_MODULE) as ModuleFactory;
  const workerPath = workerScriptPath();
  let failInstantiation: (error: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  const loading = factory({
    mainScriptUrlOrBlob: factoryPath,
    locateFile: (file: string) => (file === WORKER_SCRIPT ? workerPath : join(outDir, file)),
    instantiateWasm: (imports: WasmImports, receive: (instance: object, module: object) => void) => {
      imports.env.emscripten_num_logical_cores = () => threads * LOGICAL_CORES_PER_THREAD;
      webAssembly.instantiate(readFileSync(join(outDir, WASM_BINARY)), imports).then(
        ({ instance, module: compiled }) => receive(instance, compiled),
        failInstantiation,
      );
      return {};
    },
  });
  const module = await Promise.race([loading, instantiationFailed]);
  const cwrap = module.cwrap as (name: string, returnType: string | null, argTypes: string[]) => unknown;
  // The same bridge tfjs-backend-wasm's own init() attaches (backend_wasm.ts).
  module.tfjs = {
    init: cwrap('init', null, []),
    initWithThreadsCount: cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: cwrap('get_threads_count', 'number', []),
    registerTensor: cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: cwrap('dispose_data', null, ['number']),
    dispose: cwrap('dispose', null, []),
  };
  setThreadsCount(threads);
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // XNNPACK's pool threads live as long as the backend and only work inside our synchronous
  // calls; unreferenced, they no longer keep Node's event loop (and so the process) alive.
  const pthreads = module.PThread as { runningWorkers: Array<{ unref(): void }> };
  for (const worker of pthreads.runningWorkers) worker.unref();
  return backend;
}
