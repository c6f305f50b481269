/**
 * Where a thread's time goes, from the `.cpuprofile` files that `node --cpu-prof` writes (one per
 * thread: V8's sampling profiler, the format Chrome DevTools reads). Each sample is given to the
 * first category whose rule matches its call stack, over a window of the profile's clock.
 */
import { readFileSync } from 'node:fs';

/** A function in the profile: V8 names native and idle time `(idle)`, `(garbage collector)`, `(program)`. */
export interface CallFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of a `.cpuprofile` read here; times in microseconds of the process's monotonic clock. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  /** Microseconds from the previous sample (the first: from startTime) to each sample. */
  timeDeltas: number[];
}

/** A category and when a sample belongs to it: `stack` runs from the sampled function (the leaf) to the root. */
export interface CategoryRule {
  category: string;
  matches(stack: readonly CallFrame[]): boolean;
}

/** A `.cpuprofile` file's profile. @throws Error naming the file when it is not one. */
export function readCpuProfile(path: string): CpuProfile {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Partial<CpuProfile>;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas) || typeof profile.startTime !== 'number') {
    throw new Error(`${path}: not a V8 .cpuprofile (nodes, samples, timeDeltas, startTime)`);
  }
  return profile as CpuProfile;
}

/** The call stack of each node, leaf first. */
function stacksOf(profile: CpuProfile): Map<number, CallFrame[]> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const stacks = new Map<number, CallFrame[]>();
  for (const node of profile.nodes) {
    const stack: CallFrame[] = [];
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) stack.push(frames.get(id)!);
    stacks.set(node.id, stack);
  }
  return stacks;
}

/**
 * Microseconds per category of the samples taken in [fromUs, toUs) of the profile's clock; a
 * sample no rule matches counts as `otherCategory`. A sample stands for the time since the one
 * before it, as DevTools counts it.
 */
export function categorize(profile: CpuProfile, rules: readonly CategoryRule[], fromUs: number, toUs: number, otherCategory = 'other'): Map<string, number> {
  const stacks = stacksOf(profile);
  const categoryOfNode = new Map<number, string>();
  const totals = new Map<string, number>();
  let time = profile.startTime;
  profile.samples.forEach((id, i) => {
    time += profile.timeDeltas[i];
    if (time < fromUs || time >= toUs) return;
    let category = categoryOfNode.get(id);
    if (category === undefined) {
      const stack = stacks.get(id);
      category = (stack === undefined ? undefined : rules.find((rule) => rule.matches(stack))?.category) ?? otherCategory;
      categoryOfNode.set(id, category);
    }
    totals.set(category, (totals.get(category) ?? 0) + profile.timeDeltas[i]);
  });
  return totals;
}

/** The thread of a `node --cpu-prof` file: `CPU.<date>.<time>.<pid>.<thread>.<sequence>.cpuprofile`, thread 0 the main one. */
export function profileThreadId(fileName: string): number | null {
  const match = /^CPU\.\d+\.\d+\.\d+\.(\d+)\.\d+\.cpuprofile$/.exec(fileName);
  return match === null ? null : Number(match[1]);
}
