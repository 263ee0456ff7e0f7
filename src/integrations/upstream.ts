/**
 * The shared upstream connection pools: one undici Agent keeps a keep-alive pool per backend
 * origin, so no request opens a connection of its own.
 */
import { Agent } from 'undici';

export const upstreamAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 300_000,
  // Bounded per origin; excess requests queue inside undici rather than opening sockets.
  connections: 512,
  pipelining: 1,
  connect: { timeout: 10_000 },
});
