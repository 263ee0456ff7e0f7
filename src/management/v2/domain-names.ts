/** apigatewayv2 custom domain names. */
import type { HandlerTable } from '../operation.js';

export const DOMAIN_NAMES_HANDLERS: HandlerTable = {};
