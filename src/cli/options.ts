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
