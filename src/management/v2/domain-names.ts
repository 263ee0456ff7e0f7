/**
 * apigatewayv2 custom domain names: CreateDomainName, GetDomainName, GetDomainNames,
 * UpdateDomainName and DeleteDomainName. AWS has one custom domain name resource behind both
 * management APIs, so these read and write the same records as apigateway (v1)
 * (v1/domain-names.ts) and convert at the edge: v1's per-endpoint-type certificate and DNS
 * target members become v2's `domainNameConfigurations` entry. Private custom domain names
 * exist only in v1, so apigatewayv2 does not see them.
 */
import { RECORD_KINDS, type DomainName } from '../../model/usage-plan.js';
import type { RoutingMode } from '../../model/http-api.js';
import type { StoreReader } from '../../store/store.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { nowSeconds } from '../v1/account-common.js';
import { readDomainName } from '../v1/account-base-path-mappings.js';
import { HOSTNAME, assignTargets, insertDomainName, removeDomainName } from '../v1/domain-names.js';
import { compact } from './document.js';
import { has, optionalEnum, optionalString, requiredString, structure, tags } from './input.js';

export const ROUTING_MODES: readonly RoutingMode[] = ['API_MAPPING_ONLY', 'ROUTING_RULE_ONLY', 'ROUTING_RULE_THEN_API_MAPPING'];
/** What AWS reports for a domain that was never given a routing mode. */
const DEFAULT_ROUTING_MODE: RoutingMode = 'API_MAPPING_ONLY';
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const TRUSTSTORE_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/;
/**
 * Members a configuration may carry. The read-only ones are accepted (tools send back what
 * they read) and ignored, as AWS computes them.
 */
const CONFIGURATION_MEMBERS = [
  'apiGatewayDomainName',
  'certificateArn',
  'certificateName',
  'certificateUploadDate',
  'domainNameStatus',
  'domainNameStatusMessage',
  'endpointType',
  'hostedZoneId',
  'ipAddressType',
  'securityPolicy',
  'ownershipVerificationCertificateArn',
];

export const domainNameArn = (ctx: ManagementContext, name: string): string => `arn:aws:apigateway:${ctx.account.region}::/domainnames/${name}`;

const isRegional = (d: DomainName): boolean => d.endpointConfiguration.types[0] === 'REGIONAL';

/** The domain name as apigatewayv2 sees it: private domain names are not found. */
export async function readV2DomainName(reader: StoreReader, name: string): Promise<DomainName> {
  const domain = await readDomainName(reader, name);
  if (domain.endpointConfiguration.types[0] === 'PRIVATE') throw notFound('Invalid domain name identifier specified');
  return domain;
}

function configurationShape(d: DomainName): Record<string, unknown> {
  const regional = isRegional(d);
  return compact({
    apiGatewayDomainName: regional ? d.regionalDomainName : d.distributionDomainName,
    certificateArn: regional ? d.regionalCertificateArn : d.certificateArn,
    certificateName: regional ? d.regionalCertificateName : d.certificateName,
    certificateUploadDate: !regional && d.certificateUploadDate !== undefined ? new Date(d.certificateUploadDate * 1000).toISOString() : undefined,
    domainNameStatus: d.domainNameStatus,
    domainNameStatusMessage: d.domainNameStatusMessage,
    endpointType: d.endpointConfiguration.types[0],
    hostedZoneId: regional ? d.regionalHostedZoneId : d.distributionHostedZoneId,
    ipAddressType: d.endpointConfiguration.ipAddressType,
    securityPolicy: d.securityPolicy,
    ownershipVerificationCertificateArn: d.ownershipVerificationCertificateArn,
  });
}

export function v2DomainNameShape(ctx: ManagementContext, d: DomainName): Record<string, unknown> {
  return compact({
    apiMappingSelectionExpression: '$request.basepath',
    domainName: d.domainName,
    domainNameArn: domainNameArn(ctx, d.domainName),
    domainNameConfigurations: [configurationShape(d)],
    mutualTlsAuthentication: d.mutualTlsAuthentication && compact({ ...d.mutualTlsAuthentication }),
    routingMode: d.routingMode ?? DEFAULT_ROUTING_MODE,
    tags: d.tags,
  });
}

/** The single configuration entry AWS takes for a domain name. */
function onlyConfiguration(value: unknown): Record<string, unknown> {
  if (!Array.isArray(value) || value.length !== 1) throw badRequest('domainNameConfigurations must hold exactly one domain name configuration');
  return structure(value[0], 'domainNameConfigurations', CONFIGURATION_MEMBERS);
}

/**
 * Applies a v2 configuration onto the v1 record: the certificate goes to the member of the
 * endpoint type (`regionalCertificateArn` or `certificateArn`), and a change of type drops the
 * old type's certificate and DNS target.
 */
function applyConfiguration(ctx: ManagementContext, d: DomainName, c: Readonly<Record<string, unknown>>): void {
  const before = d.endpointConfiguration.types[0];
  const type = optionalEnum(c, 'endpointType', ['REGIONAL', 'EDGE'] as const) ?? (before === 'EDGE' ? 'EDGE' : 'REGIONAL');
  const regionalBefore = before === 'REGIONAL';
  const certificateArn = optionalString(c, 'certificateArn') ?? (regionalBefore ? d.regionalCertificateArn : d.certificateArn);
  const certificateName = optionalString(c, 'certificateName') ?? (regionalBefore ? d.regionalCertificateName : d.certificateName);
  if (certificateArn === undefined) throw badRequest('A certificateArn must be specified in the domain name configuration');
  if (!CERTIFICATE_ARN.test(certificateArn)) throw badRequest(`Invalid certificate ARN specified: ${certificateArn}`);
  if (type !== before) {
    for (const member of ['certificateArn', 'certificateName', 'certificateUploadDate', 'regionalCertificateArn', 'regionalCertificateName'] as const) {
      delete d[member];
    }
  }
  if (type === 'REGIONAL') {
    d.regionalCertificateArn = certificateArn;
    if (certificateName !== undefined) d.regionalCertificateName = certificateName;
  } else {
    if (d.certificateArn !== certificateArn) d.certificateUploadDate = nowSeconds();
    d.certificateArn = certificateArn;
    if (certificateName !== undefined) d.certificateName = certificateName;
  }
  const ipAddressType = optionalEnum(c, 'ipAddressType', ['ipv4', 'dualstack'] as const) ?? d.endpointConfiguration.ipAddressType ?? 'ipv4';
  d.endpointConfiguration = { ...d.endpointConfiguration, types: [type], ipAddressType };
  d.securityPolicy = optionalEnum(c, 'securityPolicy', ['TLS_1_0', 'TLS_1_2'] as const) ?? d.securityPolicy;
  const ownership = optionalString(c, 'ownershipVerificationCertificateArn');
  if (ownership !== undefined) d.ownershipVerificationCertificateArn = ownership;
  assignTargets(ctx, d);
}

/** `mutualTlsAuthentication` of a create or update; an empty truststoreUri turns mutual TLS off. */
function applyMutualTls(d: DomainName, value: unknown): void {
  const m = structure(value, 'mutualTlsAuthentication', ['truststoreUri', 'truststoreVersion']);
  const uri = optionalString(m, 'truststoreUri');
  if (uri === undefined || uri === '') {
    delete d.mutualTlsAuthentication;
    return;
  }
  if (!TRUSTSTORE_URI.test(uri)) throw badRequest(`Invalid truststoreUri '${uri}': expected s3://{bucket}/{key}`);
  const version = optionalString(m, 'truststoreVersion');
  d.mutualTlsAuthentication = version === undefined ? { truststoreUri: uri } : { truststoreUri: uri, truststoreVersion: version };
}

/** What AWS requires of the whole domain after a create or update. */
function checkDomain(d: DomainName): void {
  if (d.mutualTlsAuthentication && (!isRegional(d) || d.securityPolicy !== 'TLS_1_2')) {
    throw badRequest('Mutual TLS authentication requires a REGIONAL domain name with the TLS_1_2 security policy');
  }
}

export const DOMAIN_NAMES_HANDLERS: HandlerTable = {
  async CreateDomainName(ctx, req) {
    const body = req.body;
    const name = requiredString(body, 'domainName', 512);
    if (!HOSTNAME.test(name)) throw badRequest(`Invalid domain name '${name}'`);
    const domain: DomainName = {
      domainName: name.toLowerCase(),
      endpointConfiguration: { types: ['REGIONAL'], ipAddressType: 'ipv4' },
      domainNameStatus: 'AVAILABLE',
      securityPolicy: 'TLS_1_2',
      routingMode: optionalEnum(body, 'routingMode', ROUTING_MODES) ?? DEFAULT_ROUTING_MODE,
      tags: tags(body['tags']),
    };
    applyConfiguration(ctx, domain, has(body, 'domainNameConfigurations') ? onlyConfiguration(body['domainNameConfigurations']) : {});
    if (has(body, 'mutualTlsAuthentication')) applyMutualTls(domain, body['mutualTlsAuthentication']);
    checkDomain(domain);
    await ctx.store.transaction((tx) => insertDomainName(tx, domain));
    return { body: v2DomainNameShape(ctx, domain) };
  },

  async GetDomainName(ctx, req) {
    return { body: v2DomainNameShape(ctx, await readV2DomainName(ctx.store, req.path['DomainName']!)) };
  },

  async GetDomainNames(ctx, req) {
    const all = (await ctx.store.listRecords<DomainName>(RECORD_KINDS.domainName))
      .filter((d) => d.endpointConfiguration.types[0] !== 'PRIVATE')
      .sort((a, b) => (a.domainName < b.domainName ? -1 : a.domainName > b.domainName ? 1 : 0));
    const { items, nextToken } = pageV2(all, req.query);
    return { body: compact({ items: items.map((d) => v2DomainNameShape(ctx, d)), nextToken }) };
  },

  async UpdateDomainName(ctx, req) {
    const body = req.body;
    const domain = await ctx.store.transaction(async (tx) => {
      const updated = structuredClone(await readV2DomainName(tx, req.path['DomainName']!));
      if (has(body, 'domainNameConfigurations')) applyConfiguration(ctx, updated, onlyConfiguration(body['domainNameConfigurations']));
      if (has(body, 'mutualTlsAuthentication')) applyMutualTls(updated, body['mutualTlsAuthentication']);
      const routingMode = optionalEnum(body, 'routingMode', ROUTING_MODES);
      if (routingMode !== undefined) updated.routingMode = routingMode;
      checkDomain(updated);
      await tx.putRecord(RECORD_KINDS.domainName, updated.domainName, updated);
      return updated;
    });
    return { body: v2DomainNameShape(ctx, domain) };
  },

  async DeleteDomainName(ctx, req) {
    await ctx.store.transaction(async (tx) => removeDomainName(tx, await readV2DomainName(tx, req.path['DomainName']!)));
    return {};
  },
};
