/**
 * Finding developer portal records: their ARNs, reading one by id (AWS's NotFoundException
 * when it is missing), the bounds Portico keeps on each collection, and the tags of portals
 * and portal products for TagResource and GetTags. Portal ARNs carry the account id, unlike
 * the ARNs of APIs and stages: `arn:aws:apigateway:{region}:{account}:/portals/{id}`.
 */
import {
  PORTAL_KIND,
  PORTAL_PRODUCT_KIND,
  PRODUCT_PAGE_KIND,
  PRODUCT_REST_ENDPOINT_PAGE_KIND,
  pageKey,
  type Portal,
  type PortalProduct,
  type ProductPage,
  type ProductRestEndpointPage,
} from '../../model/portal.js';
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { notFound } from '../errors.js';
import type { ManagementContext } from '../operation.js';

/**
 * Bounds on each collection. AWS publishes no quotas for portals, so these are Portico's own,
 * set well above what a portal is used with.
 */
export const PORTAL_LIMITS = {
  portals: 50,
  portalProducts: 500,
  productPagesPerProduct: 100,
  restEndpointPagesPerProduct: 500,
  productsPerPortal: 100,
  sectionsPerProduct: 100,
};

const base = (ctx: ManagementContext): string => `arn:aws:apigateway:${ctx.account.region}:${ctx.account.accountId}:`;
export const portalArn = (ctx: ManagementContext, portalId: string): string => `${base(ctx)}/portals/${portalId}`;
export const portalProductArn = (ctx: ManagementContext, productId: string): string => `${base(ctx)}/portalproducts/${productId}`;
export const productPageArn = (ctx: ManagementContext, productId: string, pageId: string): string =>
  `${portalProductArn(ctx, productId)}/productpages/${pageId}`;
export const productRestEndpointPageArn = (ctx: ManagementContext, productId: string, pageId: string): string =>
  `${portalProductArn(ctx, productId)}/productrestendpointpages/${pageId}`;

const PRODUCT_ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(\d{12}):\/portalproducts\/([A-Za-z0-9]+)$/;

/** The id of the product `arn` names in this account and region, or undefined. */
export function productIdOfArn(ctx: ManagementContext, arn: string): string | undefined {
  const match = PRODUCT_ARN.exec(arn);
  if (!match || match[1] !== ctx.account.region || match[2] !== ctx.account.accountId) return undefined;
  return match[3];
}

/**
 * Calls that name a product's owner account (`resourceOwnerAccountId`) find nothing outside
 * this one: Portico has a single account, so no product is shared into it.
 */
export function checkOwner(ctx: ManagementContext, query: URLSearchParams, productId: string): void {
  const owner = query.get('resourceOwnerAccountId');
  if (owner !== null && owner !== '' && owner !== ctx.account.accountId) throw notFound(`Invalid portal product identifier specified ${productId}`);
}

/** The id of the page of `kind` (`productpages`, `productrestendpointpages`) that `arn` names in the product, or undefined. */
export function pageIdOfArn(ctx: ManagementContext, productId: string, kind: 'productpages' | 'productrestendpointpages', arn: string): string | undefined {
  const prefix = `${portalProductArn(ctx, productId)}/${kind}/`;
  if (!arn.startsWith(prefix)) return undefined;
  const id = arn.slice(prefix.length);
  return /^[A-Za-z0-9]+$/.test(id) ? id : undefined;
}

export async function readPortal(reader: StoreReader, portalId: string): Promise<Portal> {
  const portal = await reader.getRecord<Portal>(PORTAL_KIND, portalId);
  if (!portal) throw notFound(`Invalid portal identifier specified ${portalId}`);
  return portal;
}

export async function readProduct(reader: StoreReader, productId: string): Promise<PortalProduct> {
  const product = await reader.getRecord<PortalProduct>(PORTAL_PRODUCT_KIND, productId);
  if (!product) throw notFound(`Invalid portal product identifier specified ${productId}`);
  return product;
}

export async function readProductPage(reader: StoreReader, productId: string, pageId: string): Promise<ProductPage> {
  const page = await reader.getRecord<ProductPage>(PRODUCT_PAGE_KIND, pageKey(productId, pageId));
  if (!page) throw notFound(`Invalid product page identifier specified ${pageId}`);
  return page;
}

export async function readRestEndpointPage(reader: StoreReader, productId: string, pageId: string): Promise<ProductRestEndpointPage> {
  const page = await reader.getRecord<ProductRestEndpointPage>(PRODUCT_REST_ENDPOINT_PAGE_KIND, pageKey(productId, pageId));
  if (!page) throw notFound(`Invalid product REST endpoint page identifier specified ${pageId}`);
  return page;
}

/** A product's pages in id order, which no update changes, so listings page stably. */
export async function listProductPages(reader: StoreReader, productId: string): Promise<ProductPage[]> {
  return (await reader.listRecords<ProductPage>(PRODUCT_PAGE_KIND))
    .filter((p) => p.portalProductId === productId)
    .sort((a, b) => a.productPageId.localeCompare(b.productPageId));
}

export async function listRestEndpointPages(reader: StoreReader, productId: string): Promise<ProductRestEndpointPage[]> {
  return (await reader.listRecords<ProductRestEndpointPage>(PRODUCT_REST_ENDPOINT_PAGE_KIND))
    .filter((p) => p.portalProductId === productId)
    .sort((a, b) => a.productRestEndpointPageId.localeCompare(b.productRestEndpointPageId));
}

type Tags = Record<string, string>;
export type PortalTagCollection = 'portals' | 'portalproducts';

/** Tags of the portal or portal product an ARN names, for GetTags. */
export async function readPortalTags(reader: StoreReader, collection: PortalTagCollection, id: string): Promise<Tags> {
  return collection === 'portals' ? (await readPortal(reader, id)).tags : (await readProduct(reader, id)).tags;
}

/** Replaces the tags of a portal or portal product in the caller's transaction. */
export async function changePortalTags(tx: StoreWriter, collection: PortalTagCollection, id: string, change: (tags: Tags) => Tags): Promise<void> {
  if (collection === 'portals') {
    const portal = await readPortal(tx, id);
    await tx.putRecord<Portal>(PORTAL_KIND, id, { ...portal, tags: change(portal.tags) });
    return;
  }
  const product = await readProduct(tx, id);
  await tx.putRecord<PortalProduct>(PORTAL_PRODUCT_KIND, id, { ...product, tags: change(product.tags) });
}
