/** Arrow keys as actions when the viewer plays instead of the policy. */
export interface KeyActions {
  left: number;
  right: number;
  /** The action with neither arrow held; null repeats the last one (CartPole has no "do nothing"). */
  idle: number | null;
  /** What the arrows do, for the page's help line. */
  help: string;
}

const CART_POLE: KeyActions = { left: 0, right: 1, idle: null, help: '← / → push the cart left / right' };
/** Acrobot-v1 and MountainCar-v0: 0, 1, 2 = negative, none, positive torque or push. */
const THREE_WAY = (what: string): KeyActions => ({ left: 0, right: 2, idle: 1, help: `← / → ${what}; neither: none` });

const KEY_ACTIONS: Readonly<Record<string, KeyActions>> = {
  'CartPole-v0': CART_POLE,
  'CartPole-v1': CART_POLE,
  'Acrobot-v1': THREE_WAY('torque −1 / +1 on the joint between the links'),
  'MountainCar-v0': THREE_WAY('accelerate left / right'),
};

export function keyActionsFor(envId: string): KeyActions | null {
  return KEY_ACTIONS[envId] ?? null;
}

/** Tracks which arrow keys are held and turns them into the next action. */
export class ArrowKeys {
  private leftHeld = false;
  private rightHeld = false;
  private last: number;

  constructor(private readonly actions: KeyActions) {
    this.last = actions.idle ?? actions.left;
  }

  /** Records a key press or release; returns whether the key was an arrow this class handles. */
  handle(key: string, down: boolean): boolean {
    if (key === 'ArrowLeft') this.leftHeld = down;
    else if (key === 'ArrowRight') this.rightHeld = down;
    else return false;
    if (down) this.last = key === 'ArrowLeft' ? this.actions.left : this.actions.right;
    return true;
  }

  action(): number {
    if (this.leftHeld !== this.rightHeld) return this.leftHeld ? this.actions.left : this.actions.right;
    return this.actions.idle ?? this.last;
  }
}
