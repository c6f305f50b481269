/**
 * Stands in for src/parallel/redis-trainer.ts (ioredis, node:crypto, Buffers) as
 * src/algo/training/create-transport.ts imports it: a browser has no TCP, and the page's agents
 * run in Web Workers (settings.ts refuses `?transport=`).
 */
export class RedisTrainerTransport {
  constructor() {
    throw new Error('Redis transports need Node; the browser page runs its agents in Web Workers');
  }
}
