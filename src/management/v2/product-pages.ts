/**
 * apigatewayv2 product pages, the custom documentation of a portal product: CreateProductPage,
 * GetProductPage, ListProductPages, UpdateProductPage and DeleteProductPage. A page belongs to
 * one product and is found only under it; deleting it takes it out of the product's display
 * order too.
 */
import { PRODUCT_PAGE_KIND, pageKey, type ProductPage } from '../../model/portal.js';
import { randomId } from '../../model/ids.js';
import { badRequest } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { now } from './document.js';
import { defined, has } from './input.js';
import { readDisplayContent, requireMember } from './portal-input.js';
import { removeFromDisplayOrder } from './portal-products.js';
import { PORTAL_LIMITS, checkOwner, listProductPages, productPageArn, readProduct, readProductPage } from './portal-records.js';

const pageShape = (ctx: ManagementContext, page: ProductPage): Record<string, unknown> => ({
  displayContent: page.displayContent,
  lastModified: page.lastModified,
  productPageArn: productPageArn(ctx, page.portalProductId, page.productPageId),
  productPageId: page.productPageId,
});

const summaryShape = (ctx: ManagementContext, page: ProductPage): Record<string, unknown> => ({
  lastModified: page.lastModified,
  pageTitle: page.displayContent.title,
  productPageArn: productPageArn(ctx, page.portalProductId, page.productPageId),
  productPageId: page.productPageId,
});

export const PRODUCT_PAGES_HANDLERS: HandlerTable = {
  async CreateProductPage(ctx, req) {
    const productId = req.path['PortalProductId']!;
    const displayContent = readDisplayContent(requireMember(req.body, 'displayContent'));
    const page: ProductPage = { portalProductId: productId, productPageId: randomId(10), displayContent, lastModified: now() };
    await ctx.store.transaction(async (tx) => {
      await readProduct(tx, productId);
      if ((await listProductPages(tx, productId)).length >= PORTAL_LIMITS.productPagesPerProduct) {
        throw badRequest(`The portal product already has the maximum of ${PORTAL_LIMITS.productPagesPerProduct} product pages`);
      }
      await tx.putRecord(PRODUCT_PAGE_KIND, pageKey(productId, page.productPageId), page);
    });
    return { body: pageShape(ctx, page) };
  },

  async GetProductPage(ctx, req) {
    const productId = req.path['PortalProductId']!;
    checkOwner(ctx, req.query, productId);
    await readProduct(ctx.store, productId);
    return { body: pageShape(ctx, await readProductPage(ctx.store, productId, req.path['ProductPageId']!)) };
  },

  async ListProductPages(ctx, req) {
    const productId = req.path['PortalProductId']!;
    checkOwner(ctx, req.query, productId);
    await readProduct(ctx.store, productId);
    const { items, nextToken } = pageV2(await listProductPages(ctx.store, productId), req.query);
    return { body: defined({ items: items.map((p) => summaryShape(ctx, p)), nextToken }) };
  },

  async UpdateProductPage(ctx, req) {
    const productId = req.path['PortalProductId']!;
    const displayContent = has(req.body, 'displayContent') ? readDisplayContent(req.body['displayContent']) : undefined;
    const page = await ctx.store.transaction(async (tx) => {
      await readProduct(tx, productId);
      const current = await readProductPage(tx, productId, req.path['ProductPageId']!);
      if (!displayContent) return current;
      const next: ProductPage = { ...current, displayContent, lastModified: now() };
      await tx.putRecord(PRODUCT_PAGE_KIND, pageKey(productId, next.productPageId), next);
      return next;
    });
    return { body: pageShape(ctx, page) };
  },

  async DeleteProductPage(ctx, req) {
    const productId = req.path['PortalProductId']!;
    await ctx.store.transaction(async (tx) => {
      await readProduct(tx, productId);
      const page = await readProductPage(tx, productId, req.path['ProductPageId']!);
      await tx.deleteRecord(PRODUCT_PAGE_KIND, pageKey(productId, page.productPageId));
      await removeFromDisplayOrder(tx, productId, productPageArn(ctx, productId, page.productPageId));
    });
    return {};
  },
};
