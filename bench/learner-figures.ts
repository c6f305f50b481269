/** Learner samples/s for a list of nets and batch sizes, as the bench suites report them. */
import type { NetSpec } from '../src/nn/networks.js';
import { benchLearner, type BenchLearnerResult } from './learner.js';
import { formatTable } from './table.js';

export interface LearnerFigure extends BenchLearnerResult {
  net: string;
}

export function describeNet(spec: NetSpec): string {
  return spec.kind === 'mlp' ? `mlp ${[spec.obsSize, ...spec.hidden, spec.numActions].join('-')}` : `atari ${spec.inputShape.join('x')} -> ${spec.numActions}`;
}

export function benchLearnerFigures(nets: Array<{ spec: NetSpec; batches: number[] }>, seconds: number, log: (line: string) => void): LearnerFigure[] {
  return nets.flatMap(({ spec, batches }) =>
    batches.map((batch) => {
      const figure = { net: describeNet(spec), ...benchLearner({ batch, seconds, spec }) };
      log(`learner ${figure.net} batch ${batch}: ${figure.trainSamplesPerS} train samples/s`);
      return figure;
    }),
  );
}

export function learnerTable(figures: LearnerFigure[]): string {
  return formatTable(
    'learner: forward + loss + backward + clip + Adam on random inputs (this thread)',
    ['net', 'batch', 'train samples/s', 'train ms/step', 'train CPU ms/step', 'forward samples/s'],
    figures.map((f) => [f.net, f.batch, f.trainSamplesPerS, f.trainMsPerStep, f.trainCpuMsPerStep, f.forwardSamplesPerS]),
  );
}
