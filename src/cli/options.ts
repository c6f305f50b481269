import { InvalidArgumentError } from 'commander';
import { ConfigError, integerFromText, numberFromText } from '../algo/config.js';

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
