import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyParams,
  decodeEnvelope,
  decodeRunInfo,
  encodeEnvelope,
  encodeParams,
  newSession,
  pack,
  paramsHeader,
  parseStopNote,
  parseVersionNote,
  stopNote,
} from './redis-protocol.js';
import { MAC_BYTES, RunSigner } from './run-secret.js';

const RUN = 'cartpole-1';
const MAX_BYTES = 1 << 20;
const UNSIGNED = new RunSigner(null, RUN);
const SIGNED = new RunSigner('a-run-secret-of-32-characters-xx', RUN);

test('parameters travel as raw float32 bytes behind a session and version header', () => {
  const session = newSession();
  const params = Float32Array.of(1.5, -2, 3.25, 1e-30);
  const opened = UNSIGNED.open('params', encodeParams(UNSIGNED, session, 41, params));
  assert.ok(opened.ok);
  const blob = opened.payload;
  assert.equal(blob.length, 40 + params.byteLength);
  assert.deepEqual(paramsHeader(blob, params.length), { session, version: 41 });
  assert.equal(paramsHeader(blob, params.length + 1), null, 'a blob of another size is not taken');
  const out = new Float32Array(params.length);
  copyParams(blob, out);
  assert.deepEqual(out, params);
  assert.deepEqual(parseVersionNote(`${session} 41`), { session, version: 41 });
  assert.equal(parseVersionNote('garbage 1'), null);
});

test('envelopes keep their typed arrays as the same typed arrays, and their provenance', () => {
  const session = newSession();
  const body = { work: { obs: Float32Array.of(0.5, 1), actions: Int32Array.of(1), frames: Uint8Array.of(0, 255), grads: Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i)) }, episodes: [{ reward: 9, length: 9 }], logs: [] };
  const bytes = encodeEnvelope(UNSIGNED, RUN, session, { agentId: 3, paramsVersion: 7, envSteps: 32, body });
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
  const info = { session: newSession(), maxQueued: 2, numParams: 10, init: { config: { mode: 'grad' } } };
  assert.deepEqual(decodeRunInfo(pack(info)), info);
  assert.equal(decodeRunInfo(pack({ ...info, maxQueued: 'two' })), null);
  assert.equal(decodeRunInfo(Buffer.from([0xc1])), null);
});

test('with a run secret, init, parameters, stop notes and messages verify only under the same secret, run and kind', () => {
  const session = newSession();
  const params = Float32Array.of(1, 2, 3);
  const blob = encodeParams(SIGNED, session, 5, params);
  const opened = SIGNED.open('params', blob);
  assert.ok(opened.ok);
  assert.deepEqual(paramsHeader(opened.payload, 3), { session, version: 5 });
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
  assert.match(refused(SIGNED, 'params', encodeParams(UNSIGNED, session, 5, params)), /^it carries no HMAC, and this side has a run secret/);
  assert.match(refused(UNSIGNED, 'params', blob), /^it carries an HMAC of a run secret, and this side has none/);

  const message = encodeEnvelope(SIGNED, RUN, session, { agentId: 1, paramsVersion: 5, envSteps: 8, body: {} });
  assert.ok(decodeEnvelope(SIGNED, message, RUN, MAX_BYTES).ok);
  const forged = decodeEnvelope(SIGNED, encodeEnvelope(UNSIGNED, RUN, session, { agentId: 1, paramsVersion: 5, envSteps: 8, body: {} }), RUN, MAX_BYTES);
  assert.deepEqual(forged.ok ? null : [forged.agentId, forged.session], [null, null], 'an entry that does not verify names no agent');

  assert.deepEqual(parseStopNote(SIGNED, stopNote(SIGNED, session)), { ok: true, session });
  assert.equal(parseStopNote(UNSIGNED, stopNote(UNSIGNED, session)).ok, true);
  assert.equal(parseStopNote(SIGNED, stopNote(UNSIGNED, session)).ok, false, 'an unsigned stop note does not end a signed run');
  assert.equal(parseStopNote(SIGNED, session).ok, false);
});
