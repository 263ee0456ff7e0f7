/**
 * apigatewayv2 portal products: CreatePortalProduct, GetPortalProduct, ListPortalProducts,
 * UpdatePortalProduct and DeletePortalProduct, and the product's sharing policy
 * (GetPortalProductSharingPolicy, PutPortalProductSharingPolicy,
 * DeletePortalProductSharingPolicy). A product's display order may name only pages of that
 * product, and pages leave it when they are deleted. A product that a portal includes is not
 * deleted: the portal would be left naming a product that does not exist. The sharing policy
 * is stored and returned; Portico has one account, so it shares with no one.
 */
import {
  PORTAL_KIND,
  PORTAL_PRODUCT_KIND,
  PRODUCT_PAGE_KIND,
  PRODUCT_REST_ENDPOINT_PAGE_KIND,
  pageKey,
  type DisplayOrder,
  type Portal,
  type PortalProduct,
} from '../../model/portal.js';
import { randomId } from '../../model/ids.js';
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { now } from './document.js';
import { defined, has, structure, tags } from './input.js';
import { arnList, requireMember, text } from './portal-input.js';
import {
  PORTAL_LIMITS,
  checkOwner,
  listProductPages,
  listRestEndpointPages,
  pageIdOfArn,
  portalProductArn,
  readProduct,
} from './portal-records.js';

export function productShape(ctx: ManagementContext, product: PortalProduct, withDisplayOrder = true): Record<string, unknown> {
  return defined({
    description: product.description,
    displayName: product.displayName,
    displayOrder: withDisplayOrder ? product.displayOrder : undefined,
    lastModified: product.lastModified,
    portalProductArn: portalProductArn(ctx, product.portalProductId),
    portalProductId: product.portalProductId,
    tags: product.tags,
  });
}

/** The display order as sent, each ARN checked to name a page of this product. */
async function readDisplayOrder(ctx: ManagementContext, reader: StoreReader, productId: string, value: unknown): Promise<DisplayOrder> {
  const order = structure(value, 'displayOrder', ['contents', 'overviewPageArn', 'productPageArns']);
  const read: DisplayOrder = {};
  const productPage = async (arn: string): Promise<void> => {
    const id = pageIdOfArn(ctx, productId, 'productpages', arn);
    if (id === undefined || !(await reader.getRecord(PRODUCT_PAGE_KIND, pageKey(productId, id)))) {
      throw badRequest(`Invalid product page ARN specified: ${arn}`);
    }
  };
  if (has(order, 'productPageArns')) {
    read.productPageArns = arnList(order['productPageArns'], 'displayOrder.productPageArns', PORTAL_LIMITS.productPagesPerProduct);
    for (const arn of read.productPageArns) await productPage(arn);
  }
  const overview = text(order, 'overviewPageArn', 'displayOrder.overviewPageArn', 20, 2048);
  if (overview !== undefined) {
    await productPage(overview);
    read.overviewPageArn = overview;
  }
  if (has(order, 'contents')) {
    const contents = order['contents'];
    if (!Array.isArray(contents)) throw badRequest('displayOrder.contents must be a list of sections');
    if (contents.length > PORTAL_LIMITS.sectionsPerProduct) throw badRequest(`displayOrder.contents can hold at most ${PORTAL_LIMITS.sectionsPerProduct} sections`);
    const placed = new Set<string>();
    read.contents = [];
    for (const [i, raw] of contents.entries()) {
      const at = `displayOrder.contents.${i + 1}.member`;
      const section = structure(raw, at, ['productRestEndpointPageArns', 'sectionName']);
      const sectionName = text(section, 'sectionName', `${at}.sectionName`, 0, 255, true);
      const arns = arnList(requireMember(section, 'productRestEndpointPageArns', `${at}.productRestEndpointPageArns`), `${at}.productRestEndpointPageArns`, PORTAL_LIMITS.restEndpointPagesPerProduct);
      for (const arn of arns) {
        const id = pageIdOfArn(ctx, productId, 'productrestendpointpages', arn);
        if (id === undefined || !(await reader.getRecord(PRODUCT_REST_ENDPOINT_PAGE_KIND, pageKey(productId, id)))) {
          throw badRequest(`Invalid product REST endpoint page ARN specified: ${arn}`);
        }
        if (placed.has(arn)) throw badRequest(`${arn} is placed in more than one section`);
        placed.add(arn);
      }
      read.contents.push({ sectionName, productRestEndpointPageArns: arns });
    }
  }
  return read;
}

/** Takes a deleted page out of its product's display order, in the caller's transaction. */
export async function removeFromDisplayOrder(tx: StoreWriter, productId: string, pageArn: string): Promise<void> {
  const product = await readProduct(tx, productId);
  const order = product.displayOrder;
  if (!order) return;
  const next: DisplayOrder = defined({
    overviewPageArn: order.overviewPageArn === pageArn ? undefined : order.overviewPageArn,
    productPageArns: order.productPageArns?.filter((a) => a !== pageArn),
    contents: order.contents?.map((s) => ({ ...s, productRestEndpointPageArns: s.productRestEndpointPageArns.filter((a) => a !== pageArn) })),
  });
  await tx.putRecord<PortalProduct>(PORTAL_PRODUCT_KIND, productId, { ...product, displayOrder: next });
}

export const PORTAL_PRODUCTS_HANDLERS: HandlerTable = {
  async CreatePortalProduct(ctx, req) {
    const body = req.body;
    const product: PortalProduct = {
      portalProductId: randomId(10),
      displayName: text(body, 'displayName', 'displayName', 1, 255, true),
      description: text(body, 'description', 'description', 0, 1024) ?? '',
      tags: tags(body['tags']),
      lastModified: now(),
    };
    await ctx.store.transaction(async (tx) => {
      if ((await tx.listRecords(PORTAL_PRODUCT_KIND)).length >= PORTAL_LIMITS.portalProducts) {
        throw badRequest(`The account already has the maximum of ${PORTAL_LIMITS.portalProducts} portal products`);
      }
      await tx.putRecord(PORTAL_PRODUCT_KIND, product.portalProductId, product);
    });
    return { body: productShape(ctx, product) };
  },

  async GetPortalProduct(ctx, req) {
    const id = req.path['PortalProductId']!;
    checkOwner(ctx, req.query, id);
    return { body: productShape(ctx, await readProduct(ctx.store, id)) };
  },

  async ListPortalProducts(ctx, req) {
    // Products shared from other accounts: Portico has only this one.
    const shared = req.query.get('resourceOwner') === 'OTHER_ACCOUNTS';
    const all = shared ? [] : (await ctx.store.listRecords<PortalProduct>(PORTAL_PRODUCT_KIND)).sort((a, b) => a.portalProductId.localeCompare(b.portalProductId));
    const { items, nextToken } = pageV2(all, req.query);
    return { body: defined({ items: items.map((p) => productShape(ctx, p, false)), nextToken }) };
  },

  async UpdatePortalProduct(ctx, req) {
    const body = req.body;
    const id = req.path['PortalProductId']!;
    const displayName = text(body, 'displayName', 'displayName', 1, 255);
    const description = text(body, 'description', 'description', 0, 1024);
    const product = await ctx.store.transaction(async (tx) => {
      const current = await readProduct(tx, id);
      const displayOrder = has(body, 'displayOrder') ? await readDisplayOrder(ctx, tx, id, body['displayOrder']) : undefined;
      if (displayName === undefined && description === undefined && displayOrder === undefined) return current;
      const next: PortalProduct = { ...current, lastModified: now() };
      if (displayName !== undefined) next.displayName = displayName;
      if (description !== undefined) next.description = description;
      if (displayOrder !== undefined) next.displayOrder = displayOrder;
      await tx.putRecord(PORTAL_PRODUCT_KIND, id, next);
      return next;
    });
    return { body: productShape(ctx, product) };
  },

  async DeletePortalProduct(ctx, req) {
    const id = req.path['PortalProductId']!;
    await ctx.store.transaction(async (tx) => {
      await readProduct(tx, id);
      const arn = portalProductArn(ctx, id);
      const users = (await tx.listRecords<Portal>(PORTAL_KIND)).filter((p) => p.includedPortalProductArns.includes(arn)).map((p) => p.portalId);
      if (users.length > 0) throw badRequest(`Portal product ${id} cannot be deleted while portals include it: ${users.sort().join(', ')}`);
      for (const page of await listProductPages(tx, id)) await tx.deleteRecord(PRODUCT_PAGE_KIND, pageKey(id, page.productPageId));
      for (const page of await listRestEndpointPages(tx, id)) await tx.deleteRecord(PRODUCT_REST_ENDPOINT_PAGE_KIND, pageKey(id, page.productRestEndpointPageId));
      await tx.deleteRecord(PORTAL_PRODUCT_KIND, id);
    });
    return {};
  },

  async GetPortalProductSharingPolicy(ctx, req) {
    const product = await readProduct(ctx.store, req.path['PortalProductId']!);
    return { body: defined({ policyDocument: product.policyDocument, portalProductId: product.portalProductId }) };
  },

  async PutPortalProductSharingPolicy(ctx, req) {
    const policyDocument = text(req.body, 'policyDocument', 'policyDocument', 1, 307200, true);
    let parsed: unknown;
    try {
      parsed = JSON.parse(policyDocument);
    } catch {
      throw badRequest('Invalid policy document: it is not JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('Invalid policy document: it must be a JSON object');
    await ctx.store.transaction(async (tx) => {
      const product = await readProduct(tx, req.path['PortalProductId']!);
      await tx.putRecord<PortalProduct>(PORTAL_PRODUCT_KIND, product.portalProductId, { ...product, policyDocument });
    });
    return { body: {} };
  },

  async DeletePortalProductSharingPolicy(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const { policyDocument: _removed, ...product } = await readProduct(tx, req.path['PortalProductId']!);
      await tx.putRecord<PortalProduct>(PORTAL_PRODUCT_KIND, product.portalProductId, product);
    });
    return {};
  },
};
