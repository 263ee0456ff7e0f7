/**
 * The compatibility table (docs/management-api.md): every apigateway and apigatewayv2 operation
 * and whether Portico implements it, built from operations.ts and the handler registry.
 * `test/management/compatibility.test.ts` fails when the committed file differs from what
 * this builds; `node dist/src/management/compatibility.js` rewrites it.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OPERATIONS, type ManagementService } from './operations.js';
import { handlerFor } from './registry.js';

const TITLES: Record<ManagementService, string> = {
  apigateway: 'apigateway (REST APIs, v1)',
  apigatewayv2: 'apigatewayv2 (HTTP and WebSocket APIs)',
};

export function compatibilityTable(): string {
  const lines = [
    '# Management API compatibility',
    '',
    'Which operations of API Gateway\'s two management APIs Portico answers. Generated from the',
    'operation registry (`src/management/registry.ts`) by `node dist/src/management/compatibility.js`;',
    'a test fails when this file is out of date. An operation marked "no" answers',
    '`501 NotImplementedException` naming the operation.',
    '',
  ];
  for (const service of Object.keys(TITLES) as ManagementService[]) {
    const ops = OPERATIONS.filter((op) => op.service === service);
    const done = ops.filter((op) => handlerFor(service, op.name)).length;
    lines.push(`## ${TITLES[service]}: ${done} of ${ops.length} implemented`, '', '| operation | HTTP | implemented |', '|---|---|---|');
    for (const op of ops) lines.push(`| ${op.name} | \`${op.method} ${op.path}\` | ${handlerFor(service, op.name) ? 'yes' : 'no'} |`);
    lines.push('');
  }
  return lines.join('\n');
}

export const COMPATIBILITY_DOC = fileURLToPath(new URL('../../../docs/management-api.md', import.meta.url));

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(COMPATIBILITY_DOC, compatibilityTable());
  console.log(`wrote ${COMPATIBILITY_DOC}`);
}
