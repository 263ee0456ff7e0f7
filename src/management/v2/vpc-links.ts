/**
 * apigatewayv2 VPC links: CreateVpcLink, GetVpcLink, GetVpcLinks, UpdateVpcLink and
 * DeleteVpcLink. On AWS a new link is PENDING while network interfaces are made in its subnets,
 * then AVAILABLE. Portico makes no network interfaces, so a link reports PENDING from its
 * creation for VPC_LINK_PROVISIONING_MS and AVAILABLE from then on: the status is derived from
 * the creation time on every read, so tools that wait for AVAILABLE see it on their first poll.
 * The data plane does not route through VPC links: an integration that names one is stored
 * but not served through it.
 */
import type { ApiRecord } from '../../model/api.js';
import { VPC_LINK_KIND, type HttpApiRecord, type VpcLink } from '../../model/http-api.js';
import { randomId } from '../../model/ids.js';
import type { StoreReader } from '../../store/store.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { compact, isV2, now } from './document.js';
import { has, optionalString, requiredString, stringList, tags } from './input.js';

/** How long a new link reports PENDING before it reports AVAILABLE. */
export const VPC_LINK_PROVISIONING_MS = 1000;
/** AWS's default quota of VPC links (for HTTP APIs) per account and region. */
export const MAX_VPC_LINKS = 10;
const MAX_IDS = 50;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

function status(link: VpcLink): { vpcLinkStatus: string; vpcLinkStatusMessage: string } {
  return Date.now() - Date.parse(link.createdDate) >= VPC_LINK_PROVISIONING_MS
    ? { vpcLinkStatus: 'AVAILABLE', vpcLinkStatusMessage: 'VPC link is ready to route traffic' }
    : { vpcLinkStatus: 'PENDING', vpcLinkStatusMessage: 'VPC link is provisioning ENIs' };
}

export const vpcLinkShape = (link: VpcLink): Record<string, unknown> => ({
  createdDate: link.createdDate,
  name: link.name,
  securityGroupIds: link.securityGroupIds,
  subnetIds: link.subnetIds,
  tags: link.tags,
  vpcLinkId: link.vpcLinkId,
  ...status(link),
  vpcLinkVersion: 'V2',
});

export async function readVpcLink(reader: StoreReader, id: string): Promise<VpcLink> {
  const link = await reader.getRecord<VpcLink>(VPC_LINK_KIND, id);
  if (!link) throw notFound(`Invalid VpcLink identifier specified ${id}`);
  return link;
}

function ids(value: unknown, name: string, pattern: RegExp, what: string): string[] {
  const list = stringList(value, name);
  if (list.length > MAX_IDS) throw badRequest(`${name} can hold at most ${MAX_IDS} ids`);
  for (const id of list) if (!pattern.test(id)) throw badRequest(`Invalid ${what} id '${id}' in ${name}`);
  return list;
}

function name(body: Readonly<Record<string, unknown>>, required: boolean): string | undefined {
  const value = required ? requiredString(body, 'name', 128) : optionalString(body, 'name', 128);
  if (value !== undefined && value.trim() === '') throw badRequest('The VPC link name must not be empty');
  return value;
}

/** Integrations of HTTP and WebSocket APIs that send requests through the link. */
async function usersOf(reader: StoreReader, vpcLinkId: string): Promise<string[]> {
  const users: string[] = [];
  for (const api of (await reader.listApis()) as ApiRecord<unknown>[]) {
    if (!isV2(api)) continue;
    for (const i of (api as HttpApiRecord).document.integrations) {
      if (i.connectionType === 'VPC_LINK' && i.connectionId === vpcLinkId) users.push(`${api.id}/${i.integrationId}`);
    }
  }
  return users;
}

export const VPC_LINKS_HANDLERS: HandlerTable = {
  async CreateVpcLink(ctx, req) {
    const body = req.body;
    const linkName = name(body, true)!;
    if (!has(body, 'subnetIds')) throw badRequest("1 validation error detected: Value null at 'subnetIds' failed to satisfy constraint: Member must not be null");
    const link: VpcLink = {
      vpcLinkId: randomId(6),
      name: linkName,
      subnetIds: ids(body['subnetIds'], 'subnetIds', SUBNET_ID, 'subnet'),
      securityGroupIds: has(body, 'securityGroupIds') ? ids(body['securityGroupIds'], 'securityGroupIds', SECURITY_GROUP_ID, 'security group') : [],
      tags: tags(body['tags']),
      createdDate: now(),
    };
    if (link.subnetIds.length === 0) throw badRequest('A VPC link needs at least one subnet');
    await ctx.store.transaction(async (tx) => {
      if ((await tx.listRecords<VpcLink>(VPC_LINK_KIND)).length >= MAX_VPC_LINKS) {
        throw badRequest(`The account already has the maximum of ${MAX_VPC_LINKS} VPC links`);
      }
      await tx.putRecord(VPC_LINK_KIND, link.vpcLinkId, link);
    });
    return { body: vpcLinkShape(link) };
  },

  async GetVpcLink(ctx, req) {
    return { body: vpcLinkShape(await readVpcLink(ctx.store, req.path['VpcLinkId']!)) };
  },

  async GetVpcLinks(ctx, req) {
    const all = (await ctx.store.listRecords<VpcLink>(VPC_LINK_KIND)).sort((a, b) => a.createdDate.localeCompare(b.createdDate) || a.vpcLinkId.localeCompare(b.vpcLinkId));
    const { items, nextToken } = pageV2(all, req.query);
    return { body: compact({ items: items.map(vpcLinkShape), nextToken }) };
  },

  async UpdateVpcLink(ctx, req) {
    const newName = name(req.body, false);
    const link = await ctx.store.transaction(async (tx) => {
      const current = await readVpcLink(tx, req.path['VpcLinkId']!);
      const next = newName === undefined ? current : { ...current, name: newName };
      await tx.putRecord(VPC_LINK_KIND, next.vpcLinkId, next);
      return next;
    });
    return { body: vpcLinkShape(link) };
  },

  async DeleteVpcLink(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const link = await readVpcLink(tx, req.path['VpcLinkId']!);
      const users = await usersOf(tx, link.vpcLinkId);
      if (users.length > 0) throw badRequest(`VPC link ${link.vpcLinkId} cannot be deleted while integrations use it: ${users.join(', ')}`);
      await tx.deleteRecord(VPC_LINK_KIND, link.vpcLinkId);
    });
    return { body: {} };
  },
};
