import { InvalidArgumentError } from 'commander';

/** Commander argument parsers that reject what is not a number, with the flag's value in the message. */
export function parseNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

export function parseInteger(value: string): number {
  const n = parseNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`"${value}" is not an integer.`);
  return n;
}

export function parseIntegerList(value: string): number[] {
  return value.split(',').map((part) => parseInteger(part.trim()));
}
