/** apigateway (v1) domain name access associations. */
import type { HandlerTable } from '../operation.js';

export const DOMAIN_NAME_ACCESS_ASSOCIATIONS_HANDLERS: HandlerTable = {};
