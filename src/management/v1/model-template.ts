/** apigateway (v1) GetModelTemplate. */
import type { HandlerTable } from '../operation.js';

export const MODEL_TEMPLATE_HANDLERS: HandlerTable = {};
