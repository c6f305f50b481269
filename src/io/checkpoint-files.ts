/**
 * What checkpoint.ts (folders) and checkpoint-archive.ts (one tar) share: the error both throw and
 * the files both hold, apart, so that neither imports the other for them.
 */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** The files of a checkpoint, by name (manifest.json last): what a folder or an archive holds. */
export type CheckpointFiles = Record<string, Uint8Array>;
