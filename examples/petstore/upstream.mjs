// The inventory service of the example: a tiny HTTP backend that the HTTP_PROXY route reaches.
// It echoes what it received so the proxying is visible.
import { createServer } from 'node:http';

const port = Number(process.env.INVENTORY_PORT ?? 4599);
const stock = { dog: 3, cat: 5, fish: 12 };

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://inventory');
  const item = url.pathname.replace(/^\/+/, '');
  const body = {
    service: 'inventory',
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    forwardedFor: req.headers['x-forwarded-for'] ?? null,
    ...(item in stock ? { item, inStock: stock[item] } : { stock }),
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}).listen(port, '127.0.0.1', () => console.log(`inventory service listening on http://127.0.0.1:${port}`));
