// Runs the petstore example: starts the inventory service, then `portico serve` on the
// project file, and stops both together.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = process.argv.slice(2);
const upstream = spawn(process.execPath, [here('./upstream.mjs')], { stdio: 'inherit' });
const portico = spawn(process.execPath, [here('../../dist/src/cli/main.js'), 'serve', here('./portico.yaml'), ...args], {
  stdio: 'inherit',
});

const stop = () => {
  upstream.kill();
  portico.kill();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
portico.on('exit', (code) => {
  upstream.kill();
  process.exit(code ?? 0);
});
