/** apigateway (v1) operations: tags (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const TAGS_HANDLERS: HandlerTable = {};
