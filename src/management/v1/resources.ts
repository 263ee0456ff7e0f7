/** apigateway (v1) operations: resources (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const RESOURCES_HANDLERS: HandlerTable = {};
