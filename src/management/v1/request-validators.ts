/** apigateway (v1) operations: request validators (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const REQUEST_VALIDATORS_HANDLERS: HandlerTable = {};
