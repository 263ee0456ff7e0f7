/** apigateway (v1) documentation parts and versions. */
import type { HandlerTable } from '../operation.js';

export const DOCUMENTATION_HANDLERS: HandlerTable = {};
