/**
 * apigateway (v1) tagging by ARN: TagResource, UntagResource and GetTags. Tags live on the
 * resource they describe (a REST API's document, a stage, an API key, a usage plan, a domain
 * name, a VPC link, a client certificate), so reading the resource shows the same tags; an ARN naming anything else, or another
 * region, is not found.
 */
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { RECORD_KINDS, type ApiKey, type DomainName, type Tags, type UsagePlan } from '../../model/usage-plan.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { notFound } from '../errors.js';
import { invalidApiId, readRestApi } from './api-document.js';
import { checkTags, readApiKey, readUsagePlan } from './account-common.js';
import { readDomainName } from './account-base-path-mappings.js';
import type { ClientCertificate, VpcLink } from '../../model/account-resources.js';
import { readVpcLink } from './vpc-links.js';
import { readClientCertificate } from './client-certificates.js';

type TaggableTarget =
  | { kind: 'restApi'; restApiId: string }
  | { kind: 'stage'; restApiId: string; stageName: string }
  | { kind: 'record'; recordKind: string; id: string };

const ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::(\/.*)$/;

function targetOf(ctx: ManagementContext, arn: string): TaggableTarget {
  const match = ARN.exec(arn);
  if (!match || match[1] !== ctx.account.region) throw notFound(`Invalid resource ARN specified: ${arn}`);
  const parts = match[2]!.split('/').slice(1);
  const [collection, id, sub, subId, ...rest] = parts;
  if (!id || rest.length > 0) throw notFound(`Invalid resource ARN specified: ${arn}`);
  if (collection === 'restapis' && sub === undefined) return { kind: 'restApi', restApiId: id };
  if (collection === 'restapis' && sub === 'stages' && subId) return { kind: 'stage', restApiId: id, stageName: subId };
  if (sub === undefined) {
    if (collection === 'apikeys') return { kind: 'record', recordKind: RECORD_KINDS.apiKey, id };
    if (collection === 'usageplans') return { kind: 'record', recordKind: RECORD_KINDS.usagePlan, id };
    if (collection === 'domainnames') return { kind: 'record', recordKind: RECORD_KINDS.domainName, id: id.toLowerCase() };
    if (collection === 'vpclinks') return { kind: 'record', recordKind: RECORD_KINDS.vpcLink, id };
    if (collection === 'clientcertificates') return { kind: 'record', recordKind: RECORD_KINDS.clientCertificate, id };
  }
  throw notFound(`Invalid resource ARN specified: ${arn}`);
}

type Taggable = ApiKey | UsagePlan | DomainName | VpcLink | ClientCertificate;

async function readRecord(reader: StoreReader, recordKind: string, id: string): Promise<Taggable> {
  if (recordKind === RECORD_KINDS.apiKey) return readApiKey(reader, id);
  if (recordKind === RECORD_KINDS.usagePlan) return readUsagePlan(reader, id);
  if (recordKind === RECORD_KINDS.vpcLink) return readVpcLink(reader, id);
  if (recordKind === RECORD_KINDS.clientCertificate) return readClientCertificate(reader, id);
  return readDomainName(reader, id);
}

async function readStage(ctx: ManagementContext, reader: StoreReader, restApiId: string, stageName: string) {
  await readRestApi(ctx, reader, restApiId);
  const stage = await reader.getStage(restApiId, stageName);
  if (!stage) throw notFound('Invalid stage identifier specified');
  return stage;
}

async function readTags(ctx: ManagementContext, reader: StoreReader, target: TaggableTarget): Promise<Tags> {
  if (target.kind === 'restApi') return (await readRestApi(ctx, reader, target.restApiId)).document.restApi.tags;
  if (target.kind === 'stage') return (await readStage(ctx, reader, target.restApiId, target.stageName)).tags;
  return (await readRecord(reader, target.recordKind, target.id)).tags;
}

/** Replaces the target's tags with `change(current)` in the caller's transaction. */
async function changeTags(ctx: ManagementContext, tx: StoreWriter, target: TaggableTarget, change: (tags: Tags) => Tags): Promise<void> {
  if (target.kind === 'restApi') {
    const record = await tx.getApi(target.restApiId);
    if (!record || record.protocolType !== 'REST') throw invalidApiId(ctx, target.restApiId);
    const document = structuredClone(record.document);
    document.restApi.tags = change(document.restApi.tags);
    await tx.putApi({ ...record, document });
  } else if (target.kind === 'stage') {
    const stage = await readStage(ctx, tx, target.restApiId, target.stageName);
    await tx.putStage({ ...stage, tags: change(stage.tags) });
  } else {
    const record = await readRecord(tx, target.recordKind, target.id);
    await tx.putRecord(target.recordKind, target.id, { ...record, tags: change(record.tags) });
  }
}

const tagResource: OperationHandler = async (ctx, req) => {
  const target = targetOf(ctx, req.path.resourceArn!);
  await ctx.store.transaction((tx) => changeTags(ctx, tx, target, (tags) => checkTags(req.body.tags, tags)));
  return {};
};

const untagResource: OperationHandler = async (ctx, req) => {
  const target = targetOf(ctx, req.path.resourceArn!);
  const keys = req.query.getAll('tagKeys').flatMap((k) => k.split(','));
  await ctx.store.transaction((tx) =>
    changeTags(ctx, tx, target, (tags) => Object.fromEntries(Object.entries(tags).filter(([k]) => !keys.includes(k)))),
  );
  return {};
};

const getTags: OperationHandler = async (ctx, req) => {
  const target = targetOf(ctx, req.path.resourceArn!);
  return { body: { tags: await readTags(ctx, ctx.store, target) } };
};

export const TAGS_HANDLERS: HandlerTable = {
  TagResource: tagResource,
  UntagResource: untagResource,
  GetTags: getTags,
};
