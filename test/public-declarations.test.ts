// What a user's `tsc` reads of a3c-ts: the declaration files reachable from the package's entry
// point. Only the packages whose types are part of the API (tfjs: networks and tensors) and Node's
// own modules may appear there; a transport's client library (ioredis, whose 6.1 types import the
// untyped redis-errors) must stay behind the package's own types. Needs the build.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = join(REPO, 'dist', 'src', 'index.d.ts');
/** Packages whose types the public API is made of. */
const API_PACKAGES = new Set(['@tensorflow/tfjs']);
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+|<reference\s+types=)['"]([^'"]+)['"]/gm;

/** Every declaration file reachable from `entry`, and the bare specifiers each imports. */
function declarationGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (graph.has(file)) continue;
    const bare: string[] = [];
    graph.set(file, bare);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      if (specifier.startsWith('.')) pending.push(join(dirname(file), specifier.replace(/\.js$/, '.d.ts')));
      else bare.push(specifier);
    }
  }
  return graph;
}

test('the public declarations import no package but tfjs and Node built-ins', () => {
  assert.ok(existsSync(ENTRY), `${ENTRY} is missing: run \`npm run build\` first`);
  const graph = declarationGraph(ENTRY);
  assert.ok(graph.size > 10, `only ${graph.size} declaration files reached from index.d.ts`);
  const outside: string[] = [];
  for (const [file, specifiers] of graph) {
    for (const s of specifiers) if (!API_PACKAGES.has(s) && !s.startsWith('node:') && s !== 'node') outside.push(`${relative(REPO, file)} imports ${s}`);
  }
  assert.deepEqual(outside, []);
  assert.ok([...graph.values()].some((s) => s.includes('@tensorflow/tfjs')), 'the walk found no tfjs import: is SPECIFIER still matching?');
});
