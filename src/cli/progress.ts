import cliProgress from 'cli-progress';
import type { RunStats } from '../algo/training/run-stats.js';

export interface ProgressReporter {
  update(stats: RunStats): void;
  stop(): void;
}

function fields(stats: RunStats) {
  const reward = stats.episodes > 0 ? stats.meanReward100.toFixed(1) : '-';
  const staleness = stats.stalenessRecent;
  const stale = staleness === null ? '-' : `${staleness.mean.toFixed(1)}/${staleness.max}`;
  const dropped = `${stats.droppedStale} stale, ${stats.rejected} rejected`;
  return { steps: stats.envSteps, episodes: stats.episodes, reward, sps: Math.round(stats.stepsPerSecond), seconds: stats.seconds.toFixed(0), stale, agents: stats.agents, mps: Math.round(stats.messagesPerSecond), dropped };
}

/**
 * A live line in a terminal (cli-progress), plain periodic lines elsewhere (logs, CI), on stderr so
 * that `--json` output on stdout stays one clean line.
 */
export function createProgress(label: string, plainEveryMs = 10_000): ProgressReporter {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} | {seconds}s | steps {steps} | episodes {episodes} | reward_100 {reward} | {sps} steps/s | agents {agents} | {mps} msg/s | stale {stale} | dropped {dropped}`,
        stream: process.stderr,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, fields({ envSteps: 0, episodes: 0, meanReward100: NaN, stepsPerSecond: 0, seconds: 0, stalenessRecent: null, agents: 0, messagesPerSecond: 0, droppedStale: 0, rejected: 0 } as RunStats));
    return { update: (stats) => bar.update(0, fields(stats)), stop: () => bar.stop() };
  }
  let last = 0;
  return {
    update(stats) {
      const now = performance.now();
      if (now - last < plainEveryMs) return;
      last = now;
      const f = fields(stats);
      process.stderr.write(
        `${label} ${f.seconds}s steps ${f.steps} episodes ${f.episodes} reward_100 ${f.reward} ${f.sps} steps/s agents ${f.agents} ${f.mps} msg/s stale ${f.stale} dropped ${f.dropped}\n`,
      );
    },
    stop() {},
  };
}
