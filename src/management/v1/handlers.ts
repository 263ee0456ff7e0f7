/** The apigateway (v1) operations Portico implements, by operation name. */
import type { HandlerTable } from '../operation.js';

export const V1_HANDLERS: HandlerTable = {};
