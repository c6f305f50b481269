import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CheckpointError, encodeCheckpoint, loadCheckpoint } from '../io/checkpoint.js';
import { POLICY_PAGE_FILES, readPagePolicy, type PolicyPageInfo } from '../io/policy-page.js';
import { classicControlScene } from '../io/render/render-frame.js';
import { checkpointConfig } from '../algo/training/checkpoint-config.js';
import { commandAction } from './command-action.js';

/** Where `npm run build` puts the page bundle (vite, web/vite.config.ts): dist/web beside dist/src. */
const PAGE_BUNDLE_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

export interface ExportResult {
  env: string;
  outDir: string;
}

/**
 * Writes a static page that plays the checkpoint's greedy policy (the most probable action, or a
 * Gaussian's mean clipped into the action space) in the browser: the page bundle, the checkpoint's
 * model.json and weights.bin, and policy.json (with the observation normalisation statistics of a
 * checkpoint trained with normalizeObs). `outDir` must be new, empty or an earlier export, which
 * is replaced.
 */
export function exportPolicyPage(checkpointPath: string, outDir: string): ExportResult {
  const checkpoint = loadCheckpoint(checkpointPath);
  const config = checkpointConfig(checkpoint, checkpointPath);
  const { env } = config;
  if (checkpoint.netSpec.kind !== 'mlp') {
    throw new CheckpointError(
      `checkpoint ${checkpointPath}: the browser page plays MLP (classic-control) policies only; this one has an ${checkpoint.netSpec.kind} network for ${env}`,
    );
  }
  classicControlScene(env);
  if (!existsSync(join(PAGE_BUNDLE_DIR, 'index.html'))) {
    throw new Error(`the policy page bundle is missing from ${PAGE_BUNDLE_DIR}: build it with "npm run build"`);
  }
  prepareOutDir(outDir);
  cpSync(PAGE_BUNDLE_DIR, outDir, { recursive: true });
  // The checkpoint's own model.json and weights.bin, as encodeCheckpoint writes them: from a folder or an archive alike.
  const files = encodeCheckpoint(checkpoint);
  for (const file of [POLICY_PAGE_FILES.model, POLICY_PAGE_FILES.weights]) writeFileSync(join(outDir, file), files[file]);
  const obsNormalization = config.normalizeObs ? checkpoint.normalization?.obs : null;
  if (obsNormalization === undefined) throw new CheckpointError(`checkpoint ${checkpointPath}: trained with normalizeObs but holds no normalisation statistics`);
  const info: PolicyPageInfo = {
    env,
    trainedEnvSteps: checkpoint.counters.envSteps,
    obsNormalization: obsNormalization && { mean: obsNormalization.mean, var: obsNormalization.var },
  };
  writeFileSync(join(outDir, POLICY_PAGE_FILES.info), JSON.stringify(info));
  // The page reads the files with this same function: fail here rather than in the viewer's browser.
  const weights = readFileSync(join(outDir, POLICY_PAGE_FILES.weights));
  readPagePolicy(JSON.parse(readFileSync(join(outDir, POLICY_PAGE_FILES.model), 'utf8')), weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength));
  return { env, outDir };
}

function prepareOutDir(outDir: string): void {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new Error(`export: ${outDir} is a file; --out takes a folder`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    if (!existsSync(join(outDir, POLICY_PAGE_FILES.info))) {
      throw new Error(`export: ${outDir} is neither empty nor an earlier export (no ${POLICY_PAGE_FILES.info}); choose a new or empty folder`);
    }
    rmSync(outDir, { recursive: true });
  }
  mkdirSync(outDir, { recursive: true });
}

/** `a3c export`: the policy as a web page. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("write a static web page that plays a classic-control checkpoint's greedy policy (discrete or continuous) in the browser")
    .requiredOption('--checkpoint <path>', 'checkpoint folder, snapshot, or .tar the browser page downloaded')
    .requiredOption('--out <dir>', 'folder for the page (new, empty, or an earlier export to replace)')
    .option('--verbose', 'print stack traces of errors')
    .action(
      commandAction(async (flags: { checkpoint: string; out: string }) => {
        const result = exportPolicyPage(flags.checkpoint, flags.out);
        process.stdout.write(
          `exported the ${result.env} policy page to ${result.outDir}; serve the folder over HTTP, e.g. ` +
            `"python3 -m http.server -d ${result.outDir}", and open http://localhost:8000/?seed=0\n`,
        );
      }),
    );
}
