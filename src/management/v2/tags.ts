/** apigatewayv2 tags. */
import type { HandlerTable } from '../operation.js';

export const TAGS_HANDLERS: HandlerTable = {};
