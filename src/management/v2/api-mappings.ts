/** apigatewayv2 API mappings. */
import type { HandlerTable } from '../operation.js';

export const API_MAPPINGS_HANDLERS: HandlerTable = {};
