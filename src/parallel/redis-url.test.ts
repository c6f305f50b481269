import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRedisUrl, redactUrl } from './redis-url.js';

test('Redis URLs: host, port, db, user and password; the password can come from the environment and is never shown', () => {
  const target = parseRedisUrl('redis://alice:s%40cret@10.0.0.2:6380/3');
  assert.deepEqual(target, { host: '10.0.0.2', port: 6380, db: 3, username: 'alice', password: 's@cret', tls: null, display: 'redis://alice@10.0.0.2:6380/3' });
  assert.deepEqual(
    { ...parseRedisUrl('rediss://[::1]', 'from-env') },
    { host: '::1', port: 6379, db: 0, username: undefined, password: 'from-env', tls: {}, display: 'rediss://[::1]/0' },
  );
  assert.equal(parseRedisUrl('redis://:inline@h:1/0', 'from-env').password, 'inline', 'the URL wins over the environment');
  assert.throws(() => parseRedisUrl('http://h:1/0'), /^RedisTransportError: transport "http:\/\/h:1\/0": unsupported scheme "http:"; expected redis:\/\/ or rediss:\/\/$/);
  assert.throws(() => parseRedisUrl('redis://:pw@h:1/zero'), { message: 'transport "redis://:***@h:1/zero": database "zero" is not a number; expected redis://HOST:PORT/DB' });
  assert.throws(() => parseRedisUrl('not a url'), /is not a URL/);
  assert.throws(() => parseRedisUrl('redis://:s3cret@[bad-host/0'), { message: 'transport "redis://:***@[bad-host/0" is not a URL; expected redis://[:PASSWORD@]HOST:PORT/DB' });
  assert.deepEqual(parseRedisUrl('rediss://h:1/0', undefined, { ca: 'ca.pem', cert: undefined }).tls, { ca: 'ca.pem' });
  assert.throws(() => parseRedisUrl('redis://:pw@h:1/0', undefined, { ca: 'ca.pem' }), { message: 'transport "redis://h:1/0": TLS files (--redis-ca) need a rediss:// URL' });
  assert.throws(() => parseRedisUrl('rediss://h:1/0', undefined, { key: 'k.pem' }), { message: 'transport "rediss://h:1/0": --redis-cert and --redis-key go together: give both (a client certificate and its key) or neither' });
  assert.equal(redactUrl('redis://:pw@h:1/0'), 'redis://:***@h:1/0');
  assert.equal(redactUrl('redis://h:1/0'), 'redis://h:1/0');
});
