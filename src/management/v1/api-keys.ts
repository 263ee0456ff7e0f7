/** apigateway (v1) operations: api keys (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const API_KEYS_HANDLERS: HandlerTable = {};
