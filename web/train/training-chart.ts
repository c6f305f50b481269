/** The live chart of the training page: mean reward of the last 100 episodes and policy entropy against env steps. */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend);

const REWARD_COLOUR = '#1f77b4';
const ENTROPY_COLOUR = '#ff7f0e';

export class TrainingChart {
  private readonly chart: Chart<'line', { x: number; y: number }[]>;

  constructor(canvas: HTMLCanvasElement) {
    this.chart = new Chart(canvas, {
      type: 'line',
      data: {
        datasets: [
          { label: 'reward_100', data: [], borderColor: REWARD_COLOUR, backgroundColor: REWARD_COLOUR, yAxisID: 'reward', pointRadius: 0 },
          { label: 'entropy', data: [], borderColor: ENTROPY_COLOUR, backgroundColor: ENTROPY_COLOUR, yAxisID: 'entropy', pointRadius: 0 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'env steps' } },
          reward: { type: 'linear', position: 'left', title: { display: true, text: 'mean reward (last 100 episodes)' } },
          entropy: { type: 'linear', position: 'right', title: { display: true, text: 'policy entropy' }, grid: { drawOnChartArea: false } },
        },
      },
    });
  }

  /** Adds the point at `envSteps`; null values (no episode or update yet) are left out. */
  add(envSteps: number, reward100: number | null, entropy: number | null): void {
    const [reward, ent] = this.chart.data.datasets;
    if (reward100 !== null) reward.data.push({ x: envSteps, y: reward100 });
    if (entropy !== null) ent.data.push({ x: envSteps, y: entropy });
    this.chart.update();
  }
}
