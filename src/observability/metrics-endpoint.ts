/**
 * `GET /_portico/metrics`: the Prometheus scrape endpoint. It claims only its own path, and
 * answers other methods with 405 as a scrape target would.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayMetrics } from './metrics.js';

export const METRICS_PATH = '/_portico/metrics';

export function serveMetrics(metrics: GatewayMetrics, req: IncomingMessage, res: ServerResponse): boolean {
  const url = req.url ?? '';
  if (url !== METRICS_PATH && !url.startsWith(`${METRICS_PATH}?`)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Method Not Allowed\n');
    return true;
  }
  metrics.exposition().then(
    ({ contentType, body }) => {
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    (err: unknown) => {
      console.error('portico: collecting metrics failed:', err);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics unavailable\n');
    },
  );
  return true;
}
