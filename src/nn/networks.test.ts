import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../utils/rng.js';
import { initBackend } from './kernels/backend.js';
import { createNet, type ActorCriticOutput, type AtariSpec, type CategoricalOutput, type MlpSpec } from './networks.js';

const MLP: MlpSpec = { kind: 'mlp', obsSize: 4, numActions: 2, hidden: [128] };
const ATARI: AtariSpec = { kind: 'atari', inputShape: [4, 84, 84], numActions: 6 };
/** The smallest frames the conv stack takes: 36 -> 8 -> 3 -> 1 pixels. */
const SMALL_ATARI: AtariSpec = { kind: 'atari', inputShape: [4, 36, 36], numActions: 3 };
/**
 * Outputs against float64 JS: float32 rounding is ~1e-8 here, while a slip such as x / 255 for
 * x / 256 moves the Atari logits by ~3e-5.
 */
const FORWARD_TOLERANCE = 1e-6;

/** The output of a net built from a categorical spec. */
function categorical(out: ActorCriticOutput): CategoricalOutput {
  assert.ok('logits' in out, 'a categorical head');
  return out;
}

function randomPixels(size: number, rng: Rng): Float32Array {
  return Float32Array.from({ length: size }, () => rng.integer(256));
}

describe('networks', () => {
  before(async () => {
    await initBackend();
  });

  it('counts parameters as PyTorch does for MlpA2C, AtariA2C and the A3C paper\'s net', () => {
    const mlp = createNet(MLP, 0);
    const atari = createNet(ATARI, 0);
    const paper = createNet({ ...ATARI, arch: 'a3c-paper' }, 0);
    try {
      // Linear(4, 128) + Linear(128, 2) + Linear(128, 1), weights and biases.
      assert.equal(mlp.numParams, 4 * 128 + 128 + 128 * 2 + 2 + 128 + 1);
      const conv = 8 * 8 * 4 * 32 + 32 + 4 * 4 * 32 * 64 + 64 + 3 * 3 * 64 * 64 + 64;
      const heads = 2 * (3136 * 512 + 512) + 512 * 6 + 6 + 512 + 1;
      assert.equal(atari.numParams, conv + heads);
      assert.equal(atari.variables.length, 14);
      // Mnih et al. 2016's net: 84 -> 20 -> 9 pixels, 9 * 9 * 32 = 2592 features, one 256-unit layer.
      assert.equal(paper.numParams, 8 * 8 * 4 * 16 + 16 + 4 * 4 * 16 * 32 + 32 + 2592 * 256 + 256 + 256 * 6 + 6 + 256 + 1);
      assert.equal(paper.variables.length, 10);
    } finally {
      mlp.dispose();
      atari.dispose();
      paper.dispose();
    }
  });

  it('outputs logits [batch, numActions] and values [batch]', () => {
    const rng = new Rng(1);
    for (const [spec, obsShape] of [
      [MLP, [5, 4]],
      [ATARI, [3, 4, 84, 84]],
    ] as const) {
      const net = createNet(spec, 1);
      const size = obsShape.reduce((p: number, d: number) => p * d, 1);
      const out = categorical(tf.tidy(() => net.forward(tf.tensor(randomPixels(size, rng), [...obsShape]))));
      assert.deepEqual(out.logits.shape, [obsShape[0], spec.numActions]);
      assert.deepEqual(out.value.shape, [obsShape[0]]);
      tf.dispose([out.logits, out.value]);
      net.dispose();
    }
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = createNet(SMALL_ATARI, 7);
    const b = createNet(SMALL_ATARI, 7);
    const c = createNet(SMALL_ATARI, 8);
    try {
      assert.deepEqual(a.getParams(), b.getParams());
      assert.notDeepEqual(a.getParams(), c.getParams());
    } finally {
      [a, b, c].forEach((net) => net.dispose());
    }
  });

  it('initialises every variable U(-1/sqrt(fanIn), 1/sqrt(fanIn)) as PyTorch does', () => {
    const net = createNet(ATARI, 3);
    try {
      // fan-in per variable in order: conv filters in*k*k (bias shares its layer's), then Linear inputs.
      const fanIns = [4 * 64, 4 * 64, 32 * 16, 32 * 16, 64 * 9, 64 * 9, 3136, 3136, 512, 512, 3136, 3136, 512, 512];
      net.variables.forEach((variable, i) => {
        const bound = 1 / Math.sqrt(fanIns[i]);
        const values = variable.dataSync();
        let sumOfSquares = 0;
        for (const v of values) {
          assert.ok(Math.abs(v) <= bound, `variable ${i}: ${v} outside ±${bound}`);
          sumOfSquares += v * v;
        }
        if (values.length >= 10_000) {
          // A uniform on ±bound has standard deviation bound / sqrt(3).
          const std = Math.sqrt(sumOfSquares / values.length);
          assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.05, `variable ${i}: std ${std} for bound ${bound}`);
        }
      });
    } finally {
      net.dispose();
    }
  });

  it('round-trips parameters through getParams and setParams', () => {
    const net = createNet(MLP, 2);
    const rng = new Rng(2);
    try {
      const flat = Float32Array.from({ length: net.numParams }, () => rng.uniform(-1, 1));
      net.setParams(flat);
      assert.deepEqual(net.getParams(), flat);
      const out = new Float32Array(net.numParams);
      assert.equal(net.getParams(out), out);
      assert.deepEqual(out, flat);
      // Variables come in order, weight [in, out] before bias: the first is Linear(4, 128).weight.
      assert.deepEqual(net.variables[0].dataSync(), flat.subarray(0, 4 * 128));
      assert.throws(() => net.setParams(new Float32Array(3)), /3 values; the network has 1027 parameters/);
    } finally {
      net.dispose();
    }
  });

  it('computes the MLP forward pass as its definition in plain JS', () => {
    const spec: MlpSpec = { kind: 'mlp', obsSize: 3, numActions: 2, hidden: [5, 4] };
    const net = createNet(spec, 4);
    const rng = new Rng(4);
    try {
      const obs = Float32Array.from({ length: 2 * 3 }, () => rng.uniform(-2, 2));
      const out = categorical(tf.tidy(() => net.forward(tf.tensor2d(obs, [2, 3]))));
      const logits = out.logits.dataSync();
      const values = out.value.dataSync();
      tf.dispose([out.logits, out.value]);
      const params = net.getParams();
      let offset = 0;
      const layer = (x: number[], inSize: number, outSize: number, relu: boolean): number[] => {
        const w = params.subarray(offset, offset + inSize * outSize);
        const b = params.subarray(offset + inSize * outSize, offset + inSize * outSize + outSize);
        offset += inSize * outSize + outSize;
        return Array.from({ length: outSize }, (_, j) => {
          let sum = b[j];
          for (let i = 0; i < inSize; i++) sum += x[i] * w[i * outSize + j];
          return relu ? Math.max(0, sum) : sum;
        });
      };
      for (let row = 0; row < 2; row++) {
        offset = 0;
        const h1 = layer(Array.from(obs.subarray(row * 3, row * 3 + 3)), 3, 5, true);
        const h2 = layer(h1, 5, 4, true);
        const expectedLogits = layer(h2, 4, 2, false);
        const [expectedValue] = layer(h2, 4, 1, false);
        expectedLogits.forEach((l, j) => assert.ok(Math.abs(logits[row * 2 + j] - l) < FORWARD_TOLERANCE, `logit ${row},${j}: ${logits[row * 2 + j]} vs ${l}`));
        assert.ok(Math.abs(values[row] - expectedValue) < FORWARD_TOLERANCE, `value ${row}: ${values[row]} vs ${expectedValue}`);
      }
    } finally {
      net.dispose();
    }
  });

  /**
   * Each arch's forward pass against its definition in plain JS, on the smallest frames its
   * convolutions take (a 1x1 output, whose channels-last flatten is just the channels), and the
   * layers after the flatten: 'lapan' [policy fc1, fc2, value fc1, fc2], 'a3c-paper' [shared, policy, value].
   */
  const FORWARD_CASES = [
    {
      spec: SMALL_ATARI,
      convs: [
        { out: 32, k: 8, s: 4 },
        { out: 64, k: 4, s: 2 },
        { out: 64, k: 3, s: 1 },
      ],
    },
    {
      spec: { kind: 'atari', inputShape: [4, 20, 20], numActions: 3, arch: 'a3c-paper' } as AtariSpec,
      convs: [
        { out: 16, k: 8, s: 4 },
        { out: 32, k: 4, s: 2 },
      ],
    },
  ];
  for (const { spec, convs } of FORWARD_CASES) {
    it(`computes the ${spec.arch ?? 'lapan'} Atari forward pass as its definition in plain JS (channels first, x / 256)`, () => {
      const net = createNet(spec, 5);
      const rng = new Rng(5);
      try {
        const [channels, size] = [spec.inputShape[0], spec.inputShape[1]];
        const pixels = randomPixels(channels * size * size, rng);
        const out = categorical(tf.tidy(() => net.forward(tf.tensor4d(pixels, [1, channels, size, size]))));
        const logits = out.logits.dataSync();
        const value = out.value.dataSync()[0];
        tf.dispose([out.logits, out.value]);
        const vars = net.variables.map((v) => v.dataSync());
        // Feature maps as [channel][row][col], PyTorch's layout; filters are tfjs's [kh][kw][in][out].
        let maps: number[][][] = Array.from({ length: channels }, (_, c) =>
          Array.from({ length: size }, (_, y) => Array.from({ length: size }, (_, x) => pixels[(c * size + y) * size + x] / 256)),
        );
        convs.forEach(({ out: outC, k, s }, layerIndex) => {
          const filter = vars[2 * layerIndex];
          const bias = vars[2 * layerIndex + 1];
          const inC = maps.length;
          const outSize = Math.floor((maps[0].length - k) / s) + 1;
          maps = Array.from({ length: outC }, (_, o) =>
            Array.from({ length: outSize }, (_, y) =>
              Array.from({ length: outSize }, (_, x) => {
                let sum = bias[o];
                for (let ky = 0; ky < k; ky++)
                  for (let kx = 0; kx < k; kx++)
                    for (let c = 0; c < inC; c++) sum += maps[c][y * s + ky][x * s + kx] * filter[((ky * k + kx) * inC + c) * outC + o];
                return Math.max(0, sum);
              }),
            ),
          );
        });
        const features = maps.map((m) => m[0][0]);
        const dense = vars.slice(2 * convs.length);
        const linear = (x: number[], layer: number, relu: boolean) => {
          const [w, b] = [dense[2 * layer], dense[2 * layer + 1]];
          return Array.from(b, (bj, j) => {
            let sum = bj;
            x.forEach((xi, i) => (sum += xi * w[i * b.length + j]));
            return relu ? Math.max(0, sum) : sum;
          });
        };
        let expectedLogits: number[];
        let expectedValue: number;
        if (spec.arch === 'a3c-paper') {
          const hidden = linear(features, 0, true);
          expectedLogits = linear(hidden, 1, false);
          [expectedValue] = linear(hidden, 2, false);
        } else {
          expectedLogits = linear(linear(features, 0, true), 1, false);
          [expectedValue] = linear(linear(features, 2, true), 3, false);
        }
        expectedLogits.forEach((l, j) => assert.ok(Math.abs(logits[j] - l) < FORWARD_TOLERANCE, `logit ${j}: ${logits[j]} vs ${l}`));
        assert.ok(Math.abs(value - expectedValue) < FORWARD_TOLERANCE, `value: ${value} vs ${expectedValue}`);
      } finally {
        net.dispose();
      }
    });
  }

  it('runs its LSTM as PyTorch defines one (gates i, f, g, o), time-major, resetting the state where an episode starts', () => {
    const cells = 3;
    const [steps, sequences, obsSize] = [2, 2, 2];
    const net = createNet({ kind: 'mlp', obsSize, numActions: 2, hidden: [], lstmCells: cells }, 7);
    const rng = new Rng(7);
    try {
      const obs = Float32Array.from({ length: steps * sequences * obsSize }, () => rng.uniform(-1, 1));
      const state0 = Float32Array.from({ length: sequences * 2 * cells }, () => rng.uniform(-1, 1));
      // Row 3 (step 1 of sequence 1) begins an episode.
      const starts = [0, 0, 0, 1];
      const out = categorical(
        tf.tidy(() => net.forward(tf.tensor2d(obs, [steps * sequences, obsSize]), { state: tf.tensor2d(state0, [sequences, 2 * cells]), episodeStarts: tf.tensor1d(starts), steps })),
      );
      const [logits, state] = [out.logits.dataSync(), out.state!.dataSync()];
      tf.dispose([out.logits, out.value, out.state!]);
      const [kernel, recurrentKernel, bias, policyW, policyB] = net.variables.map((v) => v.dataSync());
      const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
      const g4 = 4 * cells;
      const h = [0, 1].map((i) => Array.from(state0.subarray(i * 2 * cells, i * 2 * cells + cells)));
      const c = [0, 1].map((i) => Array.from(state0.subarray(i * 2 * cells + cells, (i + 1) * 2 * cells)));
      for (let t = 0; t < steps; t++) {
        for (let i = 0; i < sequences; i++) {
          const row = t * sequences + i;
          if (starts[row] === 1) [h[i], c[i]] = [h[i].map(() => 0), c[i].map(() => 0)];
          const gate = (k: number) => {
            let sum = bias[k];
            for (let j = 0; j < obsSize; j++) sum += obs[row * obsSize + j] * kernel[j * g4 + k];
            for (let j = 0; j < cells; j++) sum += h[i][j] * recurrentKernel[j * g4 + k];
            return sum;
          };
          const next = Array.from({ length: cells }, (_, u) => {
            const [ig, fg, gg, og] = [0, 1, 2, 3].map((q) => gate(q * cells + u));
            const cell = sigmoid(fg) * c[i][u] + sigmoid(ig) * Math.tanh(gg);
            return { cell, out: sigmoid(og) * Math.tanh(cell) };
          });
          [h[i], c[i]] = [next.map((n) => n.out), next.map((n) => n.cell)];
          for (let a = 0; a < 2; a++) {
            let logit = policyB[a];
            for (let u = 0; u < cells; u++) logit += h[i][u] * policyW[u * 2 + a];
            assert.ok(Math.abs(logits[row * 2 + a] - logit) < FORWARD_TOLERANCE, `row ${row} logit ${a}: ${logits[row * 2 + a]} vs ${logit}`);
          }
        }
      }
      const expectedState = [0, 1].flatMap((i) => [...h[i], ...c[i]]);
      expectedState.forEach((v, k) => assert.ok(Math.abs(state[k] - v) < FORWARD_TOLERANCE, `state ${k}: ${state[k]} vs ${v}`));
      assert.throws(() => net.forward(tf.zeros([2, obsSize])), /needs its LSTM state/);
    } finally {
      net.dispose();
    }
  });

  it('rejects observations of the wrong shape and frames too small for the conv stack', () => {
    const net = createNet(MLP, 0);
    try {
      assert.throws(() => net.forward(tf.zeros([2, 5])), /expected observations \[batch, 4\]; got \[2, 5\]/);
    } finally {
      net.dispose();
    }
    assert.throws(() => createNet({ kind: 'atari', inputShape: [4, 30, 30], numActions: 2 }, 0), /too small/);
    assert.throws(() => createNet({ kind: 'atari', inputShape: [4, 84, 84], numActions: 2, lstmCells: 8 }, 0), /no shared hidden layer to put an LSTM after/);
    assert.throws(() => createNet({ kind: 'mlp', obsSize: 4, numActions: 2, hidden: [0] }, 0), /positive integers/);
  });

  it('keeps the tensor count flat across forward passes and parameter loads', () => {
    const net = createNet(MLP, 6);
    try {
      const flat = net.getParams();
      const step = () => {
        const out = categorical(tf.tidy(() => net.forward(tf.ones([3, 4]))));
        tf.dispose([out.logits, out.value]);
        net.setParams(flat);
        net.getParams(flat);
      };
      step();
      const tensors = tf.memory().numTensors;
      step();
      step();
      assert.equal(tf.memory().numTensors, tensors);
    } finally {
      net.dispose();
    }
  });
});

describe('Gaussian MLP heads (Box actions)', () => {
  before(async () => {
    await initBackend();
  });

  const gaussian = (std: 'state-independent' | 'state-dependent', logStdInit = -0.5): MlpSpec => ({
    kind: 'mlp',
    obsSize: 3,
    numActions: 2,
    hidden: [8],
    gaussian: { std, logStdInit },
  });
  const forward = (net: ReturnType<typeof createNet>, obs: tf.Tensor) => {
    const out = tf.tidy(() => net.forward(obs));
    assert.ok('mean' in out, 'a Gaussian head');
    const read = { mean: out.mean.dataSync(), logStd: out.logStd.dataSync(), value: out.value.dataSync(), shapes: [out.mean.shape, out.logStd.shape, out.value.shape] };
    tf.dispose([out.mean, out.logStd, out.value]);
    return read;
  };

  it('state-independent: a learned log sigma per action dimension, between the mean head and the value head', () => {
    const net = createNet(gaussian('state-independent'), 1);
    try {
      // Linear(3, 8) + mean Linear(8, 2) + log sigma [2] + value Linear(8, 1).
      assert.equal(net.numParams, 3 * 8 + 8 + 8 * 2 + 2 + 2 + 8 + 1);
      assert.deepEqual(net.variables.map((v) => v.shape), [[3, 8], [8], [8, 2], [2], [2], [8, 1], [1]]);
      const out = forward(net, tf.randomNormal([5, 3], 0, 1, 'float32', 1));
      assert.deepEqual(out.shapes, [[5, 2], [5, 2], [5]]);
      assert.ok(out.logStd.every((s) => Math.abs(s - -0.5) < 1e-7), 'every state starts at logStdInit');
      // The log sigma vector is a parameter: loading new values moves every state's sigma.
      const params = net.getParams();
      params.set([0.3, -2], 3 * 8 + 8 + 8 * 2 + 2);
      net.setParams(params);
      assert.deepEqual(Array.from(forward(net, tf.ones([2, 3])).logStd), [0.3, -2, 0.3, -2].map(Math.fround));
    } finally {
      net.dispose();
    }
  });

  it('state-dependent: sigma^2 = softplus(layer) + 1e-6 of the body, starting at exp(logStdInit) where the weights are zero', () => {
    const net = createNet(gaussian('state-dependent', -1), 2);
    try {
      assert.equal(net.numParams, 3 * 8 + 8 + 8 * 2 + 2 + 8 * 2 + 2 + 8 + 1);
      const params = net.getParams();
      const stdWeights = 3 * 8 + 8 + 8 * 2 + 2;
      params.fill(0, stdWeights, stdWeights + 8 * 2);
      net.setParams(params);
      const out = forward(net, tf.randomNormal([4, 3], 0, 1, 'float32', 2));
      assert.ok(out.logStd.every((s) => Math.abs(s - -1) < 1e-5), `log sigma ${Array.from(out.logStd)}`);
      // With its weights the sigma varies with the state.
      const varied = createNet(gaussian('state-dependent', -1), 2);
      const logStd = forward(varied, tf.randomNormal([4, 3], 0, 1, 'float32', 2)).logStd;
      varied.dispose();
      assert.ok(new Set(Array.from(logStd)).size > 1);
    } finally {
      net.dispose();
    }
  });

  it('refuses a non-finite logStdInit and an unknown std parameterisation', () => {
    assert.throws(() => createNet(gaussian('state-independent', NaN), 0), /logStdInit must be a finite number; got NaN/);
    assert.throws(() => createNet({ ...gaussian('state-independent'), gaussian: { std: 'softplus' as never, logStdInit: 0 } }, 0), /std must be "state-independent" or "state-dependent"; got "softplus"/);
  });
});
