/**
 * numpy 2 scalar arithmetic (NEP 50), for the Gymnasium envs whose results depend on it: a Python
 * float is "weak" and takes the other operand's type, float32 with float32 stays float32 (each
 * result rounded to float32), and anything with float64 is float64.
 * https://numpy.org/neps/nep-0050-scalar-promotion.html
 */
export type ScalarKind = 'python' | 'float32' | 'float64';

export interface Scalar {
  readonly value: number;
  readonly kind: ScalarKind;
}

export function python(value: number): Scalar {
  return { value, kind: 'python' };
}

export function promote(a: ScalarKind, b: ScalarKind): ScalarKind {
  if (a === 'float64' || b === 'float64') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'python';
}

/** `x` converted to `kind`: float32 rounds, the other kinds are doubles already. */
export function asKind(x: number, kind: ScalarKind): number {
  return kind === 'float32' ? Math.fround(x) : x;
}

/**
 * What Gymnasium gets from `action[i]`: a Float32Array stands for a float32 ndarray, any other typed
 * array for a float64 one, and a plain array for a Python list of floats.
 */
export function actionElementKind(action: ArrayLike<number>): ScalarKind {
  if (action instanceof Float32Array) return 'float32';
  return ArrayBuffer.isView(action) ? 'float64' : 'python';
}

function binary(a: Scalar, b: Scalar, op: (x: number, y: number) => number): Scalar {
  const kind = promote(a.kind, b.kind);
  return { value: asKind(op(asKind(a.value, kind), asKind(b.value, kind)), kind), kind };
}

export const add = (a: Scalar, b: Scalar): Scalar => binary(a, b, (x, y) => x + y);
export const subtract = (a: Scalar, b: Scalar): Scalar => binary(a, b, (x, y) => x - y);
export const multiply = (a: Scalar, b: Scalar): Scalar => binary(a, b, (x, y) => x * y);

/** Comparisons convert both sides to the promoted kind first: `np.float32(0.1) == 0.1` is true. */
function compare(a: Scalar, b: Scalar, op: (x: number, y: number) => boolean): boolean {
  const kind = promote(a.kind, b.kind);
  return op(asKind(a.value, kind), asKind(b.value, kind));
}

export const greater = (a: Scalar, b: Scalar): boolean => compare(a, b, (x, y) => x > y);
export const less = (a: Scalar, b: Scalar): boolean => compare(a, b, (x, y) => x < y);
export const greaterEqual = (a: Scalar, b: Scalar): boolean => compare(a, b, (x, y) => x >= y);
export const equal = (a: Scalar, b: Scalar): boolean => compare(a, b, (x, y) => x === y);
