/** The apigatewayv2 developer portal operations: portals, portal products and their pages. */
import type { HandlerTable } from '../operation.js';
import { PORTALS_HANDLERS } from './portals.js';
import { PORTAL_PRODUCTS_HANDLERS } from './portal-products.js';
import { PRODUCT_PAGES_HANDLERS } from './product-pages.js';
import { PRODUCT_REST_ENDPOINT_PAGES_HANDLERS } from './product-rest-endpoint-pages.js';

export const PORTAL_HANDLERS: HandlerTable = {
  ...PORTALS_HANDLERS,
  ...PORTAL_PRODUCTS_HANDLERS,
  ...PRODUCT_PAGES_HANDLERS,
  ...PRODUCT_REST_ENDPOINT_PAGES_HANDLERS,
};
