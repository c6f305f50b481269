/**
 * Stands in for @node-rs/crc32, a native addon, in the browser: the same CRC-32C (Castagnoli,
 * reflected polynomial 0x82F63B78, RFC 3720 appendix B.4) that checkpoint manifests carry, so that
 * a checkpoint the training page downloads passes Node's check and one Node saved passes the page's.
 * test/browser-training.test.ts loads a downloaded checkpoint in Node, which checks it with the addon.
 */
const CASTAGNOLI_REFLECTED = 0x82f63b78;
const BITS_PER_BYTE = 8;
const BYTE_VALUES = 256;
const ALL_ONES = 0xffffffff;

const TABLE = Uint32Array.from({ length: BYTE_VALUES }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < BITS_PER_BYTE; bit++) crc = crc & 1 ? (crc >>> 1) ^ CASTAGNOLI_REFLECTED : crc >>> 1;
  return crc;
});

/** CRC-32C of `input` (UTF-8 for text), continuing from `initialState` (a previous result; default 0). */
export function crc32c(input: Uint8Array | string, initialState = 0): number {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  let crc = (initialState ^ ALL_ONES) >>> 0;
  for (let i = 0; i < bytes.length; i++) crc = TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> BITS_PER_BYTE);
  return (crc ^ ALL_ONES) >>> 0;
}
