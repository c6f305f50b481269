/** Entry point of an agent thread: acts with its own network copy and sends to the trainer. */
import { parentPort, workerData } from 'node:worker_threads';
import { Agent } from '../algo/agent.js';
import { lossGradients } from '../algo/learner.js';
import { registerAtariEnvs } from '../envs/atari/index.js';
import { makeVectorEnv } from '../envs/registry.js';
import { initBackend } from '../nn/kernels/backend.js';
import { createNet } from '../nn/networks.js';
import { CONTROL_QUEUED_BASE, CONTROL_STOP, type AgentInit, type AgentMessage } from './messages.js';
import { SharedParams } from './shared-params.js';

const WAIT_SLICE_MS = 100;

async function main(init: AgentInit): Promise<void> {
  const port = parentPort!;
  const { config, agentId } = init;
  const backend = await initBackend({ threads: 1 });
  registerAtariEnvs();
  const control = new Int32Array(init.controlBuffer);
  const queuedIndex = CONTROL_QUEUED_BASE + agentId;
  const shared = SharedParams.attach(init.paramsBuffer);
  const net = createNet(init.netSpec, init.seed);
  const params = new Float32Array(shared.numParams);
  let paramsVersion = shared.read(params);
  net.setParams(params);
  const env = makeVectorEnv(config.env, config.envsPerWorker);
  const agent = new Agent(env, net, { gamma: config.gamma, nSteps: config.nSteps, seed: init.seed });
  port.postMessage({ type: 'ready', agentId, backend } satisfies AgentMessage);

  const stopped = () => Atomics.load(control, CONTROL_STOP) !== 0;
  const chunk = config.mode === 'grad' ? config.gradBatch : config.microBatch;
  try {
    while (!stopped()) {
      if (shared.version !== paramsVersion) {
        paramsVersion = shared.read(params);
        net.setParams(params);
      }
      const batch = agent.collect(chunk);
      const provenance = {
        agentId,
        paramsVersion,
        envSteps: agent.takeEnvSteps(),
        episodes: agent.takeEpisodes(),
        envRestarts: agent.takeEnvRestarts(),
      };
      let message: AgentMessage;
      let transfer: ArrayBuffer[];
      if (config.mode === 'grad') {
        const { grads, stats } = lossGradients(net, batch, agent.obsShape, config.entCoef);
        message = { type: 'gradients', grads, samples: batch.size, stats, ...provenance };
        transfer = [grads.buffer as ArrayBuffer];
      } else {
        message = { type: 'transitions', batch, ...provenance };
        transfer = [batch.obs.buffer, batch.actions.buffer, batch.valueTargets.buffer] as ArrayBuffer[];
      }
      // Wait for the trainer to receive earlier messages (bounded queue), waking up to see STOP.
      for (let queued = Atomics.load(control, queuedIndex); queued >= config.maxQueuedPerWorker && !stopped(); ) {
        Atomics.wait(control, queuedIndex, queued, WAIT_SLICE_MS);
        queued = Atomics.load(control, queuedIndex);
      }
      if (stopped()) break;
      Atomics.add(control, queuedIndex, 1);
      port.postMessage(message, transfer);
    }
  } finally {
    env.close();
    net.dispose();
  }
}

main(workerData as AgentInit).catch((err: unknown) => {
  // Rethrown outside the promise so the trainer's 'error' handler sees it.
  setImmediate(() => {
    throw err;
  });
});
