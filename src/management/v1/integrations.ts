/** apigateway (v1) operations: integrations (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const INTEGRATIONS_HANDLERS: HandlerTable = {};
