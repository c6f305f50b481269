import type { ModeName } from '../config/config.js';
import { a2cMode } from './a2c.js';
import { dataMode } from './data.js';
import { gradMode } from './grad.js';
import { hogwildMode } from './hogwild.js';
import type { Mode } from './mode.js';

export type { Mode, ModeAgent, ModeContext, ModeTrainer, TransportKind } from './mode.js';

const MODES_BY_NAME: Readonly<Record<ModeName, Mode>> = Object.freeze({
  data: dataMode as Mode,
  grad: gradMode as Mode,
  a2c: a2cMode as Mode,
  hogwild: hogwildMode as Mode,
});

/** The mode called `name` (a validated config's `mode`). */
export function modeNamed(name: ModeName): Mode {
  return MODES_BY_NAME[name];
}
