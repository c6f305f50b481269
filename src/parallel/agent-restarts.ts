import type { TransportHandlers } from './transport.js';

/** Replacements of crashed agents allowed per agent before the run gives up. */
export const MAX_RESTARTS_PER_AGENT = 5;

/**
 * What a transport does when one of its agents crashes: fail the run when the agent never started,
 * crashed twice in a row with the same error, or used up its replacements; else replace it. Shared
 * by the transports that start agents themselves (threads, Web Workers).
 */
export class AgentRestarts {
  private readonly restarts: number[];
  private readonly lastCrash: (string | null)[];

  constructor(agents: number) {
    this.restarts = Array.from({ length: agents }, () => 0);
    this.lastCrash = Array.from({ length: agents }, () => null);
  }

  /** How many times agent `agentId` was replaced (0 for its first start). */
  count(agentId: number): number {
    return this.restarts[agentId];
  }

  /**
   * Records that agent `agentId` crashed with `err` (`started`: it had reported ready). Returns the
   * line to log before it is replaced, or the Error that fails the run.
   */
  private crashed(agentId: number, err: Error, started: boolean): { replace: string } | { fail: Error } {
    if (!started) return { fail: new Error(`agent ${agentId} failed to start: ${err.message}`) };
    // The same error twice in a row is the agent's code or env failing every time, not bad luck.
    const again = this.lastCrash[agentId] === err.message;
    this.lastCrash[agentId] = err.message;
    if (again) return { fail: new Error(`agent ${agentId} crashed twice with the same error: ${err.message}`) };
    if (++this.restarts[agentId] > MAX_RESTARTS_PER_AGENT) {
      return { fail: new Error(`agent ${agentId} crashed ${MAX_RESTARTS_PER_AGENT + 1} times; last: ${err.message}`) };
    }
    return { replace: `agent ${agentId} crashed (${err.message}); starting a replacement` };
  }

  /**
   * `crashed`, acted on: fails the run through `handlers`, or logs the replacement and calls
   * `respawn`. No handlers (the run has not started): nothing is reported.
   */
  recover(agentId: number, err: Error, started: boolean, handlers: TransportHandlers | null, respawn: () => void): void {
    const outcome = this.crashed(agentId, err, started);
    if ('fail' in outcome) {
      handlers?.onFailure(outcome.fail);
      return;
    }
    handlers?.onLog(outcome.replace);
    respawn();
  }
}
