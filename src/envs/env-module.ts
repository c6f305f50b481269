import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registerEnv, type EnvRegistration } from './registry.js';

/** A URL's scheme (`https:`, `file:`); two letters at least, so that a Windows drive is not one. */
const URL_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** Separates a module from the name of its export in `module#export`. */
const EXPORT_SEPARATOR = '#';

/**
 * A user's env module as every thread and process can import it (Gymnasium's
 * `entry_point="module:Class"` idea): a relative path becomes absolute against `baseDir`, so that a
 * checkpoint resumed from elsewhere still finds it; package names and absolute paths stay as given.
 * URLs (the browser page's `?env-module=`) stay as given too. `#name` after the module names an
 * export (kept as is). `baseDir` defaults to the working directory.
 */
export function resolveEnvModule(specifier: string, baseDir?: string): string {
  const [module, exportName] = splitSpecifier(specifier);
  const resolved = module.startsWith('./') || module.startsWith('../') ? resolve(baseDir ?? process.cwd(), module) : module;
  return exportName === null ? resolved : `${resolved}${EXPORT_SEPARATOR}${exportName}`;
}

/**
 * Imports a user's env module, which registers its env ids with `registerEnv` when imported.
 * With `module#name`, the export `name` is an env registration (`{ id, entryPoint, ... }`) or a
 * list of them, registered here. Importing twice is harmless (modules are cached; the same
 * registration registers once).
 * @throws Error, one line naming the module, when it cannot be imported, lacks the export, or the
 *   export is not an env registration.
 */
export async function importEnvModule(specifier: string): Promise<void> {
  const [module, exportName] = splitSpecifier(specifier);
  const url = !URL_SCHEME.test(module) && isAbsolute(module) ? pathToFileURL(module).href : module;
  let exports: Record<string, unknown>;
  try {
    exports = (await import(url)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`env module "${module}" cannot be imported: ${(err as Error).message.split('\n')[0]}`);
  }
  if (exportName === null) return;
  if (!(exportName in exports)) {
    throw new Error(`env module "${module}" has no export "${exportName}"; its exports: ${Object.keys(exports).join(', ') || 'none'}`);
  }
  const value = exports[exportName];
  for (const registration of Array.isArray(value) ? value : [value]) {
    if (!isRegistration(registration)) {
      throw new Error(`env module "${module}": export "${exportName}" is not an env registration; expected { id: string, entryPoint(options) }`);
    }
    registerEnv(registration);
  }
}

function splitSpecifier(specifier: string): [string, string | null] {
  const at = specifier.lastIndexOf(EXPORT_SEPARATOR);
  return at <= 0 ? [specifier, null] : [specifier.slice(0, at), specifier.slice(at + 1)];
}

function isRegistration(value: unknown): value is EnvRegistration {
  const r = value as Partial<EnvRegistration> | null;
  return typeof r === 'object' && r !== null && typeof r.id === 'string' && typeof r.entryPoint === 'function';
}
