/** apigateway (v1) operations: deployments (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const DEPLOYMENTS_HANDLERS: HandlerTable = {};
