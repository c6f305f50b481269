// Deletes compiled files under dist/ whose TypeScript source is gone (a renamed or removed module),
// so that `npm pack` (its prepack script) ships only what the sources make. tsc never deletes them.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** tsc's outputs for src/, test/ and bench/ (tsconfig.json: rootDir "."); dist/web is vite's. */
const COMPILED_DIRS = ['src', 'test', 'bench'];
const OUTPUT_SUFFIX = /(\.d\.ts|\.js)(\.map)?$/;

function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(path);
    } else if (OUTPUT_SUFFIX.test(entry.name)) {
      const source = join(ROOT, relative(DIST, path)).replace(OUTPUT_SUFFIX, '.ts');
      if (!existsSync(source)) {
        rmSync(path);
        console.log(`prune-dist: removed ${relative(ROOT, path)} (no ${relative(ROOT, source)})`);
      }
    }
  }
}

for (const dir of COMPILED_DIRS) {
  if (existsSync(join(DIST, dir))) prune(join(DIST, dir));
}
