/** apigateway (v1) operations: models (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const MODELS_HANDLERS: HandlerTable = {};
