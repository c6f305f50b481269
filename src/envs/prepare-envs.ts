import { registerAtariEnvs } from './atari/index.js';
import { importEnvModule } from './env-module.js';

/**
 * Registers, in this thread, every env id a run may name: the Atari and `gym:` families, then the
 * ids of the user's env module `envModule` (imported; null: none). Registrations live per thread,
 * so the trainer, each agent thread and `play`/`eval` call this before they make an env.
 * @throws Error, one line naming the module, when `envModule` cannot be imported (importEnvModule).
 */
export async function prepareEnvs(envModule: string | null): Promise<void> {
  registerAtariEnvs();
  if (envModule !== null) await importEnvModule(envModule);
}
