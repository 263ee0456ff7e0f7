/** apigateway (v1) operations: account (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const ACCOUNT_HANDLERS: HandlerTable = {};
