/** apigateway (v1) operations: usage plans (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const USAGE_PLANS_HANDLERS: HandlerTable = {};
