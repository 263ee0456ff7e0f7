/**
 * apigateway (v1) documentation: parts (documentation-parts.ts), their import from OpenAPI
 * (documentation-import.ts) and versions (documentation-versions.ts), as one handler table.
 */
import type { HandlerTable } from '../operation.js';
import { DOCUMENTATION_IMPORT_HANDLERS } from './documentation-import.js';
import { DOCUMENTATION_PARTS_HANDLERS } from './documentation-parts.js';
import { DOCUMENTATION_VERSIONS_HANDLERS } from './documentation-versions.js';

export const DOCUMENTATION_HANDLERS: HandlerTable = {
  ...DOCUMENTATION_PARTS_HANDLERS,
  ...DOCUMENTATION_IMPORT_HANDLERS,
  ...DOCUMENTATION_VERSIONS_HANDLERS,
};
