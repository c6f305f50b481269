/** The one node:crypto call src/envs/rng.ts makes (entropy for an unseeded Rng), on the Web Crypto API. */
const BYTE_VALUES = 256;

export function randomBytes(size: number): { readUIntLE(offset: number, byteLength: number): number } {
  const bytes = crypto.getRandomValues(new Uint8Array(size));
  return {
    readUIntLE(offset, byteLength) {
      let value = 0;
      for (let i = byteLength - 1; i >= 0; i--) value = value * BYTE_VALUES + bytes[offset + i];
      return value;
    },
  };
}
