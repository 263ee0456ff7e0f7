/**
 * The scheme, host and port a client used to reach Portico, for URLs handed back to it (code
 * download links, export server URLs). The Host header is used only when it looks like a host.
 */
import type { IncomingMessage } from 'node:http';

export function clientBaseUrl(req: IncomingMessage): string {
  const host = req.headers.host;
  if (host && /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)) return `http://${host}`;
  const address = req.socket.localAddress ?? '127.0.0.1';
  return `http://${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort ?? 80}`;
}
