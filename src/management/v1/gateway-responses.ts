/** apigateway (v1) operations: gateway responses (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const GATEWAY_RESPONSES_HANDLERS: HandlerTable = {};
