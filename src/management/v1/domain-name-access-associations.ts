/**
 * apigateway (v1) domain name access associations: CreateDomainNameAccessAssociation,
 * GetDomainNameAccessAssociations, DeleteDomainNameAccessAssociation and
 * RejectDomainNameAccessAssociation. An association lets a VPC endpoint call a PRIVATE custom
 * domain name. Portico has a single account, so every association is the account's own:
 * listing OTHER_ACCOUNTS' associations finds none, and rejecting an association (AWS's way for
 * a domain's owner to end another account's association) ends it as deleting does.
 * Associations are stored; no data-plane request is admitted or refused by them.
 */
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { RECORD_KINDS, type DomainName } from '../../model/usage-plan.js';
import type { DomainNameAccessAssociation } from '../../model/account-resources.js';
import type { HandlerTable, ManagementContext, OperationHandler } from '../operation.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { pageV1 } from '../pagination.js';
import { checkTags, limitExceeded, optionalString, sortBy } from './account-common.js';
import { readDomainName } from './account-base-path-mappings.js';

/** A bound of Portico's own: AWS publishes no quota for associations. */
export const MAX_DOMAIN_NAME_ACCESS_ASSOCIATIONS = 500;
const SOURCE_TYPES = ['VPCE'] as const;
const RESOURCE_OWNERS = ['SELF', 'OTHER_ACCOUNTS'] as const;
/** VPC endpoint ids: `vpce-` and 8 or 17 hexadecimal digits. */
const VPC_ENDPOINT_ID = /^vpce-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
/** A domain name's ARN, with or without the account and AWS's `+{domainNameId}` suffix of private names. */
const DOMAIN_NAME_ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):(?:\d{12})?:\/domainnames\/([^/+]+)(?:\+[^/]+)?$/;
const ASSOCIATION_ARN = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+):\d{12}:\/domainnameaccessassociations\/domainname\/([^/]+)\/vpcesource\/([^/]+)$/;

const recordId = (domainName: string, source: string): string => `${domainName}/${source}`;

const domainNameArnOf = (ctx: ManagementContext, domainName: string): string =>
  `arn:aws:apigateway:${ctx.account.region}::/domainnames/${domainName}`;

const associationArnOf = (ctx: ManagementContext, a: DomainNameAccessAssociation): string =>
  `arn:aws:apigateway:${ctx.account.region}:${ctx.account.accountId}:/domainnameaccessassociations/domainname/${a.domainName}/vpcesource/${a.accessAssociationSource}`;

function associationShape(ctx: ManagementContext, a: DomainNameAccessAssociation): Record<string, unknown> {
  return {
    domainNameAccessAssociationArn: associationArnOf(ctx, a),
    domainNameArn: domainNameArnOf(ctx, a.domainName),
    accessAssociationSourceType: a.accessAssociationSourceType,
    accessAssociationSource: a.accessAssociationSource,
    ...(Object.keys(a.tags).length > 0 ? { tags: a.tags } : {}),
  };
}

/** The identity of a domain's current incarnation (see DomainNameAccessAssociation.domainTarget). */
const domainTargetOf = (d: DomainName): string => d.regionalDomainName ?? '';

/** Whether the association still belongs to a domain that exists: one deleted since takes its associations with it. */
async function isLive(reader: StoreReader, a: DomainNameAccessAssociation): Promise<boolean> {
  const domain = await reader.getRecord<DomainName>(RECORD_KINDS.domainName, a.domainName);
  return domain !== undefined && domainTargetOf(domain) === a.domainTarget;
}

/** The private domain name an ARN names, or AWS's errors. */
async function readPrivateDomain(ctx: ManagementContext, reader: StoreReader, arn: string): Promise<DomainName> {
  const match = DOMAIN_NAME_ARN.exec(arn);
  if (!match) throw badRequest(`Invalid domain name ARN specified: ${arn}`);
  if (match[1] !== ctx.account.region) throw notFound('Invalid domain name identifier specified');
  const domain = await readDomainName(reader, match[2]!);
  if (!domain.endpointConfiguration.types.includes('PRIVATE')) {
    throw badRequest(`Domain name ${domain.domainName} is not a PRIVATE domain name; only private custom domain names take access associations`);
  }
  return domain;
}

async function listLive(reader: StoreReader): Promise<DomainNameAccessAssociation[]> {
  const out: DomainNameAccessAssociation[] = [];
  for (const a of await reader.listRecords<DomainNameAccessAssociation>(RECORD_KINDS.domainNameAccessAssociation)) {
    if (await isLive(reader, a)) out.push(a);
  }
  return out;
}

/** Drops the associations of deleted domains, so they never pile up in the store. */
async function pruneDead(tx: StoreWriter): Promise<void> {
  for (const a of await tx.listRecords<DomainNameAccessAssociation>(RECORD_KINDS.domainNameAccessAssociation)) {
    if (!(await isLive(tx, a))) await remove(tx, a);
  }
}

/** The stored association an ARN names, or NotFoundException. */
async function readAssociation(ctx: ManagementContext, reader: StoreReader, arn: string): Promise<DomainNameAccessAssociation> {
  const match = ASSOCIATION_ARN.exec(arn);
  const missing = notFound('Invalid domain name access association identifier specified');
  if (!match || match[1] !== ctx.account.region) throw missing;
  const a = await reader.getRecord<DomainNameAccessAssociation>(RECORD_KINDS.domainNameAccessAssociation, recordId(match[2]!.toLowerCase(), match[3]!));
  if (!a || associationArnOf(ctx, a) !== arn || !(await isLive(reader, a))) throw missing;
  return a;
}

async function remove(tx: StoreWriter, a: DomainNameAccessAssociation): Promise<void> {
  await tx.deleteRecord(RECORD_KINDS.domainNameAccessAssociation, recordId(a.domainName, a.accessAssociationSource));
}

const createAssociation: OperationHandler = async (ctx, req) => {
  const { body } = req;
  const domainNameArn = optionalString(body, 'domainNameArn');
  if (domainNameArn === undefined) throw badRequest('A domainNameArn must be specified');
  const sourceType = optionalString(body, 'accessAssociationSourceType');
  if (!(SOURCE_TYPES as readonly (string | undefined)[]).includes(sourceType)) {
    throw badRequest(`Invalid accessAssociationSourceType '${sourceType ?? ''}': must be one of [${SOURCE_TYPES.join(', ')}]`);
  }
  const source = optionalString(body, 'accessAssociationSource');
  if (source === undefined || !VPC_ENDPOINT_ID.test(source)) {
    throw badRequest(`Invalid accessAssociationSource '${source ?? ''}': a VPCE source is a VPC endpoint id such as vpce-0123456789abcdef0`);
  }
  const tags = checkTags(body.tags);
  const association = await ctx.store.transaction(async (tx) => {
    const domain = await readPrivateDomain(ctx, tx, domainNameArn);
    const created: DomainNameAccessAssociation = {
      domainName: domain.domainName,
      domainTarget: domainTargetOf(domain),
      accessAssociationSourceType: 'VPCE',
      accessAssociationSource: source,
      tags,
    };
    await pruneDead(tx);
    const id = recordId(created.domainName, source);
    if (await tx.getRecord<DomainNameAccessAssociation>(RECORD_KINDS.domainNameAccessAssociation, id)) {
      throw conflict(`VPC endpoint ${source} already has an access association with domain name ${domain.domainName}`);
    }
    if ((await listLive(tx)).length >= MAX_DOMAIN_NAME_ACCESS_ASSOCIATIONS) {
      throw limitExceeded(`An account can have at most ${MAX_DOMAIN_NAME_ACCESS_ASSOCIATIONS} domain name access associations`);
    }
    await tx.putRecord(RECORD_KINDS.domainNameAccessAssociation, id, created);
    return created;
  });
  return { body: associationShape(ctx, association) };
};

const getAssociations: OperationHandler = async (ctx, req) => {
  const owner = req.query.get('resourceOwner');
  if (owner !== null && !(RESOURCE_OWNERS as readonly string[]).includes(owner)) {
    throw badRequest(`Invalid resourceOwner '${owner}': must be one of [${RESOURCE_OWNERS.join(', ')}]`);
  }
  // Every association in a single-account Portico is the account's own.
  const all = owner === 'OTHER_ACCOUNTS' ? [] : await listLive(ctx.store);
  sortBy(all, (a) => recordId(a.domainName, a.accessAssociationSource));
  const page = pageV1(all, req.query);
  return { body: { ...page, item: page.item.map((a) => associationShape(ctx, a)) } };
};

const deleteAssociation: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => remove(tx, await readAssociation(ctx, tx, req.path.domainNameAccessAssociationArn!)));
  return {};
};

const rejectAssociation: OperationHandler = async (ctx, req) => {
  const associationArn = req.query.get('domainNameAccessAssociationArn') ?? '';
  const domainNameArn = req.query.get('domainNameArn') ?? '';
  if (associationArn === '') throw badRequest('A domainNameAccessAssociationArn must be specified');
  if (domainNameArn === '') throw badRequest('A domainNameArn must be specified');
  await ctx.store.transaction(async (tx) => {
    const domain = await readPrivateDomain(ctx, tx, domainNameArn);
    const a = await readAssociation(ctx, tx, associationArn);
    if (a.domainName !== domain.domainName) throw notFound('Invalid domain name access association identifier specified');
    await remove(tx, a);
  });
  return {};
};

export const DOMAIN_NAME_ACCESS_ASSOCIATIONS_HANDLERS: HandlerTable = {
  CreateDomainNameAccessAssociation: createAssociation,
  GetDomainNameAccessAssociations: getAssociations,
  DeleteDomainNameAccessAssociation: deleteAssociation,
  RejectDomainNameAccessAssociation: rejectAssociation,
};
