/** The apigateway (v1) operations Portico implements, by operation name: one module per resource family. */
import type { HandlerTable } from '../operation.js';
import { REST_APIS_HANDLERS } from './rest-apis.js';
import { RESOURCES_HANDLERS } from './resources.js';
import { METHODS_HANDLERS } from './methods.js';
import { INTEGRATIONS_HANDLERS } from './integrations.js';
import { DEPLOYMENTS_HANDLERS } from './deployments.js';
import { STAGES_HANDLERS } from './stages.js';
import { MODELS_HANDLERS } from './models.js';
import { REQUEST_VALIDATORS_HANDLERS } from './request-validators.js';
import { AUTHORIZERS_HANDLERS } from './authorizers.js';
import { GATEWAY_RESPONSES_HANDLERS } from './gateway-responses.js';
import { API_KEYS_HANDLERS } from './api-keys.js';
import { USAGE_PLANS_HANDLERS } from './usage-plans.js';
import { DOMAIN_NAMES_HANDLERS } from './domain-names.js';
import { TAGS_HANDLERS } from './tags.js';
import { ACCOUNT_HANDLERS } from './account.js';
import { IMPORT_EXPORT_HANDLERS } from './import-export.js';
import { DOCUMENTATION_HANDLERS } from './documentation.js';
import { VPC_LINKS_HANDLERS } from './vpc-links.js';
import { CLIENT_CERTIFICATES_HANDLERS } from './client-certificates.js';
import { DOMAIN_NAME_ACCESS_ASSOCIATIONS_HANDLERS } from './domain-name-access-associations.js';
import { SDK_HANDLERS } from './sdk.js';
import { MODEL_TEMPLATE_HANDLERS } from './model-template.js';
import { TEST_INVOKE_HANDLERS } from './test-invoke.js';

export const V1_HANDLERS: HandlerTable = {
  ...REST_APIS_HANDLERS,
  ...RESOURCES_HANDLERS,
  ...METHODS_HANDLERS,
  ...INTEGRATIONS_HANDLERS,
  ...DEPLOYMENTS_HANDLERS,
  ...STAGES_HANDLERS,
  ...MODELS_HANDLERS,
  ...REQUEST_VALIDATORS_HANDLERS,
  ...AUTHORIZERS_HANDLERS,
  ...GATEWAY_RESPONSES_HANDLERS,
  ...API_KEYS_HANDLERS,
  ...USAGE_PLANS_HANDLERS,
  ...DOMAIN_NAMES_HANDLERS,
  ...TAGS_HANDLERS,
  ...ACCOUNT_HANDLERS,
  ...IMPORT_EXPORT_HANDLERS,
  ...DOCUMENTATION_HANDLERS,
  ...VPC_LINKS_HANDLERS,
  ...CLIENT_CERTIFICATES_HANDLERS,
  ...DOMAIN_NAME_ACCESS_ASSOCIATIONS_HANDLERS,
  ...SDK_HANDLERS,
  ...MODEL_TEMPLATE_HANDLERS,
  ...TEST_INVOKE_HANDLERS,
};
