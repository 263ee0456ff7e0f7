/** apigatewayv2 routing rules. */
import type { HandlerTable } from '../operation.js';

export const ROUTING_RULES_HANDLERS: HandlerTable = {};
