/**
 * The operation registry: which management operations Portico implements, by service. The
 * compatibility table in docs/ is generated from this registry and operations.ts, so it cannot
 * drift from the code.
 */
import type { ManagementService } from './operations.js';
import type { HandlerTable, OperationHandler } from './operation.js';
import { V1_HANDLERS } from './v1/handlers.js';
import { V2_HANDLERS } from './v2/handlers.js';

const TABLES: Record<ManagementService, HandlerTable> = {
  apigateway: V1_HANDLERS,
  apigatewayv2: V2_HANDLERS,
};

export function handlerFor(service: ManagementService, name: string): OperationHandler | undefined {
  const table = TABLES[service];
  return Object.hasOwn(table, name) ? table[name] : undefined;
}
