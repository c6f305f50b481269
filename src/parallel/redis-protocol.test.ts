import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeEnvelope,
  decodeRunInfo,
  encodeEnvelope,
  encodeParams,
  newSession,
  pack,
  paramsHeader,
  parseStopNote,
  parseVersionNote,
  readParams,
  stopNote,
  type ParamsLayout,
} from './redis-protocol.js';
import { MAC_BYTES, RunSigner } from './run-secret.js';

const RUN = 'cartpole-1';
const MAX_BYTES = 1 << 20;
const UNSIGNED = new RunSigner(null, RUN);
const SIGNED = new RunSigner('a-run-secret-of-32-characters-xx', RUN);

/** All `n` values as float32. */
const float32 = (n: number): ParamsLayout => ({ numParams: n, lossyValues: n, dtype: 'float32' });

test('parameters travel as raw float32 bytes behind a session and version header', () => {
  const session = newSession();
  const params = Float32Array.of(1.5, -2, 3.25, 1e-30);
  const opened = UNSIGNED.open('params', encodeParams(UNSIGNED, session, 41, params, float32(4)));
  assert.ok(opened.ok);
  const blob = opened.payload;
  assert.equal(blob.length, 40 + params.byteLength);
  assert.deepEqual(paramsHeader(blob, float32(4)), { session, version: 41 });
  assert.equal(paramsHeader(blob, float32(5)), null, 'a blob of another size is not taken');
  const out = new Float32Array(params.length);
  readParams(blob, float32(4), out);
  assert.deepEqual(out, params);
  assert.deepEqual(parseVersionNote(`${session} 41`), { session, version: 41 });
  assert.equal(parseVersionNote('garbage 1'), null);
});

test('with float16 on the wire, the network part of the parameters travels as halves and the statistics after it as float32', () => {
  const session = newSession();
  const layout: ParamsLayout = { numParams: 5, lossyValues: 3, dtype: 'float16' };
  const params = Float32Array.of(1.5, 1 / 3, -2, 1 / 3, 1e6);
  const opened = UNSIGNED.open('params', encodeParams(UNSIGNED, session, 9, params, layout));
  assert.ok(opened.ok);
  assert.equal(opened.payload.length, 40 + 3 * 2 + 2 * 4);
  assert.deepEqual(paramsHeader(opened.payload, layout), { session, version: 9 });
  assert.equal(paramsHeader(opened.payload, float32(5)), null, 'a float16 blob is not taken for a float32 one');
  // An odd offset in its buffer, as a reply's Buffer may have.
  const odd = Buffer.concat([Buffer.alloc(1), opened.payload]).subarray(1);
  const out = new Float32Array(5);
  readParams(odd, layout, out);
  assert.deepEqual([...out], [1.5, 0.333251953125, -2, Math.fround(1 / 3), 1e6]);
});

test('with float16, the Float32Arrays of a lossy envelope travel as halves and arrive as Float32Arrays; other arrays and other envelopes are kept', () => {
  const session = newSession();
  const grads = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i));
  const body = { work: { grads, samples: 8 }, normalization: { mean: Float64Array.of(1 / 3) }, episodes: [{ reward: 9, length: 9 }] };
  const envelope = { agentId: 3, paramsVersion: 7, envSteps: 32, body, lossy: true };
  const bytes = encodeEnvelope(UNSIGNED, RUN, session, envelope, 'float16');
  assert.ok(bytes.length < 2 * 1000 + 300, `${bytes.length} bytes for 1000 gradients as halves`);
  const decoded = decodeEnvelope(UNSIGNED, bytes, RUN, MAX_BYTES);
  assert.ok(decoded.ok);
  const got = decoded.envelope.body as typeof body;
  assert.ok(got.work.grads instanceof Float32Array && got.work.grads.length === 1000);
  // Half an ulp: 2^-11 relative, or 2^-25 among the subnormals.
  for (let i = 0; i < 1000; i++) assert.ok(Math.abs(got.work.grads[i] - grads[i]) <= Math.max(2 ** -11 * Math.abs(grads[i]), 2 ** -25), `grads[${i}] within half an ulp`);
  assert.deepEqual({ ...got, work: { ...got.work, grads: null } }, { ...body, work: { ...body.work, grads: null } });
  assert.ok(encodeEnvelope(UNSIGNED, RUN, session, { ...envelope, lossy: false }, 'float16').length > 4 * 1000, 'transitions (not lossy) stay float32');
  assert.ok(encodeEnvelope(UNSIGNED, RUN, session, envelope, 'float32').length > 4 * 1000, 'float32 on the wire');
  const withHalves = encodeEnvelope(UNSIGNED, RUN, session, { ...envelope, body: { grads, frames: Uint16Array.of(1, 2) } }, 'float16');
  assert.ok(withHalves.length > 4 * 1000, 'a body with Uint16Arrays of its own is sent as it is');
  const bad = decodeEnvelope(UNSIGNED, UNSIGNED.sign('message', pack({ run: RUN, session, agentId: 3, paramsVersion: 1, envSteps: 1, body: {}, halves: 'yes' })), RUN, MAX_BYTES);
  assert.deepEqual(bad.ok ? null : bad.problem, 'halves "yes" is not true');
});

test('envelopes keep their typed arrays as the same typed arrays, and their provenance', () => {
  const session = newSession();
  const body = { work: { obs: Float32Array.of(0.5, 1), actions: Int32Array.of(1), frames: Uint8Array.of(0, 255), grads: Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i)) }, episodes: [{ reward: 9, length: 9 }], logs: [] };
  const bytes = encodeEnvelope(UNSIGNED, RUN, session, { agentId: 3, paramsVersion: 7, envSteps: 32, body }, 'float32');
  const decoded = decodeEnvelope(UNSIGNED, bytes, RUN, MAX_BYTES);
  assert.ok(decoded.ok);
  assert.equal(decoded.session, session);
  assert.deepEqual({ ...decoded.envelope, body: null }, { agentId: 3, paramsVersion: 7, envSteps: 32, body: null });
  const work = (decoded.envelope.body as typeof body).work;
  assert.ok(work.obs instanceof Float32Array && work.actions instanceof Int32Array && work.frames instanceof Uint8Array && work.grads instanceof Float32Array);
  assert.deepEqual(decoded.envelope.body, body);
  assert.ok(bytes.length < 4 * 1000 + 300, `${bytes.length} bytes for 1000 float32 and a few small arrays: raw bytes, not JSON arrays`);
});

test('malformed, oversized and foreign envelopes are refused with a reason, naming the sender where it can be read', () => {
  const session = newSession();
  const good = { run: RUN, session, agentId: 2, paramsVersion: 1, envSteps: 8, body: {} };
  const refusal = (payload: Buffer, maxBytes = MAX_BYTES) => {
    const decoded = decodeEnvelope(UNSIGNED, UNSIGNED.sign('message', payload), RUN, maxBytes);
    assert.ok(!decoded.ok);
    return decoded;
  };
  assert.match(refusal(Buffer.from('definitely not msgpack \xc1')).problem, /^not MessagePack/);
  assert.equal(refusal(pack([1, 2])).problem, 'not an a3c envelope (expected a map)');
  assert.equal(refusal(pack({ ...good, run: 'other-run' })).problem, 'for run "other-run", not "cartpole-1"');
  assert.equal(refusal(pack({ ...good, agentId: -1 })).problem, 'agentId -1 is not a non-negative integer');
  assert.deepEqual(refusal(pack({ ...good, paramsVersion: 'x' })), { ok: false, problem: 'paramsVersion "x" is not a non-negative integer', agentId: 2, session });
  assert.equal(refusal(pack({ ...good, envSteps: 1.5 })).problem, 'envSteps 1.5 is not a non-negative integer');
  assert.equal(refusal(pack({ ...good, session: 'abc' })).problem, 'session "abc" is not 32 hex digits');
  const { body: _body, ...bodyless } = good;
  assert.equal(refusal(pack(bodyless)).problem, 'no body');
  assert.equal(refusal(pack(good), 10).problem, `${pack(good).length + MAC_BYTES} bytes, more than the 10 allowed`);
  const proto = refusal(Buffer.concat([Buffer.from([0x81, 0xa9]), Buffer.from('__proto__'), pack({ polluted: true })]));
  assert.equal(proto.problem, 'for run undefined, not "cartpole-1"');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'a __proto__ key does not reach Object.prototype');
});

test('the run info an agent is built from is read back, or refused when it is not one', () => {
  const info = { session: newSession(), maxQueued: 2, numParams: 10, lossyValues: 8, wireDtype: 'float16', init: { config: { mode: 'grad' } } };
  assert.deepEqual(decodeRunInfo(pack(info)), info);
  assert.equal(decodeRunInfo(pack({ ...info, maxQueued: 'two' })), null);
  assert.equal(decodeRunInfo(pack({ ...info, wireDtype: 'float8' })), null);
  assert.equal(decodeRunInfo(pack({ ...info, lossyValues: 11 })), null, 'more lossy values than parameters');
  assert.equal(decodeRunInfo(Buffer.from([0xc1])), null);
});

test('with a run secret, init, parameters, stop notes and messages verify only under the same secret, run and kind', () => {
  const session = newSession();
  const params = Float32Array.of(1, 2, 3);
  const blob = encodeParams(SIGNED, session, 5, params, float32(3));
  const opened = SIGNED.open('params', blob);
  assert.ok(opened.ok);
  assert.deepEqual(paramsHeader(opened.payload, float32(3)), { session, version: 5 });
  const refused = (signer: RunSigner, kind: Parameters<RunSigner['open']>[0], bytes: Buffer) => {
    const result = signer.open(kind, bytes);
    assert.ok(!result.ok);
    return result.problem;
  };
  const tampered = Buffer.from(blob);
  tampered[tampered.length - 1] ^= 1;
  assert.match(refused(SIGNED, 'params', tampered), /^its HMAC does not verify under this run secret/);
  assert.match(refused(new RunSigner('another-secret-of-32-characters!', RUN), 'params', blob), /^its HMAC does not verify/);
  assert.match(refused(new RunSigner('a-run-secret-of-32-characters-xx', 'other-run'), 'params', blob), /^its HMAC does not verify/, 'bound to the run');
  assert.match(refused(SIGNED, 'init', blob), /^its HMAC does not verify/, 'bound to the kind: parameters are not an init');
  assert.match(refused(SIGNED, 'params', encodeParams(UNSIGNED, session, 5, params, float32(3))), /^it carries no HMAC, and this side has a run secret/);
  assert.match(refused(UNSIGNED, 'params', blob), /^it carries an HMAC of a run secret, and this side has none/);

  const message = encodeEnvelope(SIGNED, RUN, session, { agentId: 1, paramsVersion: 5, envSteps: 8, body: {} }, 'float32');
  assert.ok(decodeEnvelope(SIGNED, message, RUN, MAX_BYTES).ok);
  const forged = decodeEnvelope(SIGNED, encodeEnvelope(UNSIGNED, RUN, session, { agentId: 1, paramsVersion: 5, envSteps: 8, body: {} }, 'float32'), RUN, MAX_BYTES);
  assert.deepEqual(forged.ok ? null : [forged.agentId, forged.session], [null, null], 'an entry that does not verify names no agent');

  assert.deepEqual(parseStopNote(SIGNED, stopNote(SIGNED, session)), { ok: true, session });
  assert.equal(parseStopNote(UNSIGNED, stopNote(UNSIGNED, session)).ok, true);
  assert.equal(parseStopNote(SIGNED, stopNote(UNSIGNED, session)).ok, false, 'an unsigned stop note does not end a signed run');
  assert.equal(parseStopNote(SIGNED, session).ok, false);
});
