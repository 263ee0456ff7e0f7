/** apigateway (v1) VPC links. */
import type { HandlerTable } from '../operation.js';

export const VPC_LINKS_HANDLERS: HandlerTable = {};
