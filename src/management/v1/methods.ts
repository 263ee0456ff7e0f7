/** apigateway (v1) operations: methods (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const METHODS_HANDLERS: HandlerTable = {};
