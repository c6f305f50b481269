/**
 * The run secret (issue 21, the trust model): an HMAC-SHA256 (node:crypto) over everything that
 * steers a run over Redis (the trainer's `init`, parameters and end-of-run note; the agents'
 * messages), so that someone who can write to the Redis database but does not hold the secret
 * cannot make agents train on their parameters or the trainer use their work.
 *
 * A signed blob is a MAC_BYTES tag followed by the payload. Without a secret the tag is zeros;
 * either side refuses a blob whose tag says the other side had a secret and it has not, so that a
 * secret given on one side only fails with one line instead of every message being dropped.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Bytes of an HMAC-SHA256 tag. */
export const MAC_BYTES = 32;
/** Shortest run secret accepted: 128 bits of hex. */
const MIN_SECRET_CHARS = 16;

/** What a tag covers besides the payload, so that no blob can be replayed as another kind, or into another run. */
export type SignedKind = 'init' | 'params' | 'stop' | 'message';

/** A blob's payload once its tag was checked, or why it was refused (one line). */
export type Opened = { ok: true; payload: Buffer } | { ok: false; problem: string };

const ZERO_TAG = Buffer.alloc(MAC_BYTES);

/**
 * Signs and checks the blobs of run `run` under `secret` (null: no secret; tags are zeros and
 * only checked to be zeros).
 */
export class RunSigner {
  private readonly key: Buffer | null;

  constructor(
    secret: string | null,
    private readonly run: string,
  ) {
    this.key = secret === null ? null : Buffer.from(secret, 'utf8');
  }

  /** Whether blobs are signed and checked. */
  get enabled(): boolean {
    return this.key !== null;
  }

  /** The tag of `payload` as `kind`: MAC_BYTES bytes, zeros without a secret. */
  tag(kind: SignedKind, payload: Buffer | string): Buffer {
    if (this.key === null) return ZERO_TAG;
    return createHmac('sha256', this.key).update(`a3c ${this.run} ${kind}\n`).update(payload).digest();
  }

  /** `payload` behind its tag: one allocation and one copy. */
  sign(kind: SignedKind, payload: Buffer): Buffer {
    const blob = Buffer.allocUnsafe(MAC_BYTES + payload.length);
    this.tag(kind, payload).copy(blob, 0);
    payload.copy(blob, MAC_BYTES);
    return blob;
  }

  /** Writes the tag of `blob`'s payload (the bytes after MAC_BYTES) into its first MAC_BYTES, in place. */
  seal(kind: SignedKind, blob: Buffer): Buffer {
    this.tag(kind, blob.subarray(MAC_BYTES)).copy(blob, 0);
    return blob;
  }

  /** The payload of a signed `blob` of `kind` (a view, no copy) when its tag is the one this side expects. */
  open(kind: SignedKind, blob: Buffer): Opened {
    if (blob.length < MAC_BYTES) return { ok: false, problem: `${blob.length} bytes, shorter than its ${MAC_BYTES}-byte HMAC` };
    const payload = blob.subarray(MAC_BYTES);
    return this.check(kind, blob.subarray(0, MAC_BYTES), payload) ?? { ok: true, payload };
  }

  /** Null when `tag` is `payload`'s, else why not. */
  check(kind: SignedKind, tag: Buffer, payload: Buffer | string): { ok: false; problem: string } | null {
    const unsigned = tag.length === MAC_BYTES && timingSafeEqual(tag, ZERO_TAG);
    if (this.key === null) {
      return unsigned ? null : { ok: false, problem: 'it carries an HMAC of a run secret, and this side has none: give it the run secret (A3C_RUN_SECRET or --run-secret-file)' };
    }
    if (unsigned) return { ok: false, problem: 'it carries no HMAC, and this side has a run secret: give the other side the same secret (A3C_RUN_SECRET or --run-secret-file)' };
    const expected = this.tag(kind, payload);
    if (tag.length !== MAC_BYTES || !timingSafeEqual(tag, expected)) return { ok: false, problem: 'its HMAC does not verify under this run secret (written by someone without it, or with another secret)' };
    return null;
  }
}

/**
 * The run secret from a file (`--run-secret-file`, its text without the trailing newline) or
 * else from `fromEnv` (A3C_RUN_SECRET); null when neither is given.
 * @throws Error, one line, when the file cannot be read or the secret is shorter than MIN_SECRET_CHARS.
 */
export function readRunSecret(file: string | undefined, fromEnv: string | undefined): string | null {
  let secret: string;
  let source: string;
  if (file !== undefined) {
    try {
      secret = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(`--run-secret-file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    source = `--run-secret-file ${file}`;
  } else if (fromEnv !== undefined && fromEnv !== '') {
    secret = fromEnv;
    source = 'A3C_RUN_SECRET';
  } else {
    return null;
  }
  if (secret.length < MIN_SECRET_CHARS) throw new Error(`the run secret from ${source} has ${secret.length} characters; use at least ${MIN_SECRET_CHARS} (e.g. openssl rand -hex 32)`);
  return secret;
}
