/**
 * The spaces for a user's env module in the browser, built to `spaces.js` beside the page. A
 * module loaded by `?env-module=` runs in the page and in every agent worker, where a bare
 * `import ... from 'a3c-ts'` cannot resolve: workers do not see a page's import map (Chromium 156
 * refuses the specifier). So the module imports the project's own `Box` and `Discrete` by URL,
 * `import { Box, Discrete } from '../spaces.js'` from `/files/` of `a3c web --files DIR`, and
 * exports its registration for `?env-module=/files/my-env.js%23myEnv`: `registerEnv` is not
 * offered, since it would fill this module's copy of the registry, not the trainer's.
 */
export { Box, Discrete } from '../../src/envs/spaces.js';
