/**
 * apigateway (v1) custom domain names: CreateDomainName, GetDomainName, GetDomainNames,
 * UpdateDomainName and DeleteDomainName, with their base path mappings
 * (account-base-path-mappings.ts). Portico stores them faithfully, including the DNS targets
 * AWS hands out (a CloudFront-style name for EDGE, an execute-api name for REGIONAL), so
 * tools that read them back work; serving requests by custom domain is the data plane's job.
 * apigatewayv2 (v2/domain-names.ts) reads and writes the same records through the helpers
 * exported here, as AWS has one custom domain name resource behind both APIs.
 */
import { RECORD_KINDS, type BasePathMapping, type DomainName, type EndpointType } from '../../model/usage-plan.js';
import { randomId } from '../../model/ids.js';
import type { StoreWriter } from '../../store/store.js';
import type { ManagementContext, HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, conflict } from '../errors.js';
import { invalidPath, parsePatchOperations, requireValue, type PatchOperation } from '../patch.js';
import { pageV1 } from '../pagination.js';
import { compact } from './shapes.js';
import { checkTags, limitExceeded, nowSeconds, optionalObject, optionalString, sortBy } from './account-common.js';
import { BASE_PATH_MAPPINGS_HANDLERS, basePathMappingId, readDomainName } from './account-base-path-mappings.js';

/** AWS's custom domain names per account and region. */
export const MAX_DOMAIN_NAMES = 120;
const ENDPOINT_TYPES: readonly EndpointType[] = ['EDGE', 'REGIONAL', 'PRIVATE'];
const SECURITY_POLICIES = ['TLS_1_0', 'TLS_1_2'] as const;
/** CloudFront's hosted zone, the same for every distribution. */
const CLOUDFRONT_HOSTED_ZONE_ID = 'Z2FDTNDATAQYW2';
/** Hosted zones of regional execute-api endpoints, for the regions people run most. */
const REGIONAL_HOSTED_ZONE_IDS: Record<string, string> = {
  'us-east-1': 'Z1UJRXOUMOOFQ8',
  'us-east-2': 'ZOJJZC49E0EPZ',
  'us-west-1': 'Z2MUQ32089INYE',
  'us-west-2': 'Z2OJLYMUO9EFXC',
  'eu-west-1': 'ZLY8HYME6SFDD',
  'eu-west-2': 'ZJ5UAJN8Y3Z2Q',
  'eu-central-1': 'Z1U9ULNL0V5AJ3',
  'ap-southeast-1': 'ZL327KTPIQFUL',
  'ap-southeast-2': 'Z2RPCDW04V8134',
  'ap-northeast-1': 'Z1YSHQZHG15GKL',
};

export const HOSTNAME = /^(\*\.)?(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;

export function domainNameShape(ctx: ManagementContext, d: DomainName, alwaysTags: boolean): Record<string, unknown> {
  return {
    ...compact({
      domainName: d.domainName,
      domainNameArn: `arn:aws:apigateway:${ctx.account.region}::/domainnames/${d.domainName}`,
      certificateName: d.certificateName,
      certificateArn: d.certificateArn,
      certificateUploadDate: d.certificateUploadDate,
      regionalDomainName: d.regionalDomainName,
      regionalHostedZoneId: d.regionalHostedZoneId,
      regionalCertificateName: d.regionalCertificateName,
      regionalCertificateArn: d.regionalCertificateArn,
      distributionDomainName: d.distributionDomainName,
      distributionHostedZoneId: d.distributionHostedZoneId,
      endpointConfiguration: d.endpointConfiguration,
      domainNameStatus: d.domainNameStatus,
      domainNameStatusMessage: d.domainNameStatusMessage,
      securityPolicy: d.securityPolicy,
      mutualTlsAuthentication: d.mutualTlsAuthentication,
      ownershipVerificationCertificateArn: d.ownershipVerificationCertificateArn,
      routingMode: d.routingMode,
    }),
    ...(alwaysTags || Object.keys(d.tags).length > 0 ? { tags: d.tags } : {}),
  };
}

/** Gives the domain the DNS target its endpoint type has, dropping the other type's. */
export function assignTargets(ctx: ManagementContext, d: DomainName): void {
  const type = d.endpointConfiguration.types[0]!;
  if (type === 'EDGE') {
    d.distributionDomainName ??= `d${randomId(13)}.cloudfront.net`;
    d.distributionHostedZoneId = CLOUDFRONT_HOSTED_ZONE_ID;
    delete d.regionalDomainName;
    delete d.regionalHostedZoneId;
  } else {
    d.regionalDomainName ??= `d-${randomId(10)}.execute-api.${ctx.account.region}.amazonaws.com`;
    d.regionalHostedZoneId = REGIONAL_HOSTED_ZONE_IDS[ctx.account.region] ?? REGIONAL_HOSTED_ZONE_IDS['us-east-1'];
    delete d.distributionDomainName;
    delete d.distributionHostedZoneId;
  }
}

/** AWS needs a certificate of the endpoint type's kind. */
function checkCertificate(d: DomainName, hasBody: boolean): void {
  const type = d.endpointConfiguration.types[0];
  if (type === 'REGIONAL' && !d.regionalCertificateArn) {
    throw badRequest('A regionalCertificateArn must be specified for a REGIONAL domain name');
  }
  if (type !== 'REGIONAL' && !d.certificateArn && !hasBody) {
    throw badRequest(`A certificateArn must be specified for an ${type} domain name`);
  }
}

function readEndpointConfiguration(raw: Record<string, unknown> | undefined): DomainName['endpointConfiguration'] {
  if (!raw) return { types: ['EDGE'], ipAddressType: 'ipv4' };
  const types = raw.types;
  if (!Array.isArray(types) || types.length !== 1 || !ENDPOINT_TYPES.includes(types[0] as EndpointType)) {
    throw badRequest('endpointConfiguration.types must hold exactly one of [EDGE, REGIONAL, PRIVATE]');
  }
  const ipAddressType = raw.ipAddressType ?? 'ipv4';
  if (ipAddressType !== 'ipv4' && ipAddressType !== 'dualstack') throw badRequest('endpointConfiguration.ipAddressType must be ipv4 or dualstack');
  const vpcEndpointIds = raw.vpcEndpointIds;
  if (vpcEndpointIds !== undefined && (!Array.isArray(vpcEndpointIds) || vpcEndpointIds.some((v) => typeof v !== 'string'))) {
    throw badRequest('endpointConfiguration.vpcEndpointIds must be a list of strings');
  }
  return compact({ types: [types[0] as EndpointType], ipAddressType, vpcEndpointIds }) as unknown as DomainName['endpointConfiguration'];
}

function checkSecurityPolicy(value: string): DomainName['securityPolicy'] {
  if (!(SECURITY_POLICIES as readonly string[]).includes(value)) throw badRequest(`Invalid securityPolicy '${value}': must be one of [TLS_1_0, TLS_1_2]`);
  return value as DomainName['securityPolicy'];
}

const createDomainName: OperationHandler = async (ctx, req) => {
  const { body } = req;
  const name = optionalString(body, 'domainName');
  if (name === undefined) throw badRequest('A domain name must be specified');
  if (!HOSTNAME.test(name)) throw badRequest(`Invalid domain name '${name}'`);
  const mtls = optionalObject(body, 'mutualTlsAuthentication');
  if (mtls && typeof mtls.truststoreUri !== 'string') throw badRequest('mutualTlsAuthentication.truststoreUri must be specified');
  const certificateBody = optionalString(body, 'certificateBody');
  const domain: DomainName = {
    domainName: name.toLowerCase(),
    certificateName: optionalString(body, 'certificateName'),
    certificateArn: optionalString(body, 'certificateArn'),
    regionalCertificateName: optionalString(body, 'regionalCertificateName'),
    regionalCertificateArn: optionalString(body, 'regionalCertificateArn'),
    endpointConfiguration: readEndpointConfiguration(optionalObject(body, 'endpointConfiguration')),
    domainNameStatus: 'AVAILABLE',
    securityPolicy: checkSecurityPolicy(optionalString(body, 'securityPolicy') ?? 'TLS_1_2'),
    mutualTlsAuthentication: mtls && compact({ truststoreUri: mtls.truststoreUri, truststoreVersion: mtls.truststoreVersion }),
    ownershipVerificationCertificateArn: optionalString(body, 'ownershipVerificationCertificateArn'),
    routingMode: optionalString(body, 'routingMode'),
    tags: checkTags(body.tags),
  };
  checkCertificate(domain, certificateBody !== undefined);
  if (domain.endpointConfiguration.types[0] !== 'REGIONAL' && (domain.certificateArn || certificateBody)) domain.certificateUploadDate = nowSeconds();
  assignTargets(ctx, domain);
  await ctx.store.transaction((tx) => insertDomainName(tx, domain));
  return { body: domainNameShape(ctx, domain, false) };
};

/** Stores a new domain name, unless it exists or the account has its quota of them. */
export async function insertDomainName(tx: StoreWriter, domain: DomainName): Promise<void> {
  if (await tx.getRecord<DomainName>(RECORD_KINDS.domainName, domain.domainName)) throw conflict('The domain name you provided already exists.');
  if ((await tx.listRecords<DomainName>(RECORD_KINDS.domainName)).length >= MAX_DOMAIN_NAMES) {
    throw limitExceeded(`An account can have at most ${MAX_DOMAIN_NAMES} custom domain names`);
  }
  await tx.putRecord(RECORD_KINDS.domainName, domain.domainName, domain);
}

/** Deletes a domain name with its mappings; its routing rules live on its record and go with it. */
export async function removeDomainName(tx: StoreWriter, domain: DomainName): Promise<void> {
  for (const m of await tx.listRecords<BasePathMapping>(RECORD_KINDS.basePathMapping)) {
    if (m.domainName === domain.domainName) await tx.deleteRecord(RECORD_KINDS.basePathMapping, basePathMappingId(m.domainName, m.basePath));
  }
  await tx.deleteRecord(RECORD_KINDS.domainName, domain.domainName);
}

const getDomainName: OperationHandler = async (ctx, req) => ({
  body: domainNameShape(ctx, await readDomainName(ctx.store, req.path.domainName!), true),
});

const getDomainNames: OperationHandler = async (ctx, req) => {
  const all = sortBy(await ctx.store.listRecords<DomainName>(RECORD_KINDS.domainName), (d) => d.domainName);
  const page = pageV1(all, req.query);
  return { body: { ...page, item: page.item.map((d) => domainNameShape(ctx, d, false)) } };
};

const REPLACEABLE: Record<string, (d: DomainName, op: PatchOperation) => void> = {
  '/certificateName': (d, op) => void (d.certificateName = requireValue(op)),
  '/certificateArn': (d, op) => {
    d.certificateArn = requireValue(op);
    d.certificateUploadDate = nowSeconds();
  },
  '/regionalCertificateName': (d, op) => void (d.regionalCertificateName = requireValue(op)),
  '/regionalCertificateArn': (d, op) => void (d.regionalCertificateArn = requireValue(op)),
  '/securityPolicy': (d, op) => void (d.securityPolicy = checkSecurityPolicy(requireValue(op))),
  '/endpointConfiguration/types/0': (d, op) => {
    const type = requireValue(op) as EndpointType;
    if (!ENDPOINT_TYPES.includes(type)) throw badRequest(`Invalid endpoint type '${type}': must be one of [EDGE, REGIONAL, PRIVATE]`);
    d.endpointConfiguration = { ...d.endpointConfiguration, types: [type] };
  },
  '/endpointConfiguration/ipAddressType': (d, op) => {
    const value = requireValue(op);
    if (value !== 'ipv4' && value !== 'dualstack') throw badRequest('ipAddressType must be ipv4 or dualstack');
    d.endpointConfiguration = { ...d.endpointConfiguration, ipAddressType: value };
  },
  '/mutualTlsAuthentication/truststoreUri': (d, op) => void (d.mutualTlsAuthentication = { ...d.mutualTlsAuthentication, truststoreUri: requireValue(op) }),
  '/mutualTlsAuthentication/truststoreVersion': (d, op) =>
    void (d.mutualTlsAuthentication = { ...d.mutualTlsAuthentication, truststoreVersion: requireValue(op) }),
  '/ownershipVerificationCertificateArn': (d, op) => void (d.ownershipVerificationCertificateArn = requireValue(op)),
};

const updateDomainName: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const domain = await ctx.store.transaction(async (tx) => {
    const updated = structuredClone(await readDomainName(tx, req.path.domainName!));
    for (const op of ops) {
      const apply = REPLACEABLE[op.path];
      if (op.op !== 'replace' || !apply) throw invalidPath(op);
      apply(updated, op);
    }
    checkCertificate(updated, false);
    assignTargets(ctx, updated);
    await tx.putRecord(RECORD_KINDS.domainName, updated.domainName, updated);
    return updated;
  });
  return { body: domainNameShape(ctx, domain, true) };
};

const deleteDomainName: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => removeDomainName(tx, await readDomainName(tx, req.path.domainName!)));
  return {};
};

export const DOMAIN_NAMES_HANDLERS: HandlerTable = {
  CreateDomainName: createDomainName,
  GetDomainName: getDomainName,
  GetDomainNames: getDomainNames,
  UpdateDomainName: updateDomainName,
  DeleteDomainName: deleteDomainName,
  ...BASE_PATH_MAPPINGS_HANDLERS,
};
