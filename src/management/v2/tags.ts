/**
 * apigatewayv2 tagging by ARN: TagResource, UntagResource and GetTags for HTTP and WebSocket
 * APIs (`/apis/{id}`), their stages (`/apis/{id}/stages/{name}`), custom domain names
 * (`/domainnames/{name}`), VPC links (`/vpclinks/{id}`), and portals and portal products
 * (`{account}:/portals/{id}`, `{account}:/portalproducts/{id}`). Tags live on the resource they
 * describe, so GetApi, GetStage, GetDomainName (in both APIs) and GetVpcLink show the same
 * tags; an ARN naming anything else, or another region, is not found.
 */
import type { DomainName } from '../../model/usage-plan.js';
import { RECORD_KINDS } from '../../model/usage-plan.js';
import { VPC_LINK_KIND, type Stage, type VpcLink } from '../../model/http-api.js';
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { STAGE_KIND, putV2Api, readV2Api, readV2Stage, stageKey } from './document.js';
import { tags as checkTags } from './input.js';
import { readV2DomainName } from './domain-names.js';
import { readVpcLink } from './vpc-links.js';
import { changePortalTags, readPortalTags, type PortalTagCollection } from './portal-records.js';

type Tags = Record<string, string>;

type Target =
  | { kind: 'api'; apiId: string }
  | { kind: 'stage'; apiId: string; stageName: string }
  | { kind: 'domainName'; name: string }
  | { kind: 'vpcLink'; id: string }
  | { kind: 'portal'; collection: PortalTagCollection; id: string };

const ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(\d{12})?:(\/.*)$/;

function targetOf(ctx: ManagementContext, arn: string): Target {
  const invalid = (): Error => notFound(`Invalid resource ARN specified: ${arn}`);
  const match = ARN.exec(arn);
  if (!match || match[1] !== ctx.account.region) throw invalid();
  const [collection, id, sub, subId, ...rest] = match[3]!.split('/').slice(1);
  // Only portal ARNs name the account, and it must be this one.
  const portal = collection === 'portals' || collection === 'portalproducts';
  if (match[2] !== (portal ? ctx.account.accountId : undefined)) throw invalid();
  if (!id || rest.length > 0) throw invalid();
  if (collection === 'apis' && sub === undefined) return { kind: 'api', apiId: id };
  if (collection === 'apis' && sub === 'stages' && subId) return { kind: 'stage', apiId: id, stageName: subId };
  if (sub !== undefined) throw invalid();
  if (collection === 'domainnames') return { kind: 'domainName', name: id };
  if (collection === 'vpclinks') return { kind: 'vpcLink', id };
  if (portal) return { kind: 'portal', collection: collection as PortalTagCollection, id };
  throw invalid();
}

async function readTags(ctx: ManagementContext, reader: StoreReader, target: Target): Promise<Tags> {
  switch (target.kind) {
    case 'api':
      return (await readV2Api(ctx, reader, target.apiId)).document.api.tags;
    case 'stage':
      await readV2Api(ctx, reader, target.apiId);
      return (await readV2Stage(reader, target.apiId, target.stageName)).tags;
    case 'domainName':
      return (await readV2DomainName(reader, target.name)).tags;
    case 'vpcLink':
      return (await readVpcLink(reader, target.id)).tags;
    case 'portal':
      return readPortalTags(reader, target.collection, target.id);
  }
}

/**
 * Replaces the target's tags with `change(current)` in the caller's transaction. Tagging an
 * API changes no route, so it triggers no automatic deployment.
 */
async function changeTags(ctx: ManagementContext, tx: StoreWriter, target: Target, change: (tags: Tags) => Tags): Promise<void> {
  switch (target.kind) {
    case 'api': {
      const record = await readV2Api(ctx, tx, target.apiId);
      const document = structuredClone(record.document);
      document.api.tags = change(document.api.tags);
      await putV2Api(tx, { ...record, document });
      return;
    }
    case 'stage': {
      await readV2Api(ctx, tx, target.apiId);
      const stage = await readV2Stage(tx, target.apiId, target.stageName);
      await tx.putRecord<Stage>(STAGE_KIND, stageKey(target.apiId, target.stageName), { ...stage, tags: change(stage.tags) });
      return;
    }
    case 'domainName': {
      const domain = await readV2DomainName(tx, target.name);
      await tx.putRecord<DomainName>(RECORD_KINDS.domainName, domain.domainName, { ...domain, tags: change(domain.tags) });
      return;
    }
    case 'vpcLink': {
      const link = await readVpcLink(tx, target.id);
      await tx.putRecord<VpcLink>(VPC_LINK_KIND, link.vpcLinkId, { ...link, tags: change(link.tags) });
      return;
    }
    case 'portal':
      return changePortalTags(tx, target.collection, target.id, change);
  }
}

export const TAGS_HANDLERS: HandlerTable = {
  async TagResource(ctx, req) {
    const target = targetOf(ctx, req.path['ResourceArn']!);
    const added = checkTags(req.body['tags']);
    // The 50-tag limit counts the tags the resource already has.
    await ctx.store.transaction((tx) => changeTags(ctx, tx, target, (current) => checkTags({ ...current, ...added })));
    return { body: {} };
  },

  async UntagResource(ctx, req) {
    const target = targetOf(ctx, req.path['ResourceArn']!);
    const keys = req.query.getAll('tagKeys');
    if (keys.length === 0) throw badRequest("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    await ctx.store.transaction((tx) => changeTags(ctx, tx, target, (current) => Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k)))));
    return {};
  },

  async GetTags(ctx, req) {
    const target = targetOf(ctx, req.path['ResourceArn']!);
    return { body: { tags: await readTags(ctx, ctx.store, target) } };
  },
};
