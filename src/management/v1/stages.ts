/** apigateway (v1) operations: stages (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const STAGES_HANDLERS: HandlerTable = {};
