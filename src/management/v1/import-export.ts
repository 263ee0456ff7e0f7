/** apigateway (v1) operations: import export (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const IMPORT_EXPORT_HANDLERS: HandlerTable = {};
