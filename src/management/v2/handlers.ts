/** The apigatewayv2 operations Portico implements, by operation name: one module per resource family. */
import type { HandlerTable } from '../operation.js';
import { APIS_HANDLERS } from './apis.js';
import { ROUTES_HANDLERS } from './routes.js';
import { ROUTE_RESPONSES_HANDLERS } from './route-responses.js';
import { INTEGRATIONS_HANDLERS } from './integrations.js';
import { INTEGRATION_RESPONSES_HANDLERS } from './integration-responses.js';
import { STAGES_HANDLERS } from './stages.js';
import { DEPLOYMENTS_HANDLERS } from './deployments.js';
import { AUTHORIZERS_HANDLERS } from './authorizers.js';
import { MODELS_HANDLERS } from './models.js';
import { DOMAIN_NAMES_HANDLERS } from './domain-names.js';
import { API_MAPPINGS_HANDLERS } from './api-mappings.js';
import { ROUTING_RULES_HANDLERS } from './routing-rules.js';
import { TAGS_HANDLERS } from './tags.js';
import { VPC_LINKS_HANDLERS } from './vpc-links.js';
import { IMPORT_EXPORT_HANDLERS } from './import-export.js';
import { PORTAL_HANDLERS } from './portal-handlers.js';

export const V2_HANDLERS: HandlerTable = {
  ...APIS_HANDLERS,
  ...ROUTES_HANDLERS,
  ...ROUTE_RESPONSES_HANDLERS,
  ...INTEGRATIONS_HANDLERS,
  ...INTEGRATION_RESPONSES_HANDLERS,
  ...STAGES_HANDLERS,
  ...DEPLOYMENTS_HANDLERS,
  ...AUTHORIZERS_HANDLERS,
  ...MODELS_HANDLERS,
  ...DOMAIN_NAMES_HANDLERS,
  ...API_MAPPINGS_HANDLERS,
  ...ROUTING_RULES_HANDLERS,
  ...TAGS_HANDLERS,
  ...VPC_LINKS_HANDLERS,
  ...IMPORT_EXPORT_HANDLERS,
  ...PORTAL_HANDLERS,
};
