/**
 * A checkpoint as one file: a POSIX ustar archive of a snapshot's files (checkpoint.ts), which the
 * browser page downloads and uploads. `tar -xf` unpacks it into a checkpoint folder, and
 * loadCheckpoint reads it as it is. Only what a checkpoint needs is written or read: regular files
 * of at most 8 GiB whose names fit the 100-byte name field.
 */
import { CheckpointError, type CheckpointFiles } from './checkpoint-files.js';

const BLOCK = 512;
const NAME = { at: 0, size: 100 };
const MODE = { at: 100, size: 8 };
const UID = { at: 108, size: 8 };
const GID = { at: 116, size: 8 };
const SIZE = { at: 124, size: 12 };
const MTIME = { at: 136, size: 12 };
const CHECKSUM = { at: 148, size: 8 };
const TYPEFLAG = 156;
const MAGIC = { at: 257, text: 'ustar\u000000' };
/** Regular files: '0', or NUL in pre-POSIX archives. */
const REGULAR_FILE_FLAGS = ['0', '\u0000'];
/** Read and write for everyone the umask allows, as `tar -xf` applies it. */
const FILE_MODE = 0o644;
const ASCII_SPACE = 0x20;
const MS_PER_S = 1000;

function writeField(header: Uint8Array, field: { at: number; size: number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > field.size) throw new Error(`tar: "${text}" does not fit a ${field.size}-byte header field`);
  header.set(bytes, field.at);
}

/** An octal number as tar writes it: zero-padded, then a NUL. */
function octal(value: number, field: { size: number }): string {
  return value.toString(8).padStart(field.size - 1, '0');
}

function checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= CHECKSUM.at && i < CHECKSUM.at + CHECKSUM.size ? ASCII_SPACE : header[i];
  return sum;
}

/**
 * One tar archive of `files`, each at `folder/<name>` so that `tar -xf` makes the folder `folder`.
 * @throws Error when a name does not fit the archive's name field.
 */
export function writeCheckpointArchive(files: CheckpointFiles, folder: string, modified: Date = new Date()): Uint8Array<ArrayBuffer> {
  const entries = Object.entries(files);
  const size = entries.reduce((n, [, bytes]) => n + BLOCK + Math.ceil(bytes.length / BLOCK) * BLOCK, 0);
  // Two zero blocks end the archive.
  const out = new Uint8Array(size + 2 * BLOCK);
  let at = 0;
  for (const [name, bytes] of entries) {
    const header = out.subarray(at, at + BLOCK);
    writeField(header, NAME, `${folder}/${name}`);
    writeField(header, MODE, octal(FILE_MODE, MODE));
    writeField(header, UID, octal(0, UID));
    writeField(header, GID, octal(0, GID));
    writeField(header, SIZE, octal(bytes.length, SIZE));
    writeField(header, MTIME, octal(Math.floor(modified.getTime() / MS_PER_S), MTIME));
    header[TYPEFLAG] = '0'.charCodeAt(0);
    writeField(header, { at: MAGIC.at, size: MAGIC.text.length }, MAGIC.text);
    writeField(header, CHECKSUM, `${checksum(header).toString(8).padStart(6, '0')}\u0000 `);
    out.set(bytes, at + BLOCK);
    at += BLOCK + Math.ceil(bytes.length / BLOCK) * BLOCK;
  }
  return out;
}

function readText(header: Uint8Array, at: number, size: number): string {
  const field = header.subarray(at, at + size);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

/**
 * The regular files of the tar archive `bytes`, by the last part of their names (the folder a
 * snapshot was archived in does not matter). Other entries (folders, pax headers) are skipped.
 * `path` names the archive in errors.
 * @throws CheckpointError for a truncated or corrupt archive, or one holding a name twice.
 */
export function readCheckpointArchive(path: string, bytes: Uint8Array): CheckpointFiles {
  const fail = (what: string): never => {
    throw new CheckpointError(`checkpoint ${path}: ${what}`);
  };
  const files: CheckpointFiles = {};
  for (let at = 0; at + BLOCK <= bytes.length; ) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return files;
    const stored = Number.parseInt(readText(header, CHECKSUM.at, CHECKSUM.size).trim(), 8);
    if (stored !== checksum(header)) fail(`not a tar archive, or a corrupt one (header checksum mismatch at byte ${at})`);
    const size = Number.parseInt(readText(header, SIZE.at, SIZE.size).trim() || '0', 8);
    const start = at + BLOCK;
    if (!Number.isSafeInteger(size) || start + size > bytes.length) fail(`truncated archive (an entry at byte ${at} runs past its end)`);
    if (REGULAR_FILE_FLAGS.includes(String.fromCharCode(header[TYPEFLAG]))) {
      const name = readText(header, NAME.at, NAME.size).split('/').filter((part) => part !== '').pop() ?? '';
      if (name in files) fail(`the archive holds ${name} twice; archive one snapshot folder`);
      files[name] = bytes.slice(start, start + size);
    }
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return fail('truncated archive (no end-of-archive blocks)');
}
