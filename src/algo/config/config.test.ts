import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  CONFIG_FIELDS,
  ConfigError,
  ENV_DEFAULTS,
  ENV_MODE_DEFAULTS,
  PRESET_NAMES,
  PRESETS,
  REFERENCE_DEFAULTS,
  TRANSPORT_SAVE_EVERY,
  integerFromText,
  numberFromText,
  withoutSecrets,
  type TrainConfig,
} from './config.js';
import { resolveConfig } from '../training/resolve-config.js';

const CLI = fileURLToPath(new URL('../../cli/main.js', import.meta.url));

function a3c(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const kebabCase = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** One invalid value per key; typed so that a new field cannot go without one. */
const INVALID: Record<keyof TrainConfig, unknown> = {
  env: '',
  preset: 'nature',
  envModule: 42,
  mode: 'fast',
  workers: 0,
  envsPerWorker: 2.5,
  seed: -1,
  gamma: 1.5,
  optimizer: 'sgd',
  lr: 'fast',
  lrSchedule: 'cosine',
  adamEps: 0,
  rmspropAlpha: 1.01,
  rmspropEps: 0,
  entCoef: -0.01,
  valueCoef: -1,
  nSteps: null,
  returns: 'backward-view',
  gaeLambda: 1.5,
  maxGradNorm: Infinity,
  microBatch: '32',
  batchSize: -128,
  gradBatch: 0,
  trainBatch: 1.5,
  atariNet: 'nature',
  atariBackend: 'cuda',
  policy: 'gru',
  lstmCells: 0,
  hidden: [],
  policyStd: 'softplus',
  logStdInit: 'small',
  noiseHoldSteps: 0,
  normalizeObs: 'yes',
  normalizeReward: 1,
  stopReward: NaN,
  maxSteps: 0,
  maxSeconds: -1,
  checkpoint: '',
  saveEvery: 0.5,
  keepCheckpoints: 0,
  evalEvery: 0,
  evalEpisodes: 1.5,
  logdir: 7,
  maxQueuedPerWorker: 0,
  maxStaleness: -1,
  transport: 'http://127.0.0.1:6379',
  run: 'my run',
  redisCa: '',
  redisCert: 3,
  redisKey: false,
  wireDtype: 'float8',
};

test('train --help lists a flag for every config key, with its placeholder, help and default', () => {
  const help = a3c('train', '--help');
  assert.equal(help.code, 0, help.stderr);
  const text = help.stdout.replace(/\s+/g, ' ');
  for (const [key, field] of Object.entries(CONFIG_FIELDS)) {
    const shown = field.default === null ? '' : ` (default ${String(field.default)}`;
    assert.ok(text.includes(`--${kebabCase(key)} ${field.arg} ${field.help}${shown}`), `--${kebabCase(key)} in:\n${help.stdout}`);
    if (field.kind.isSwitch) assert.ok(text.includes(`--no-${kebabCase(key)} the same as --${kebabCase(key)} false`), `--no-${kebabCase(key)} in:\n${help.stdout}`);
  }
  assert.deepEqual(Object.keys(REFERENCE_DEFAULTS), Object.keys(CONFIG_FIELDS));
});

test("a flag's value reaches its config key and is validated there", () => {
  const r = a3c('train', '--max-queued-per-worker', '0');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), 'a3c: maxQueuedPerWorker must be a positive integer, got 0');
  const list = a3c('train', '--hidden', '64,x');
  assert.notEqual(list.code, 0);
  assert.equal(list.stderr.trim(), `error: option '--hidden <sizes>' argument '64,x' is invalid. "x" is not a number.`);
});

test('every field rejects an invalid value with a one-line ConfigError naming the key', () => {
  for (const [key, value] of Object.entries(INVALID)) {
    assert.throws(
      () => resolveConfig({ [key]: value }),
      (err: unknown) => err instanceof ConfigError && new RegExp(`\\b${key}\\b`).test(err.message) && !err.message.includes('\n'),
      `${key}: ${JSON.stringify(value)}`,
    );
  }
  assert.throws(() => resolveConfig({ workers: -2 }), { message: 'workers must be a non-negative integer, got -2' });
  assert.throws(() => resolveConfig({ mode: 'fast' as TrainConfig['mode'] }), { message: 'unknown mode "fast"; expected one of data, grad, a2c, hogwild' });
});

test("each field's flag parser reads its default back from text", () => {
  for (const [key, field] of Object.entries(CONFIG_FIELDS)) {
    if (field.kind.parse && field.default !== null) assert.deepEqual(field.kind.parse(String(field.default)), field.default, key);
  }
  assert.throws(() => numberFromText(' '), { message: '" " is not a number.' });
  assert.throws(() => integerFromText('1.5'), { message: '"1.5" is not an integer.' });
});

test('layers merge as defaults < env defaults < file < flags; undefined values are skipped', () => {
  assert.deepEqual(resolveConfig(), { ...REFERENCE_DEFAULTS, ...ENV_DEFAULTS['CartPole-v1'] });
  const pong = resolveConfig({ env: 'PongNoFrameskip-v4' });
  assert.equal(pong.maxQueuedPerWorker, 2);
  assert.equal(pong.lr, 5e-4);
  assert.equal(pong.gamma, REFERENCE_DEFAULTS.gamma);
  const file = { env: 'PongNoFrameskip-v4', lr: 0.01, gamma: 0.9, maxQueuedPerWorker: 3 };
  const flags = { lr: 0.02, gamma: undefined };
  const config = resolveConfig(file, flags);
  assert.equal(config.lr, 0.02);
  assert.equal(config.gamma, 0.9);
  assert.equal(config.maxQueuedPerWorker, 3);
  assert.equal(config.stopReward, 18);
  assert.equal(config.adamEps, 1e-5, "Pong's Adam eps");
});

test('unknown keys are rejected, naming the known ones', () => {
  assert.throws(() => resolveConfig({ lrate: 0.01 } as Partial<TrainConfig>), {
    name: 'ConfigError',
    message: `unknown config key "lrate"; known keys: ${Object.keys(CONFIG_FIELDS).join(', ')}`,
  });
});

test('saveEvery needs a checkpoint folder', () => {
  assert.throws(() => resolveConfig({ saveEvery: 1000 }), { message: 'saveEvery needs a checkpoint folder to save to' });
  assert.equal(resolveConfig({ saveEvery: 1000, checkpoint: 'ckpt' }).saveEvery, 1000);
});

test('a transport needs a run name and an asynchronous mode; the trainer then runs no agents unless told to', () => {
  const transport = 'redis://:secret@127.0.0.1:6379/0';
  assert.throws(() => resolveConfig({ transport }), { message: 'a transport needs a run name: the name agents join with (--run NAME)' });
  assert.throws(() => resolveConfig({ transport, run: 'r', mode: 'a2c' }), /mode a2c runs its one agent in the trainer's thread/);
  assert.throws(() => resolveConfig({ workers: 0 }), { message: 'workers must be at least 1 without a transport (agents run as threads of this process)' });
  assert.equal(resolveConfig({ transport, run: 'r' }).workers, 0);
  assert.equal(resolveConfig({ transport, run: 'r', workers: 2 }).workers, 2);
  const saved = withoutSecrets(resolveConfig({ transport, run: 'r' }));
  assert.equal(saved.transport, 'redis://127.0.0.1:6379/0', 'the password is never saved');
  assert.equal(withoutSecrets(resolveConfig({ transport: 'redis://alice:pw@db:6380/2', run: 'r' })).transport, 'redis://alice@db:6380/2');
});

test('a Redis URL with a password is never echoed in an error; TLS files need rediss:// and a certificate its key', () => {
  assert.throws(() => resolveConfig({ transport: 'redis://:s3cret@db:6379/0 x', run: 'r' }), { message: 'transport must be a redis://[[USER]:PASSWORD@]HOST:PORT/DB URL, got "redis://:***@db:6379/0%20x"' });
  assert.throws(() => resolveConfig({ transport: 'redis://:s3cret@db:6379/0', run: 'r', redisCa: 'ca.pem' }), { message: 'transport "redis://db:6379/0": TLS files (--redis-ca) need a rediss:// URL' });
  assert.throws(() => resolveConfig({ transport: 'rediss://db:6379/0', run: 'r', redisCert: 'c.pem' }), { message: 'transport "rediss://db:6379/0": --redis-cert and --redis-key go together: give both (a client certificate and its key) or neither' });
  assert.equal(resolveConfig({ transport: 'rediss://db:6379/0', run: 'r', redisCa: 'ca.pem', redisCert: 'c.pem', redisKey: 'k.pem' }).redisCa, 'ca.pem');
  assert.throws(() => resolveConfig({ redisKey: 'k.pem' }), { message: 'redisCa, redisCert and redisKey are the TLS files of a rediss:// transport, and there is none' });
  assert.equal(resolveConfig({ transport: 'redis://db:6379/0', run: 'r', wireDtype: 'float16' }).wireDtype, 'float16');
  assert.throws(() => resolveConfig({ wireDtype: 'float16' }), {
    message: 'wireDtype float16 is for the Redis wire, and there is no transport: threads share float32 memory (give --transport, or leave --wire-dtype out)',
  });
});

test('with a transport and a checkpoint folder, periodic saves are on by default; given values, and runs without either, keep theirs', () => {
  const transport = 'redis://127.0.0.1:6379/0';
  assert.equal(resolveConfig({ transport, run: 'r', checkpoint: 'ckpt' }).saveEvery, TRANSPORT_SAVE_EVERY);
  assert.equal(resolveConfig({ transport, run: 'r', checkpoint: 'ckpt', saveEvery: 5000 }).saveEvery, 5000);
  assert.equal(resolveConfig({ transport, run: 'r', checkpoint: 'ckpt' }, { saveEvery: null }).saveEvery, null, 'null in a config file turns them off');
  assert.equal(resolveConfig({ transport, run: 'r' }).saveEvery, null, 'no folder to save to');
  assert.equal(resolveConfig({ checkpoint: 'ckpt' }).saveEvery, null, 'one host: SB3 saves periodically only when asked');
  const saved = resolveConfig({ transport, run: 'r', checkpoint: 'ckpt' });
  assert.equal(resolveConfig({ ...saved, saveEvery: null }).saveEvery, null, "a saved config's null stands (resume)");
});

test('the defaults are frozen and every env default resolves', () => {
  assert.ok(Object.isFrozen(REFERENCE_DEFAULTS));
  for (const env of Object.keys(ENV_DEFAULTS)) assert.equal(resolveConfig({ env }).env, env);
});

test("the Atari table's games train with Pong's settings; only Pong stops at its solved bound", () => {
  const pong = resolveConfig({ env: 'PongNoFrameskip-v4' });
  assert.equal(pong.stopReward, 18);
  for (const env of ['BreakoutNoFrameskip-v4', 'SpaceInvadersNoFrameskip-v4', 'BeamRiderNoFrameskip-v4', 'QbertNoFrameskip-v4', 'SeaquestNoFrameskip-v4']) {
    assert.deepEqual(resolveConfig({ env }), { ...pong, env, stopReward: null }, env);
  }
  // An Atari id outside the table keeps the reference's settings.
  assert.equal(resolveConfig({ env: 'AsterixNoFrameskip-v4' }).adamEps, REFERENCE_DEFAULTS.adamEps);
});

test("an env's mode-specific defaults apply over the mode's and under files and flags", () => {
  assert.equal(resolveConfig({ env: 'Pendulum-v1' }).lr, ENV_DEFAULTS['Pendulum-v1'].lr);
  const hogwild = resolveConfig({ env: 'Pendulum-v1', mode: 'hogwild' });
  assert.equal(hogwild.lr, ENV_MODE_DEFAULTS['Pendulum-v1'].hogwild!.lr);
  assert.equal(hogwild.maxGradNorm, 40, "hogwild's own default still applies");
  assert.equal(resolveConfig({ env: 'Pendulum-v1', mode: 'hogwild' }, { lr: 0.005 }).lr, 0.005);
  assert.equal(resolveConfig({ env: 'MountainCarContinuous-v0', mode: 'hogwild' }).lr, ENV_DEFAULTS['MountainCarContinuous-v0'].lr);
  for (const env of Object.keys(ENV_MODE_DEFAULTS)) assert.equal(resolveConfig({ env }).env, env);
});

test('boolean keys take true or false, from flags too', () => {
  assert.equal(resolveConfig({ normalizeObs: true }).normalizeObs, true);
  assert.equal(CONFIG_FIELDS.normalizeReward.kind.parse!('false'), false);
  assert.throws(() => CONFIG_FIELDS.normalizeObs.kind.parse!('yes'), { message: '"yes" is not true or false.' });
});

const LINEAR_NEEDS_MAX_STEPS =
  'lrSchedule linear anneals lr to 0 at maxSteps env steps and needs maxSteps: give --max-steps N or --lr-schedule constant';

test('lrSchedule linear needs maxSteps when asked for; from hogwild\'s default or a preset it stays constant without', () => {
  assert.throws(() => resolveConfig({ lrSchedule: 'linear' }), { name: 'ConfigError', message: LINEAR_NEEDS_MAX_STEPS });
  assert.throws(() => resolveConfig({ preset: 'paper', lrSchedule: 'linear' }), { message: LINEAR_NEEDS_MAX_STEPS });
  assert.equal(resolveConfig({ lrSchedule: 'linear', maxSteps: 1000 }).lrSchedule, 'linear');
  assert.equal(resolveConfig({ mode: 'hogwild' }).lrSchedule, 'constant');
  assert.equal(resolveConfig({ mode: 'hogwild', maxSteps: 1000 }).lrSchedule, 'linear');
  assert.equal(resolveConfig({ mode: 'hogwild', maxSteps: 1000, lrSchedule: 'constant' }).lrSchedule, 'constant');
  for (const preset of ['paper', 'baselines-a2c'] as const) {
    assert.equal(resolveConfig({ preset }).lrSchedule, 'constant', preset);
    assert.equal(resolveConfig({ preset, maxSteps: 1000 }).lrSchedule, 'linear', preset);
  }
});

test('the CLI refuses --lr-schedule linear without --max-steps in one line', () => {
  const r = a3c('train', '--lr-schedule', 'linear');
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim(), `a3c: ${LINEAR_NEEDS_MAX_STEPS}`);
});

test('every preset resolves for CartPole-v1 and PongNoFrameskip-v4, and a saved config resolves to itself', () => {
  assert.deepEqual(Object.keys(PRESETS), [...PRESET_NAMES]);
  for (const preset of PRESET_NAMES) {
    for (const env of ['CartPole-v1', 'PongNoFrameskip-v4']) {
      for (const maxSteps of [null, 1_000_000]) {
        const config = resolveConfig({ env, preset, maxSteps });
        assert.equal(config.preset, preset);
        for (const [key, value] of Object.entries(PRESETS[preset])) {
          if (key !== 'lrSchedule' || maxSteps !== null) assert.deepEqual(config[key as keyof TrainConfig], value, `${preset} ${env}: ${key}`);
        }
        // What a checkpoint saves and a resume or `eval` resolves again.
        assert.deepEqual(resolveConfig(JSON.parse(JSON.stringify(config)) as TrainConfig), config, `${preset} ${env} maxSteps ${maxSteps}`);
      }
    }
  }
});

test("lapan undoes Pong's tuning; paper and baselines-a2c are the published setups", () => {
  const lapan = resolveConfig({ env: 'PongNoFrameskip-v4', preset: 'lapan' });
  const reference = { optimizer: 'adam', lr: 1e-3, adamEps: 1e-3, entCoef: 0.01, nSteps: 4, maxGradNorm: 0.1, batchSize: 128, atariNet: 'lapan', valueCoef: 1 };
  for (const [key, value] of Object.entries(reference)) assert.equal(lapan[key as keyof TrainConfig], value, key);
  assert.equal(lapan.stopReward, 18, "the env's bound stays");
  assert.equal(lapan.workers, 4, "the env's agents stay (the reference's 4 processes)");
  const paper = resolveConfig({ env: 'PongNoFrameskip-v4', preset: 'paper', maxSteps: 1_000_000 });
  assert.equal(paper.mode, 'hogwild');
  assert.deepEqual([paper.envsPerWorker, paper.gradBatch, paper.nSteps], [1, 5, 5], 'one env per thread, t_max 5');
  assert.deepEqual([paper.optimizer, paper.rmspropAlpha, paper.rmspropEps, paper.maxGradNorm], ['rmsprop', 0.99, 0.1, 40]);
  const a2c = resolveConfig({ env: 'CartPole-v1', preset: 'baselines-a2c' });
  assert.equal(a2c.mode, 'a2c');
  assert.equal(a2c.workers * a2c.envsPerWorker, 16, '16 env copies');
  assert.equal(a2c.batchSize, 16 * a2c.nSteps, 'one 5-step rollout of every copy per update');
  assert.deepEqual([a2c.optimizer, a2c.lr, a2c.rmspropAlpha, a2c.rmspropEps, a2c.valueCoef, a2c.maxGradNorm], ['rmsprop', 7e-4, 0.99, 1e-5, 0.5, 0.5]);
});

test('a preset lies over the env and mode defaults and under the file and flags', () => {
  const pong = { env: 'PongNoFrameskip-v4', preset: 'lapan' } as const;
  assert.equal(resolveConfig(pong).lr, 1e-3, "over the env's lr 5e-4");
  assert.equal(resolveConfig(pong, { lr: 0.02 }).lr, 0.02, 'under a flag');
  assert.equal(resolveConfig({ ...pong, nSteps: 6 }, { lr: undefined }).nSteps, 6, 'under the file');
  const hogwild = resolveConfig({ preset: 'lapan', mode: 'hogwild', optimizer: 'rmsprop' });
  assert.equal(hogwild.maxGradNorm, 0.1, "over hogwild's clip 40");
  const grad = resolveConfig({ preset: 'paper' }, { mode: 'grad' });
  assert.equal(grad.mode, 'grad', "a flag's mode over the preset's");
  assert.equal(grad.maxGradNorm, 40, "the preset's keys still apply");
});

test('an unknown preset is refused in one line naming the known ones, from files and flags', () => {
  for (const name of ['nature', 'constructor']) {
    assert.throws(() => resolveConfig({ preset: name as TrainConfig['preset'] }), {
      name: 'ConfigError',
      message: `unknown preset "${name}"; expected one of ${PRESET_NAMES.join(', ')}`,
    });
  }
  const r = a3c('train', '--preset', 'nature');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /option '--preset <name>' argument 'nature' is invalid\. Allowed choices are lapan, paper, baselines-a2c\./);
});

test('gaeLambda below 1 needs forward-view returns', () => {
  assert.throws(() => resolveConfig({ gaeLambda: 0.95 }), {
    name: 'ConfigError',
    message: 'gaeLambda 0.95 needs returns forward-view; first-last n-step windows have no lambda (leave gaeLambda at 1)',
  });
  const config = resolveConfig({ returns: 'forward-view', gaeLambda: 0.95, nSteps: 5 });
  assert.deepEqual([config.returns, config.gaeLambda, config.nSteps], ['forward-view', 0.95, 5]);
  assert.equal(resolveConfig().returns, 'first-last', "the reference's returns by default");
});
