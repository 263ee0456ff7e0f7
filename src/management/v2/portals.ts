/**
 * apigatewayv2 developer portals: CreatePortal, GetPortal, ListPortals, UpdatePortal,
 * DeletePortal, PublishPortal, DisablePortal and PreviewPortal.
 *
 * Portico stores portals and walks them through AWS's publish lifecycle (portal-status.ts) but
 * does not render or host a portal website. What AWS reports about the site is therefore what
 * Portico can say truthfully: the default domain name is `{portalId}.portal.invalid` (the
 * `.invalid` top-level domain never resolves) in a hosted zone that does not exist
 * (PORTAL_HOSTED_ZONE_ID), and a ready preview has no preview URL.
 */
import { PORTAL_KIND, PORTAL_PRODUCT_KIND, type Portal } from '../../model/portal.js';
import { randomId } from '../../model/ids.js';
import type { StoreReader } from '../../store/store.js';
import { badRequest, conflict } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { now } from './document.js';
import { defined, has, tags } from './input.js';
import { arnList, readAuthorization, readEndpointConfiguration, readPortalContent, requireMember, text } from './portal-input.js';
import { PORTAL_LIMITS, portalArn, productIdOfArn, readPortal } from './portal-records.js';
import { previewStatus, publishView, settle } from './portal-status.js';

/** Stands where AWS names the Route 53 hosted zone of the portal's domain: Portico serves none. */
export const PORTAL_HOSTED_ZONE_ID = 'ZPORTICONOTHOSTED';
export const portalDefaultDomainName = (portalId: string): string => `${portalId}.portal.invalid`;

function endpointShape(portal: Portal): Record<string, unknown> {
  return defined({
    certificateArn: portal.endpointConfiguration.acmManaged?.certificateArn,
    domainName: portal.endpointConfiguration.acmManaged?.domainName,
    portalDefaultDomainName: portalDefaultDomainName(portal.portalId),
    portalDomainHostedZoneId: PORTAL_HOSTED_ZONE_ID,
  });
}

/** The portal as AWS answers for it; CreatePortal's answer has no preview member. */
export function portalShape(ctx: ManagementContext, portal: Portal, withPreview = true): Record<string, unknown> {
  const view = publishView(portal);
  const preview = withPreview ? previewStatus(portal) : undefined;
  return defined({
    authorization: portal.authorization,
    endpointConfiguration: endpointShape(portal),
    includedPortalProductArns: portal.includedPortalProductArns,
    lastModified: portal.lastModified,
    lastPublished: view.lastPublished,
    lastPublishedDescription: view.lastPublishedDescription,
    portalArn: portalArn(ctx, portal.portalId),
    portalContent: portal.portalContent,
    portalId: portal.portalId,
    preview: preview && { previewStatus: preview },
    publishStatus: view.publishStatus,
    rumAppMonitorName: portal.rumAppMonitorName,
    tags: portal.tags,
  });
}

/** Products a portal includes must exist in this account and region. */
async function checkIncludedProducts(ctx: ManagementContext, reader: StoreReader, arns: readonly string[]): Promise<void> {
  for (const arn of arns) {
    const id = productIdOfArn(ctx, arn);
    if (id === undefined || !(await reader.getRecord(PORTAL_PRODUCT_KIND, id))) {
      throw badRequest(`Invalid portal product ARN specified: ${arn}`);
    }
  }
}

function includedArns(value: unknown): string[] {
  return arnList(value, 'includedPortalProductArns', PORTAL_LIMITS.productsPerPortal);
}

export const PORTALS_HANDLERS: HandlerTable = {
  async CreatePortal(ctx, req) {
    const body = req.body;
    const authorization = readAuthorization(requireMember(body, 'authorization'));
    const endpointConfiguration = readEndpointConfiguration(requireMember(body, 'endpointConfiguration'));
    const portalContent = readPortalContent(requireMember(body, 'portalContent'));
    const logoUri = text(body, 'logoUri', 'logoUri', 0, 1092);
    const created = now();
    if (logoUri !== undefined) portalContent.theme.logoLastUploaded = created;
    const portal: Portal = defined({
      portalId: randomId(10),
      authorization,
      endpointConfiguration,
      includedPortalProductArns: has(body, 'includedPortalProductArns') ? includedArns(body['includedPortalProductArns']) : [],
      logoUri,
      portalContent,
      rumAppMonitorName: text(body, 'rumAppMonitorName', 'rumAppMonitorName', 0, 255),
      tags: tags(body['tags']),
      lastModified: created,
    });
    await ctx.store.transaction(async (tx) => {
      if ((await tx.listRecords(PORTAL_KIND)).length >= PORTAL_LIMITS.portals) {
        throw badRequest(`The account already has the maximum of ${PORTAL_LIMITS.portals} portals`);
      }
      await checkIncludedProducts(ctx, tx, portal.includedPortalProductArns);
      await tx.putRecord(PORTAL_KIND, portal.portalId, portal);
    });
    return { body: portalShape(ctx, portal, false) };
  },

  async GetPortal(ctx, req) {
    return { body: portalShape(ctx, await readPortal(ctx.store, req.path['PortalId']!)) };
  },

  async ListPortals(ctx, req) {
    const all = (await ctx.store.listRecords<Portal>(PORTAL_KIND)).sort((a, b) => a.portalId.localeCompare(b.portalId));
    const { items, nextToken } = pageV2(all, req.query);
    return { body: defined({ items: items.map((p) => portalShape(ctx, p)), nextToken }) };
  },

  async UpdatePortal(ctx, req) {
    const body = req.body;
    const authorization = has(body, 'authorization') ? readAuthorization(body['authorization']) : undefined;
    const endpointConfiguration = has(body, 'endpointConfiguration') ? readEndpointConfiguration(body['endpointConfiguration']) : undefined;
    const portalContent = has(body, 'portalContent') ? readPortalContent(body['portalContent']) : undefined;
    const included = has(body, 'includedPortalProductArns') ? includedArns(body['includedPortalProductArns']) : undefined;
    const logoUri = text(body, 'logoUri', 'logoUri', 0, 1092);
    const rumAppMonitorName = text(body, 'rumAppMonitorName', 'rumAppMonitorName', 0, 255);
    const changing = [authorization, endpointConfiguration, portalContent, included, logoUri, rumAppMonitorName].some((v) => v !== undefined);
    const portal = await ctx.store.transaction(async (tx) => {
      const current = settle(await readPortal(tx, req.path['PortalId']!));
      if (current.transition) throw conflict('The portal cannot be changed while it is being published or disabled');
      if (!changing) return current;
      const at = now();
      const next: Portal = { ...current, lastModified: at };
      if (authorization) next.authorization = authorization;
      if (endpointConfiguration) next.endpointConfiguration = endpointConfiguration;
      // The logo's upload time belongs to the portal, not to the content a client sends.
      const logoLastUploaded = current.portalContent.theme.logoLastUploaded;
      if (portalContent) next.portalContent = { ...portalContent, theme: defined({ ...portalContent.theme, logoLastUploaded }) };
      if (logoUri !== undefined && logoUri !== current.logoUri) {
        next.logoUri = logoUri;
        next.portalContent = { ...next.portalContent, theme: { ...next.portalContent.theme, logoLastUploaded: at } };
      }
      if (rumAppMonitorName !== undefined) next.rumAppMonitorName = rumAppMonitorName;
      if (included) {
        await checkIncludedProducts(ctx, tx, included);
        next.includedPortalProductArns = included;
      }
      await tx.putRecord(PORTAL_KIND, next.portalId, next);
      return next;
    });
    return { body: portalShape(ctx, portal) };
  },

  async DeletePortal(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const portal = await readPortal(tx, req.path['PortalId']!);
      const status = publishView(portal).publishStatus;
      if (status === 'PUBLISHED' || status === 'PUBLISH_IN_PROGRESS' || status === 'DISABLE_IN_PROGRESS') {
        throw badRequest(`Portal ${portal.portalId} is ${status}: disable it, and wait for it to be DISABLED, before deleting it`);
      }
      await tx.deleteRecord(PORTAL_KIND, portal.portalId);
    });
    return {};
  },

  async PublishPortal(ctx, req) {
    const description = text(req.body, 'description', 'description', 0, 1024);
    await ctx.store.transaction(async (tx) => {
      const portal = settle(await readPortal(tx, req.path['PortalId']!));
      if (portal.transition) throw conflict('The portal is already being published or disabled');
      await checkIncludedProducts(ctx, tx, portal.includedPortalProductArns);
      const next: Portal = { ...portal, transition: defined({ kind: 'publish' as const, requestedAt: now(), description }) };
      await tx.putRecord(PORTAL_KIND, next.portalId, next);
    });
    return { body: {} };
  },

  async DisablePortal(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const portal = settle(await readPortal(tx, req.path['PortalId']!));
      if (portal.transition) throw conflict('The portal is already being published or disabled');
      if (portal.settled?.status !== 'PUBLISHED') throw conflict('The portal is not published');
      const next: Portal = { ...portal, transition: { kind: 'disable', requestedAt: now() } };
      await tx.putRecord(PORTAL_KIND, next.portalId, next);
    });
    return {};
  },

  async PreviewPortal(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const portal = await readPortal(tx, req.path['PortalId']!);
      if (previewStatus(portal) === 'PREVIEW_IN_PROGRESS') throw conflict('A preview of the portal is already being generated');
      await tx.putRecord<Portal>(PORTAL_KIND, portal.portalId, { ...portal, previewRequestedAt: now() });
    });
    return { body: {} };
  },
};
