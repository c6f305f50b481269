/**
 * `rediss://` (issue 21 item 1): a CA, a server and a client certificate made with openssl in a
 * temp folder, a redis-server that listens on TLS only and asks clients for a certificate, and a
 * few seconds of CartPole trained over it with --redis-ca, --redis-cert and --redis-key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { A3C } from '../src/algo/a3c.js';
import { connectRedis } from '../src/parallel/redis-protocol.js';
import { parseRedisUrl } from '../src/parallel/redis-url.js';
import { redisTlsSkipReason, startRedis, type TestRedisTls } from './support/redis-server.js';

const opensslMissing = spawnSync('openssl', ['version']).status === 0 ? null : 'openssl is not installed; TLS tests skipped';
const skip = opensslMissing ?? redisTlsSkipReason() ?? undefined;
const PASSWORD = 'tls-test';

/** A CA, and a server certificate (for 127.0.0.1) and a client certificate signed by it, in `dir`. */
function makeCertificates(dir: string): TestRedisTls & { clientCert: string; clientKey: string } {
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=a3c test CA', '-keyout', file('ca.key'), '-out', file('ca.pem'));
  for (const [name, subject, extension] of [
    ['server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/CN=a3c agent', 'extendedKeyUsage=clientAuth'],
  ]) {
    writeFileSync(file(`${name}.ext`), `${extension}\n`);
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`));
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`));
  }
  return { cert: file('server.pem'), key: file('server.key'), ca: file('ca.pem'), clientCert: file('client.pem'), clientKey: file('client.key') };
}

test('rediss:// with a CA and a client certificate: CartPole trains 8000 env steps over TLS; without the CA the server is not trusted', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'a3c-tls-'));
  const certs = makeCertificates(dir);
  const redis = await startRedis(PASSWORD, certs);
  try {
    assert.match(redis.url, /^rediss:\/\//);
    let updates = 0;
    const a3c = new A3C({
      env: 'CartPole-v1',
      mode: 'grad',
      transport: redis.url,
      run: 'tls',
      workers: 1,
      envsPerWorker: 4,
      maxSteps: 8000,
      redisCa: certs.ca,
      redisCert: certs.clientCert,
      redisKey: certs.clientKey,
      callbacks: { onUpdate: () => updates++ },
    });
    const result = await a3c.learn();
    assert.equal(result.stopReason, 'max-steps');
    assert.ok(updates > 10 && result.steps > 1000, `${updates} updates, ${result.steps} env steps over TLS`);

    const untrusted = connectRedis(parseRedisUrl(redis.url, undefined, { cert: certs.clientCert, key: certs.clientKey }), 'probe');
    await assert.rejects(untrusted, (error: Error) => error.name === 'RedisTransportError' && /^cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+\/0: .*(self[- ]signed|unable to verify|certificate)/i.test(error.message) && !error.message.includes(PASSWORD));
  } finally {
    await redis.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
