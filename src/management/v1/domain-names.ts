/** apigateway (v1) operations: domain names (not yet implemented). */
import type { HandlerTable } from '../operation.js';

export const DOMAIN_NAMES_HANDLERS: HandlerTable = {};
