/**
 * What an integration hands back to the listener: a status, headers and a body that is
 * already in memory or still streaming from the backend.
 */
import type { Readable } from 'node:stream';
import type { RelayedBody } from './relayed-body.js';

export interface GatewayResult {
  statusCode: number;
  /** Lower-case names unless a casing must be preserved; arrays send one line per value. */
  headers: Record<string, string | string[]>;
  body: string | Buffer | Readable | RelayedBody | null;
}
