/**
 * Names of runs over a network transport: they go into Redis key names (redis-protocol.ts) and
 * are checked in the config. This module imports nothing, so the config can use it anywhere.
 */

/** 1 to 64 letters, digits, `.`, `_` or `-`. */
export const RUN_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
