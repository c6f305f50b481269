/**
 * Learner throughput of an actor-critic net (Lapan's Atari A2C net unless told otherwise) on our tfjs set-up: training samples/s (forward,
 * an A3C-shaped loss, backward, flat gradient read, clip by global norm, Adam, parameters loaded
 * back into the net) and forward-only samples/s, on random frames. Compare with
 * /work/shared/reference/pytorch-a3c/learner_bench.py, one torch thread on the same 2 cores:
 * 848 and 1,279 train samples/s at batch 32 and 128, forward ~4,000 samples/s.
 *
 *   node dist/bench/learner.js [--seconds S] [--threads N] [--busy-threads K] [batch ...]
 *
 * --busy-threads K runs K spinning worker threads alongside, standing in for env workers, to
 * compare --threads 1 and 2 when the cores are not idle. Prints one JSON line per batch size.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/utils/rng.js';
import { initBackend } from '../src/nn/kernels/backend.js';
import { clipGradNorm, flatGradients } from '../src/nn/gradients.js';
import { createNet, type ActorCriticNet, type AtariSpec, type CategoricalOutput, type NetSpec } from '../src/nn/networks.js';
import { Adam } from '../src/nn/optimizers.js';

export interface BenchLearnerArgs {
  batch: number;
  /** Measuring time for each of train and forward, after warm-up. */
  seconds: number;
  /** The net to train; Lapan's Atari net on Pong when absent. */
  spec?: NetSpec;
}

export interface BenchLearnerResult {
  batch: number;
  trainSamplesPerS: number;
  forwardSamplesPerS: number;
  trainMsPerStep: number;
  forwardMsPerBatch: number;
  /**
   * CPU time of this whole process per step or batch. With one thread and no busy threads it
   * is the time the work needs, whatever else competes for the cores.
   */
  trainCpuMsPerStep: number;
  forwardCpuMsPerBatch: number;
  /** Parts of a train step: forward + loss + backward + gradient read, then clip + Adam + setParams. */
  gradientMs: number;
  updateMs: number;
}

/** Lapan, Deep RL Hands-On 2nd ed., ch. 13 on Pong: 6 actions, and its A3C hyper-parameters. */
export const ATARI_PONG_SPEC: AtariSpec = { kind: 'atari', inputShape: [4, 84, 84], numActions: 6 };
const LEARNING_RATE = 1e-3;
const ADAM_EPS = 1e-3;
const ENTROPY_BETA = 0.01;
const CLIP_GRAD = 0.1;
const SEED = 0;
const PIXEL_LEVELS = 256;

const WARMUP_MIN_STEPS = 3;
const WARMUP_MIN_S = 1;
const DEFAULT_SECONDS = 5;
const DEFAULT_BATCHES = [32, 128];

/** Identity with a zero gradient: tfjs has no stop_gradient. */
const detach = tf.customGrad(((x: tf.Tensor) => ({ value: x.clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<
  typeof tf.customGrad
>[0]) as (x: tf.Tensor) => tf.Tensor;

/** The reference's a3c_loss: value MSE + advantage-weighted policy log-likelihood + entropy bonus. */
function a3cLoss(net: ActorCriticNet, obs: tf.Tensor, actions: tf.Tensor1D, targets: tf.Tensor1D): tf.Scalar {
  const { numActions } = net.spec;
  const { logits, value } = net.forward(obs) as CategoricalOutput;
  const valueLoss = tf.mean(tf.square(tf.sub(targets, value)));
  const logProbs = tf.logSoftmax(logits);
  const advantages = tf.sub(targets, detach(value));
  const taken = tf.sum(tf.mul(logProbs, tf.oneHot(actions, numActions)), 1);
  const policyLoss = tf.neg(tf.mean(tf.mul(advantages, taken)));
  const negEntropy = tf.mean(tf.sum(tf.mul(tf.exp(logProbs), logProbs), 1));
  return tf.addN([tf.mul(ENTROPY_BETA, negEntropy), valueLoss, policyLoss]) as tf.Scalar;
}

/** Runs `fn` through a warm-up, then for `seconds`; returns wall and process CPU ms per call. */
function timePerCall(fn: () => void, seconds: number): { wallMs: number; cpuMs: number } {
  const warmupStart = performance.now();
  for (let i = 0; i < WARMUP_MIN_STEPS || performance.now() - warmupStart < WARMUP_MIN_S * 1000; i++) fn();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let calls = 0;
  while (performance.now() - start < seconds * 1000) {
    fn();
    calls++;
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wallMs: (performance.now() - start) / calls, cpuMs: (cpu.user + cpu.system) / 1000 / calls };
}

/** Random observations [batch, ...obsShape]: pixel values for the Atari net, standard normals for an MLP. */
function randomObservations(spec: NetSpec, batch: number, rng: Rng): tf.Tensor {
  const obsShape = spec.kind === 'atari' ? spec.inputShape : [spec.obsSize];
  const size = batch * obsShape.reduce((p, d) => p * d, 1);
  const sample = spec.kind === 'atari' ? () => rng.integer(PIXEL_LEVELS) : () => rng.normal();
  return tf.tensor(Float32Array.from({ length: size }, sample), [batch, ...obsShape]);
}

export function benchLearner({ batch, seconds, spec = ATARI_PONG_SPEC }: BenchLearnerArgs): BenchLearnerResult {
  const rng = new Rng(SEED);
  const net = createNet(spec, SEED);
  const obs = randomObservations(spec, batch, rng);
  const actions = tf.tensor1d(Int32Array.from({ length: batch }, () => rng.integer(spec.numActions)), 'int32');
  const targets = tf.tensor1d(Float32Array.from({ length: batch }, () => rng.normal()));
  const params = net.getParams();
  const grads = new Float32Array(net.numParams);
  const adam = new Adam(net.numParams, { lr: LEARNING_RATE, eps: ADAM_EPS });
  let gradientTotalMs = 0;
  let updateTotalMs = 0;
  let steps = 0;
  const trainStep = () => {
    const t0 = performance.now();
    flatGradients(net, () => a3cLoss(net, obs, actions, targets), grads);
    const t1 = performance.now();
    clipGradNorm(grads, CLIP_GRAD);
    adam.step(params, grads);
    net.setParams(params);
    gradientTotalMs += t1 - t0;
    updateTotalMs += performance.now() - t1;
    steps++;
  };
  const forward = () => {
    const out = tf.tidy(() => net.forward(obs)) as CategoricalOutput;
    out.logits.dataSync();
    tf.dispose([out.logits, out.value]);
  };
  try {
    const train = timePerCall(trainStep, seconds);
    const forwardOnly = timePerCall(forward, seconds);
    return {
      batch,
      trainSamplesPerS: round((batch * 1000) / train.wallMs),
      forwardSamplesPerS: round((batch * 1000) / forwardOnly.wallMs),
      trainMsPerStep: round(train.wallMs),
      forwardMsPerBatch: round(forwardOnly.wallMs),
      trainCpuMsPerStep: round(train.cpuMs),
      forwardCpuMsPerBatch: round(forwardOnly.cpuMs),
      gradientMs: round(gradientTotalMs / steps),
      updateMs: round(updateTotalMs / steps),
    };
  } finally {
    tf.dispose([obs, actions, targets]);
    net.dispose();
  }
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** A worker thread that spins until terminated: CPU load standing in for an env worker. */
function startBusyThread(): Worker {
  return new Worker('let x = 0; for (;;) x = (x * 1.0000001 + 1) % 1e9;', { eval: true });
}

async function main(argv: string[]): Promise<void> {
  let seconds = DEFAULT_SECONDS;
  let threads = 1;
  let busyThreads = 0;
  const batches: number[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seconds') seconds = Number(argv[++i]);
    else if (arg === '--threads') threads = Number(argv[++i]);
    else if (arg === '--busy-threads') busyThreads = Number(argv[++i]);
    else if (/^\d+$/.test(arg)) batches.push(Number(arg));
    else throw new Error(`unknown argument "${arg}"; usage: learner.js [--seconds S] [--threads N] [--busy-threads K] [batch ...]`);
  }
  const backend = await initBackend({ threads });
  const busy = Array.from({ length: busyThreads }, startBusyThread);
  try {
    for (const batch of batches.length > 0 ? batches : DEFAULT_BATCHES) {
      console.log(JSON.stringify({ backend, busyThreads, ...benchLearner({ batch, seconds }) }));
    }
  } finally {
    await Promise.all(busy.map((worker) => worker.terminate()));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
