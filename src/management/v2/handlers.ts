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
};
