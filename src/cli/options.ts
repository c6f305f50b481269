import { mkdirSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { ConfigError, integerFromText, numberFromText } from '../algo/config/config.js';

/**
 * A commander argument parser from a config text parser: its ConfigError becomes commander's
 * one-line `option '--lr <x>' argument 'abc' is invalid. "abc" is not a number.`
 */
export function argParser<T>(fromText: (text: string) => T): (text: string) => T {
  return (text) => {
    try {
      return fromText(text);
    } catch (err) {
      throw err instanceof ConfigError ? new InvalidArgumentError(err.message) : err;
    }
  };
}

export const parseNumber = argParser(numberFromText);
export const parseInteger = argParser(integerFromText);

/**
 * Makes the folder `path` goes in (as `--checkpoint` does) before a command spends time on what it
 * writes there.
 * @throws Error naming `flag` when `path` does not end in `extension` (e.g. '.gif').
 */
export function prepareOutputFile(flag: string, path: string, extension: string): void {
  if (extname(path).toLowerCase() !== extension) throw new Error(`${flag} writes a ${extension.slice(1).toUpperCase()} file; give it a name ending in ${extension}, got ${path}`);
  mkdirSync(dirname(path), { recursive: true });
}

/** Environment variables that stand for the TLS flags of a rediss:// transport, so that paths need not be repeated on every command line. */
export const REDIS_TLS_ENV = { redisCa: 'A3C_REDIS_CA', redisCert: 'A3C_REDIS_CERT', redisKey: 'A3C_REDIS_KEY' } as const;

/** The TLS files given as flags (`given`), else by REDIS_TLS_ENV. */
export function redisTlsFiles(given: Partial<Record<keyof typeof REDIS_TLS_ENV, string | null>>): Partial<Record<keyof typeof REDIS_TLS_ENV, string>> {
  const files: Partial<Record<keyof typeof REDIS_TLS_ENV, string>> = {};
  for (const [key, name] of Object.entries(REDIS_TLS_ENV) as [keyof typeof REDIS_TLS_ENV, string][]) {
    const file = given[key] ?? (process.env[name] || undefined);
    if (file !== undefined) files[key] = file;
  }
  return files;
}
