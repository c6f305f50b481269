/** Reward curves as PNG: chart.js drawing on an @napi-rs/canvas canvas, no browser. */
import { writeFile } from 'node:fs/promises';
import { createCanvas } from '@napi-rs/canvas';
import {
  Chart,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  PointElement,
  Title,
  type ChartConfiguration,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import type { RunRewards } from './run-rewards.js';

export interface PlotRewardCurvesArgs {
  /** PNG path to write. */
  out: string;
  /** Draws a dashed horizontal line at this reward (the env's reward threshold). */
  solvedBound?: number;
  title?: string;
  /** The horizontal axis: env steps (default), or minutes of wall time (RunRewards.minutes). */
  x?: 'steps' | 'minutes';
  width?: number;
  height?: number;
}

export const DEFAULT_PLOT_WIDTH_PX = 1000;
export const DEFAULT_PLOT_HEIGHT_PX = 600;
/** The "reward_100" of Lapan's book and SB3's ep_rew_mean window: mean of the last 100 episodes. */
export const REWARD_MEAN_WINDOW_EPISODES = 100;
/** Matplotlib's tab10 colours, one per run in order. */
export const RUN_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
/** Raw episode rewards are drawn at this opacity behind their run's mean. */
const RAW_REWARD_ALPHA = 0.25;
const MEAN_LINE_WIDTH_PX = 2;
const RAW_LINE_WIDTH_PX = 1;
const SOLVED_LINE_COLOUR = '#444444';
const SOLVED_LINE_DASH_PX = [8, 5];
const BACKGROUND_COLOUR = '#ffffff';
const TITLE_FONT_PX = 16;
/** Legend swatches drawn as short thick lines rather than boxes, matching the lines they name. */
const LEGEND_SWATCH_HEIGHT_PX = 3;
/** chart.js draws lower `order` on top: solved line over means over raw rewards. */
const DRAW_ORDER = { solved: 0, mean: 1, raw: 2 } as const;

type Point = { x: number; y: number };

/** Mean of the last `window` values at each index (fewer at the start). */
export function trailingMean(values: readonly number[], window: number): number[] {
  const means: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    means.push(sum / Math.min(i + 1, window));
  }
  return means;
}

/** `#rrggbb` with an alpha, as chart.js accepts it. */
function withAlpha(hexColour: string, alpha: number): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hexColour.slice(i, i + 2), 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

const whiteBackground: Plugin<'line'> = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = BACKGROUND_COLOUR;
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/**
 * Plots each run's reward_100 (solid) over its raw episode rewards (faded) against env steps or
 * minutes (`args.x`), with a legend, axis labels and an optional dashed solved-bound line, and
 * writes a PNG.
 * @throws Error for no runs, or a run whose steps (or minutes) and rewards differ in number.
 */
export async function plotRewardCurves(runs: RunRewards[], args: PlotRewardCurvesArgs): Promise<void> {
  if (runs.length === 0) throw new Error('plotRewardCurves: no runs given; pass at least one run');
  const byMinutes = args.x === 'minutes';
  const xsOf = (run: RunRewards): number[] => (byMinutes ? (run.minutes ?? []) : run.steps);
  for (const run of runs) {
    if (xsOf(run).length !== run.rewards.length) {
      throw new Error(`plotRewardCurves: run "${run.name}" has ${xsOf(run).length} ${byMinutes ? 'wall times' : 'steps'} but ${run.rewards.length} rewards`);
    }
  }
  const width = args.width ?? DEFAULT_PLOT_WIDTH_PX;
  const height = args.height ?? DEFAULT_PLOT_HEIGHT_PX;

  const datasets: ChartDataset<'line', Point[]>[] = [];
  runs.forEach((run, i) => {
    const colour = RUN_COLOURS[i % RUN_COLOURS.length];
    const means = trailingMean(run.rewards, REWARD_MEAN_WINDOW_EPISODES);
    const points = (ys: number[]): Point[] => xsOf(run).map((x, j) => ({ x, y: ys[j] }));
    datasets.push(
      { label: `${run.name} reward_${REWARD_MEAN_WINDOW_EPISODES}`, data: points(means), borderColor: colour, backgroundColor: colour, borderWidth: MEAN_LINE_WIDTH_PX, order: DRAW_ORDER.mean },
      { label: '', data: points(run.rewards), borderColor: withAlpha(colour, RAW_REWARD_ALPHA), borderWidth: RAW_LINE_WIDTH_PX, order: DRAW_ORDER.raw },
    );
  });
  if (args.solvedBound !== undefined) {
    const lastStep = Math.max(0, ...runs.map((run) => xsOf(run).at(-1) ?? 0));
    const xs = [0, lastStep];
    datasets.push({
      label: `solved (${args.solvedBound})`,
      data: xs.map((x) => ({ x, y: args.solvedBound as number })),
      borderColor: SOLVED_LINE_COLOUR,
      backgroundColor: SOLVED_LINE_COLOUR,
      borderWidth: RAW_LINE_WIDTH_PX,
      borderDash: SOLVED_LINE_DASH_PX,
      order: DRAW_ORDER.solved,
    });
  }

  const config: ChartConfiguration<'line', Point[]> = {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      responsive: false,
      maintainAspectRatio: false,
      devicePixelRatio: 1,
      parsing: false,
      elements: { point: { radius: 0 } },
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: byMinutes ? 'minutes' : 'env steps' } },
        y: { type: 'linear', title: { display: true, text: 'episode reward' } },
      },
      plugins: {
        title: { display: true, text: args.title ?? 'Episode reward', font: { size: TITLE_FONT_PX } },
        legend: {
          labels: {
            // Raw-reward datasets have empty labels: the legend lists one entry per run (its mean).
            filter: (item) => item.text !== '',
            sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0),
            boxHeight: LEGEND_SWATCH_HEIGHT_PX,
          },
        },
      },
    },
    plugins: [whiteBackground],
  };

  Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Title);
  const canvas = createCanvas(width, height);
  // chart.js takes any object with getContext('2d') when there is no DOM (its BasicPlatform).
  const chart = new Chart(canvas as unknown as ConstructorParameters<typeof Chart>[0], config);
  try {
    await writeFile(args.out, await canvas.encode('png'));
  } finally {
    chart.destroy();
  }
}
