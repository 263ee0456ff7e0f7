/** apigateway (v1) operations: rest apis (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const REST_APIS_HANDLERS: HandlerTable = {};
