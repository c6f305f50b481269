/**
 * Learner throughput of Lapan's Atari A2C net through tfjs on the wasm backend,
 * with the oneDNN kernels ("native") and without them ("wasm"), one thread each.
 * A training step is the reference's: forward, A3C loss, backward, clip by
 * global norm, Adam. Compare with /work/shared/reference/pytorch-a3c's
 * learner_bench.py: 848 and 1,279 train samples/s at batch 32 and 128, one thread.
 *
 *   node dist/bench/onednn.js [--seconds S] [batch ...]
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/nn/kernels/backend.js';
import { oneDnnStatus, registerOneDnnKernels, unregisterOneDnnKernels } from '../src/nn/kernels/onednn-kernels.js';

export interface BenchOneDnnArgs {
  batch: number;
  /** Measuring time per figure, after warm-up. */
  seconds: number;
}

export interface BenchOneDnnResult {
  path: 'native' | 'wasm';
  batch: number;
  /** Wall-clock medians per call. */
  forwardMs: number;
  /** Forward, loss and backward: the part the native kernels speed up. */
  forwardBackwardMs: number;
  /** forwardBackwardMs plus clipping and the Adam update. */
  trainMs: number;
  /**
   * Process CPU time per call (means). On a machine shared with other work
   * these stay near the unloaded wall times while the wall times stretch.
   */
  forwardCpuMs: number;
  forwardBackwardCpuMs: number;
  trainCpuMs: number;
  forwardSamplesPerS: number;
  trainSamplesPerS: number;
}

/** Lapan, Deep RL Hands-On 2nd ed., Chapter 13 (AtariA2C and its hyper-parameters). */
const OBSERVATION_SHAPE: [number, number, number] = [84, 84, 4];
const CONVOLUTIONS = [
  { filters: 32, size: 8, stride: 4 },
  { filters: 64, size: 4, stride: 2 },
  { filters: 64, size: 3, stride: 1 },
];
const HIDDEN_UNITS = 512;
const N_ACTIONS = 6;
const PIXEL_SCALE = 256;
const LEARNING_RATE = 1e-3;
const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-3;
const ENTROPY_BETA = 0.01;
const CLIP_GRAD = 0.1;

const WARMUP_STEPS = 3;
const DEFAULT_SECONDS = 5;
const DEFAULT_BATCHES = [32, 128];
const SEED = 0;
const MS_PER_S = 1000;
const US_PER_MS = 1000;

interface Dense {
  w: tf.Variable;
  b: tf.Variable;
}

interface AtariNet {
  convs: Array<Dense & { stride: number }>;
  policy: [Dense, Dense];
  value: [Dense, Dense];
}

function dense(inUnits: number, outUnits: number, seed: number): Dense {
  return {
    w: tf.variable(tf.randomNormal([inUnits, outUnits], 0, Math.sqrt(2 / inUnits), 'float32', seed)),
    b: tf.variable(tf.zeros([outUnits])),
  };
}

function makeNet(): AtariNet {
  let [height, width, channels] = OBSERVATION_SHAPE;
  const convs = CONVOLUTIONS.map(({ filters, size, stride }, i) => {
    const fanIn = size * size * channels;
    const conv = {
      w: tf.variable(tf.randomNormal([size, size, channels, filters], 0, Math.sqrt(2 / fanIn), 'float32', SEED + i)),
      b: tf.variable(tf.zeros([filters])),
      stride,
    };
    [height, width, channels] = [Math.floor((height - size) / stride) + 1, Math.floor((width - size) / stride) + 1, filters];
    return conv;
  });
  const features = height * width * channels;
  return {
    convs,
    policy: [dense(features, HIDDEN_UNITS, SEED + 10), dense(HIDDEN_UNITS, N_ACTIONS, SEED + 11)],
    value: [dense(features, HIDDEN_UNITS, SEED + 12), dense(HIDDEN_UNITS, 1, SEED + 13)],
  };
}

/** [batch, 84, 84, 4] uint8 frames to policy logits [batch, nActions] and values [batch]. */
function forward(net: AtariNet, frames: tf.Tensor4D): { logits: tf.Tensor2D; values: tf.Tensor1D } {
  let h = tf.div(tf.cast(frames, 'float32'), PIXEL_SCALE) as tf.Tensor4D;
  for (const { w, b, stride } of net.convs) {
    h = tf.fused.conv2d({ x: h, filter: w as tf.Tensor4D, bias: b, strides: stride, pad: 'valid', activation: 'relu' });
  }
  const features = tf.reshape(h, [h.shape[0], -1]) as tf.Tensor2D;
  const head = ([hidden, out]: [Dense, Dense]) =>
    tf.fused.matMul({
      a: tf.fused.matMul({ a: features, b: hidden.w as tf.Tensor2D, bias: hidden.b, activation: 'relu' }),
      b: out.w as tf.Tensor2D,
      bias: out.b,
    }) as tf.Tensor2D;
  return { logits: head(net.policy), values: tf.reshape(head(net.value), [-1]) as tf.Tensor1D };
}

const stopGradient = tf.customGrad((x) => ({ value: tf.clone(x as tf.Tensor), gradFunc: (dy) => tf.zerosLike(dy as tf.Tensor) }));

/** a3c_core.a3c_loss: value MSE + policy gradient with a detached baseline + entropy bonus. */
function a3cLoss(net: AtariNet, frames: tf.Tensor4D, actions: tf.Tensor1D, returns: tf.Tensor1D): tf.Scalar {
  const { logits, values } = forward(net, frames);
  const valueLoss = tf.mean(tf.square(tf.sub(values, returns)));
  const logProbs = tf.logSoftmax(logits) as tf.Tensor2D;
  const advantages = tf.sub(returns, stopGradient(values) as tf.Tensor1D);
  const chosenLogProbs = tf.sum(tf.mul(logProbs, tf.oneHot(actions, N_ACTIONS)), 1);
  const policyLoss = tf.neg(tf.mean(tf.mul(advantages, chosenLogProbs)));
  const negEntropy = tf.mean(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1));
  return tf.addN([tf.mul(ENTROPY_BETA, negEntropy), valueLoss, policyLoss]) as tf.Scalar;
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): Array<{ name: string; tensor: tf.Tensor }> {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(maxNorm, norm));
  return Object.entries(grads).map(([name, g]) => ({ name, tensor: tf.mul(g, scale) }));
}

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/**
 * Median wall ms and mean process CPU ms per call of `step` over `seconds`,
 * after warm-up. The median, because other processes preempt some calls.
 */
function time(step: () => void, seconds: number): Timing {
  for (let i = 0; i < WARMUP_STEPS; i++) step();
  const durations: number[] = [];
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    const callStart = performance.now();
    step();
    durations.push(performance.now() - callStart);
  }
  const cpu = process.cpuUsage(cpuStart);
  durations.sort((p, q) => p - q);
  return { wallMs: durations[Math.floor(durations.length / 2)], cpuMs: (cpu.user + cpu.system) / US_PER_MS / durations.length };
}

function measure(path: BenchOneDnnResult['path'], { batch, seconds }: BenchOneDnnArgs): BenchOneDnnResult {
  const net = makeNet();
  const optimizer = tf.train.adam(LEARNING_RATE, ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON);
  // tfjs has no uint8 tensors; frames arrive as int32 pixel values.
  const frames = tf.randomUniform([batch, ...OBSERVATION_SHAPE], 0, PIXEL_SCALE, 'int32', SEED) as tf.Tensor4D;
  const actions = tf.randomUniform([batch], 0, N_ACTIONS, 'int32', SEED + 1) as tf.Tensor1D;
  const returns = tf.randomNormal([batch], 0, 1, 'float32', SEED + 2) as tf.Tensor1D;
  try {
    const gradients = () => tf.variableGrads(() => a3cLoss(net, frames, actions, returns));
    const inference = time(() => tf.tidy(() => void forward(net, frames).logits.dataSync()), seconds);
    const forwardBackward = time(() => tf.tidy(() => void gradients().value.dataSync()), seconds);
    const train = time(
      () =>
        tf.tidy(() => {
          const { value: loss, grads } = gradients();
          optimizer.applyGradients(clipByGlobalNorm(grads, CLIP_GRAD));
          const lossValue = loss.dataSync()[0];
          if (!Number.isFinite(lossValue)) throw new Error(`${path} batch ${batch}: loss is ${lossValue}`);
        }),
      seconds,
    );
    const round = (x: number) => Math.round(x * 100) / 100;
    return {
      path,
      batch,
      forwardMs: round(inference.wallMs),
      forwardBackwardMs: round(forwardBackward.wallMs),
      trainMs: round(train.wallMs),
      forwardCpuMs: round(inference.cpuMs),
      forwardBackwardCpuMs: round(forwardBackward.cpuMs),
      trainCpuMs: round(train.cpuMs),
      forwardSamplesPerS: Math.round((batch * MS_PER_S) / inference.wallMs),
      trainSamplesPerS: Math.round((batch * MS_PER_S) / train.wallMs),
    };
  } finally {
    optimizer.dispose();
    tf.dispose([frames, actions, returns, ...Object.values(net).flat().flatMap((d: Dense) => [d.w, d.b])]);
  }
}

/** Prints one JSON line per path (wasm, then native when the addon loads) and returns them. */
export async function benchOneDnn(args: BenchOneDnnArgs): Promise<BenchOneDnnResult[]> {
  await initBackend({ backend: 'wasm', threads: 1 });
  unregisterOneDnnKernels();
  const results = [measure('wasm', args)];
  console.log(JSON.stringify(results[0]));
  if (registerOneDnnKernels()) {
    try {
      results.push(measure('native', args));
      console.log(JSON.stringify(results[1]));
    } finally {
      unregisterOneDnnKernels();
    }
  } else {
    console.log(JSON.stringify({ path: 'native', batch: args.batch, skipped: oneDnnStatus().reason }));
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const secondsAt = argv.indexOf('--seconds');
  const seconds = secondsAt >= 0 ? Number(argv.splice(secondsAt, 2)[1]) : DEFAULT_SECONDS;
  const batches = argv.length > 0 ? argv.map(Number) : DEFAULT_BATCHES;
  for (const batch of batches) await benchOneDnn({ batch, seconds });
}
