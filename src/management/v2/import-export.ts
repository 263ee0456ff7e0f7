/** apigatewayv2 ImportApi, ReimportApi and ExportApi. */
import type { HandlerTable } from '../operation.js';

export const IMPORT_EXPORT_HANDLERS: HandlerTable = {};
