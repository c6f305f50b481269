/**
 * A run's Redis URL and the transport's one-line error, apart from the connection code so that
 * the public declarations (RedisTransportError is exported by the package) never reach ioredis's
 * own types.
 */
/** A Redis connection that cannot be made or was refused: one line for the user. */
export class RedisTransportError extends Error {
  override name = 'RedisTransportError';
}

/**
 * Files for a `rediss://` connection (PEM, read when connecting): the CA that signed the server's
 * certificate (absent: the system's CAs), and this side's certificate and key where the server
 * asks for one (`tls-auth-clients`).
 */
export interface RedisTlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
}

/** Where a run's Redis is and how to log in: a parsed `redis://[[USER]:PASSWORD@]HOST:PORT/DB` URL. */
export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  /** For `rediss://`: TLS, with these files; null for plain TCP. */
  tls: RedisTlsFiles | null;
  /** The URL without its password, for messages and logs. */
  display: string;
}

const DEFAULT_PORT = 6379;

/**
 * Parses a run's Redis URL (`redis://` or `rediss://` for TLS). `passwordFromEnv` (the CLI passes
 * `A3C_REDIS_PASSWORD`) is used where the URL has none, so that a password need not appear on
 * command lines, which other users of a host can read. `tlsFiles` (`--redis-ca`, `--redis-cert`,
 * `--redis-key`) need `rediss://`, and a client certificate needs its key.
 * @throws RedisTransportError naming what is wrong with `url` (its password masked), TLS files
 *   given for a `redis://` URL, or a certificate without its key (or the reverse).
 */
export function parseRedisUrl(url: string, passwordFromEnv?: string, tlsFiles: RedisTlsFiles = {}): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RedisTransportError(`transport "${redactUrl(url)}" is not a URL; expected redis://[:PASSWORD@]HOST:PORT/DB`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new RedisTransportError(`transport "${redactUrl(url)}": unsupported scheme "${parsed.protocol}"; expected redis:// or rediss://`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new RedisTransportError(`transport "${redactUrl(url)}" has no host; expected redis://[:PASSWORD@]HOST:PORT/DB`);
  const port = parsed.port === '' ? DEFAULT_PORT : Number(parsed.port);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || !/^\d*$/.test(dbText)) {
    throw new RedisTransportError(`transport "${redactUrl(url)}": database "${dbText}" is not a number; expected redis://HOST:PORT/DB`);
  }
  const password = parsed.password === '' ? passwordFromEnv || undefined : decodeURIComponent(parsed.password);
  const username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
  const display = `${parsed.protocol}//${username === undefined ? '' : `${username}@`}${parsed.host}/${db}`;
  const tls = parsed.protocol === 'rediss:';
  const files = Object.fromEntries(Object.entries(tlsFiles).filter(([, file]) => file !== undefined && file !== null)) as RedisTlsFiles;
  if (!tls && Object.keys(files).length > 0) {
    throw new RedisTransportError(`transport "${display}": TLS files (${Object.keys(files).map((k) => `--redis-${k}`).join(', ')}) need a rediss:// URL`);
  }
  if ((files.cert === undefined) !== (files.key === undefined)) {
    throw new RedisTransportError(`transport "${display}": --redis-cert and --redis-key go together: give both (a client certificate and its key) or neither`);
  }
  return { host, port, db, username, password, tls: tls ? files : null, display };
}

/**
 * `url` with its password replaced by `***` (`redis://:***@host`); a text that does not parse as
 * a URL has whatever stands between "//" and the last "@" before the host masked the same way.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/^([^/]*\/\/[^:@/]*:).*@/, '$1***@');
  }
}
