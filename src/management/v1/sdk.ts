/** apigateway (v1) SDK types and SDK generation. */
import type { HandlerTable } from '../operation.js';

export const SDK_HANDLERS: HandlerTable = {};
