/**
 * How parameters and gradients travel over Redis (`--wire-dtype`): float16 halves the bytes of
 * both (float16.ts). A module of its own, without imports, so that the config table can name the
 * choices without pulling the Redis protocol (and its Node-only packages) into the browser page.
 */
export const WIRE_DTYPES = ['float32', 'float16'] as const;
export type WireDtype = (typeof WIRE_DTYPES)[number];
