/** apigateway (v1) client certificates. */
import type { HandlerTable } from '../operation.js';

export const CLIENT_CERTIFICATES_HANDLERS: HandlerTable = {};
