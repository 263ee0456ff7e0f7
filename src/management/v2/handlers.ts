/** The apigatewayv2 operations Portico implements, by operation name. */
import type { HandlerTable } from '../operation.js';

export const V2_HANDLERS: HandlerTable = {};
