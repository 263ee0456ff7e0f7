/** apigateway (v1) operations: authorizers (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const AUTHORIZERS_HANDLERS: HandlerTable = {};
