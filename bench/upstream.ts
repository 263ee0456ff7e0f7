/**
 * Minimal node:http server used as the benchmark's upstream (behind nginx and Portico
 * HTTP_PROXY) and, on a second port, as the bare node:http baseline for Portico MOCK.
 * Runs as its own process so it never shares an event loop with the server under test.
 * Prints `PORT=<n>` on stdout once listening on an ephemeral 127.0.0.1 port.
 */
import { createServer } from 'node:http';

const BODY = Buffer.from('{"ok":true}');

const server = createServer((req, res) => {
  // Drain any request body so keep-alive connections stay reusable.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': BODY.length });
    res.end(BODY);
  });
});

// Longer than nginx's upstream keepalive_timeout (60s) so the proxy never reuses a socket
// the upstream is about to close, which would show up as spurious 502s.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('unexpected server address');
  process.stdout.write(`PORT=${addr.port}\n`);
});

const shutdown = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
