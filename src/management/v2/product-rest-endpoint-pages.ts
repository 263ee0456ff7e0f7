/**
 * apigatewayv2 product REST endpoint pages: CreateProductRestEndpointPage,
 * GetProductRestEndpointPage, ListProductRestEndpointPages, UpdateProductRestEndpointPage and
 * DeleteProductRestEndpointPage. A page documents one method of a REST API as deployed to a
 * stage, so its identifier must name a REST API, a stage of it, and a method at that path in
 * the deployment the stage serves; a product documents each such method once.
 *
 * The page's endpoint, unless overridden, is the stage's path-style invoke URL on the Portico
 * the client is talking to, which serves that stage. Portico does not import the REST API's
 * documentation parts into the page: the body is what the overrides say, or absent.
 */
import type { HttpMethod, RestApiDocument } from '../../model/rest-api.js';
import { PRODUCT_REST_ENDPOINT_PAGE_KIND, TRY_IT_STATES, pageKey, type IdentifierParts, type ProductRestEndpointPage } from '../../model/portal.js';
import { randomId } from '../../model/ids.js';
import type { StoreReader } from '../../store/store.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { now } from './document.js';
import { defined, has, optionalEnum } from './input.js';
import { readEndpointDisplayContent, readIdentifierParts, requireMember } from './portal-input.js';
import { removeFromDisplayOrder } from './portal-products.js';
import { PORTAL_LIMITS, checkOwner, listRestEndpointPages, productRestEndpointPageArn, readProduct, readRestEndpointPage } from './portal-records.js';
import { pageStatus } from './portal-status.js';

/** Try it is off unless asked for: AWS's guide has the portal owner switch it on per endpoint page. */
const DEFAULT_TRY_IT_STATE = 'DISABLED';

const invokeUrl = (ctx: ManagementContext, parts: IdentifierParts): string =>
  `${ctx.baseUrl}/_aws/execute-api/${encodeURIComponent(parts.restApiId)}/${encodeURIComponent(parts.stage)}`;

function pageShape(ctx: ManagementContext, page: ProductRestEndpointPage, raw = false): Record<string, unknown> {
  const parts = page.restEndpointIdentifier.identifierParts;
  return defined({
    displayContent: defined({
      body: page.overrides?.body,
      endpoint: page.overrides?.endpoint ?? invokeUrl(ctx, parts),
      operationName: page.overrides?.operationName,
    }),
    lastModified: page.lastModified,
    productRestEndpointPageArn: productRestEndpointPageArn(ctx, page.portalProductId, page.productRestEndpointPageId),
    productRestEndpointPageId: page.productRestEndpointPageId,
    rawDisplayContent: raw ? page.overrides?.body : undefined,
    restEndpointIdentifier: page.restEndpointIdentifier,
    status: pageStatus(page.lastModified),
    tryItState: page.tryItState,
  });
}

function summaryShape(ctx: ManagementContext, page: ProductRestEndpointPage): Record<string, unknown> {
  return defined({
    endpoint: page.overrides?.endpoint ?? invokeUrl(ctx, page.restEndpointIdentifier.identifierParts),
    lastModified: page.lastModified,
    operationName: page.overrides?.operationName,
    productRestEndpointPageArn: productRestEndpointPageArn(ctx, page.portalProductId, page.productRestEndpointPageId),
    productRestEndpointPageId: page.productRestEndpointPageId,
    restEndpointIdentifier: page.restEndpointIdentifier,
    status: pageStatus(page.lastModified),
    tryItState: page.tryItState,
  });
}

/** The identifier must name a method the stage serves: a method of its deployed snapshot. */
async function checkRestEndpoint(reader: StoreReader, parts: IdentifierParts): Promise<void> {
  const api = await reader.getApi(parts.restApiId);
  if (!api || api.protocolType !== 'REST') throw badRequest(`Invalid REST API identifier specified ${parts.restApiId}`);
  const stage = await reader.getStage(parts.restApiId, parts.stage);
  if (!stage) throw badRequest(`Invalid stage identifier specified ${parts.stage}`);
  const deployment = await reader.getDeployment(parts.restApiId, stage.deploymentId);
  const snapshot = deployment?.snapshot as RestApiDocument | undefined;
  const resource = snapshot && Object.values(snapshot.resources).find((r) => r.path === parts.path);
  if (!resource || !Object.hasOwn(resource.resourceMethods, parts.method as HttpMethod)) {
    throw badRequest(`Stage ${parts.stage} of REST API ${parts.restApiId} has no ${parts.method} method at ${parts.path}`);
  }
}

const sameEndpoint = (a: IdentifierParts, b: IdentifierParts): boolean =>
  a.restApiId === b.restApiId && a.stage === b.stage && a.path === b.path && a.method === b.method;

const wantsRaw = (query: URLSearchParams): boolean => query.get('includeRawDisplayContent')?.toLowerCase() === 'true';

export const PRODUCT_REST_ENDPOINT_PAGES_HANDLERS: HandlerTable = {
  async CreateProductRestEndpointPage(ctx, req) {
    const body = req.body;
    const productId = req.path['PortalProductId']!;
    const parts = readIdentifierParts(requireMember(body, 'restEndpointIdentifier'));
    const overrides = has(body, 'displayContent') ? readEndpointDisplayContent(body['displayContent']) : undefined;
    const page: ProductRestEndpointPage = defined({
      portalProductId: productId,
      productRestEndpointPageId: randomId(10),
      restEndpointIdentifier: { identifierParts: parts },
      overrides,
      tryItState: optionalEnum(body, 'tryItState', TRY_IT_STATES) ?? DEFAULT_TRY_IT_STATE,
      lastModified: now(),
    });
    await ctx.store.transaction(async (tx) => {
      await readProduct(tx, productId);
      const existing = await listRestEndpointPages(tx, productId);
      if (existing.length >= PORTAL_LIMITS.restEndpointPagesPerProduct) {
        throw badRequest(`The portal product already has the maximum of ${PORTAL_LIMITS.restEndpointPagesPerProduct} product REST endpoint pages`);
      }
      const twin = existing.find((p) => sameEndpoint(p.restEndpointIdentifier.identifierParts, parts));
      if (twin) throw badRequest(`The portal product already documents this REST endpoint in page ${twin.productRestEndpointPageId}`);
      await checkRestEndpoint(tx, parts);
      await tx.putRecord(PRODUCT_REST_ENDPOINT_PAGE_KIND, pageKey(productId, page.productRestEndpointPageId), page);
    });
    return { body: pageShape(ctx, page) };
  },

  async GetProductRestEndpointPage(ctx, req) {
    const productId = req.path['PortalProductId']!;
    checkOwner(ctx, req.query, productId);
    await readProduct(ctx.store, productId);
    const page = await readRestEndpointPage(ctx.store, productId, req.path['ProductRestEndpointPageId']!);
    return { body: pageShape(ctx, page, wantsRaw(req.query)) };
  },

  async ListProductRestEndpointPages(ctx, req) {
    const productId = req.path['PortalProductId']!;
    checkOwner(ctx, req.query, productId);
    await readProduct(ctx.store, productId);
    const { items, nextToken } = pageV2(await listRestEndpointPages(ctx.store, productId), req.query);
    return { body: defined({ items: items.map((p) => summaryShape(ctx, p)), nextToken }) };
  },

  async UpdateProductRestEndpointPage(ctx, req) {
    const body = req.body;
    const productId = req.path['PortalProductId']!;
    const changesContent = has(body, 'displayContent');
    const overrides = changesContent ? readEndpointDisplayContent(body['displayContent']) : undefined;
    const tryItState = optionalEnum(body, 'tryItState', TRY_IT_STATES);
    const page = await ctx.store.transaction(async (tx) => {
      await readProduct(tx, productId);
      const current = await readRestEndpointPage(tx, productId, req.path['ProductRestEndpointPageId']!);
      if (!changesContent && tryItState === undefined) return current;
      const { overrides: _old, ...rest } = current;
      const next: ProductRestEndpointPage = defined({
        ...rest,
        overrides: changesContent ? overrides : current.overrides,
        tryItState: tryItState ?? current.tryItState,
        lastModified: now(),
      });
      await tx.putRecord(PRODUCT_REST_ENDPOINT_PAGE_KIND, pageKey(productId, next.productRestEndpointPageId), next);
      return next;
    });
    return { body: pageShape(ctx, page) };
  },

  async DeleteProductRestEndpointPage(ctx, req) {
    const productId = req.path['PortalProductId']!;
    await ctx.store.transaction(async (tx) => {
      await readProduct(tx, productId);
      const page = await readRestEndpointPage(tx, productId, req.path['ProductRestEndpointPageId']!);
      await tx.deleteRecord(PRODUCT_REST_ENDPOINT_PAGE_KIND, pageKey(productId, page.productRestEndpointPageId));
      await removeFromDisplayOrder(tx, productId, productRestEndpointPageArn(ctx, productId, page.productRestEndpointPageId));
    });
    return {};
  },
};
