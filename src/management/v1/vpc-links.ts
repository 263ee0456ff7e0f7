/**
 * apigateway (v1) VPC links: CreateVpcLink, GetVpcLink, GetVpcLinks, UpdateVpcLink and
 * DeleteVpcLink. A link names the Network Load Balancer that private integrations
 * (`connectionType: VPC_LINK`) reach. AWS provisions a link in the background: Create answers
 * PENDING and the link turns AVAILABLE minutes later. Portico has nothing to provision, so a
 * link turns AVAILABLE VPC_LINK_PROVISIONING_MS after it was created; tools that poll for
 * AVAILABLE (CloudFormation, Terraform, CDK) see it on their first poll. The data plane does
 * not route VPC_LINK integrations anywhere yet.
 */
import type { StoreReader } from '../../store/store.js';
import { RECORD_KINDS } from '../../model/usage-plan.js';
import type { VpcLink } from '../../model/account-resources.js';
import { randomId } from '../../model/ids.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, notFound } from '../errors.js';
import { pageV1 } from '../pagination.js';
import { compact } from './shapes.js';
import { checkTags, limitExceeded, optionalString, sortBy } from './account-common.js';
import { patchOperationsOf, simpleReplace } from './stage-patch-errors.js';

/** AWS's VPC links per account and region. */
export const MAX_VPC_LINKS = 20;
/** How long a new link reports PENDING. */
export const VPC_LINK_PROVISIONING_MS = 1000;
const AVAILABLE_MESSAGE = 'Your vpc link is ready for use';

/** `arn:partition:service:region:account:resource`, the shape AWS's ARN parser accepts. */
const WELL_FORMED_ARN = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/;
const NLB_ARN = /^arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:loadbalancer\/net\/[^/]+\/[^/]+$/;

export async function readVpcLink(reader: StoreReader, id: string): Promise<VpcLink> {
  const link = await reader.getRecord<VpcLink>(RECORD_KINDS.vpcLink, id);
  if (!link) throw notFound('Invalid Vpc Link identifier specified');
  return link;
}

/** The link as the wire shows it; Get and Update answer `tags: {}` even when there are none. */
function vpcLinkShape(link: VpcLink, alwaysTags: boolean): Record<string, unknown> {
  const available = Date.now() >= link.availableAt;
  return {
    ...compact({
      id: link.id,
      name: link.name,
      description: link.description,
      targetArns: link.targetArns,
      status: available ? 'AVAILABLE' : 'PENDING',
      statusMessage: available ? AVAILABLE_MESSAGE : undefined,
    }),
    ...(alwaysTags || Object.keys(link.tags).length > 0 ? { tags: link.tags } : {}),
  };
}

function checkName(name: string | undefined): string {
  if (name === undefined) throw badRequest('Name cannot be empty');
  return name;
}

function checkTargetArns(raw: unknown): string[] {
  const arns = raw === undefined || raw === null ? [] : (raw as unknown[]);
  for (const arn of arns) {
    if (typeof arn !== 'string' || !WELL_FORMED_ARN.test(arn)) throw badRequest(`Invalid ARN. ARN is not well formed ${String(arn)}`);
  }
  if (arns.length !== 1) throw badRequest('A VPC link takes exactly one target ARN: the ARN of a Network Load Balancer');
  const arn = arns[0] as string;
  if (!NLB_ARN.test(arn)) throw badRequest(`Invalid target ARN ${arn}: the target of a VPC link must be a Network Load Balancer`);
  return [arn];
}

const createVpcLink: OperationHandler = async (ctx, req) => {
  const { body } = req;
  const name = checkName(optionalString(body, 'name'));
  const targetArns = checkTargetArns(body.targetArns);
  const link: VpcLink = {
    id: randomId(6),
    name,
    description: optionalString(body, 'description'),
    targetArns,
    tags: checkTags(body.tags),
    availableAt: Date.now() + VPC_LINK_PROVISIONING_MS,
  };
  await ctx.store.transaction(async (tx) => {
    if ((await tx.listRecords<VpcLink>(RECORD_KINDS.vpcLink)).length >= MAX_VPC_LINKS) {
      throw limitExceeded(`An account can have at most ${MAX_VPC_LINKS} VPC links`);
    }
    await tx.putRecord(RECORD_KINDS.vpcLink, link.id, link);
  });
  return { body: vpcLinkShape(link, false) };
};

const getVpcLink: OperationHandler = async (ctx, req) => ({
  body: vpcLinkShape(await readVpcLink(ctx.store, req.path.vpcLinkId!), true),
});

const getVpcLinks: OperationHandler = async (ctx, req) => {
  const links = sortBy(await ctx.store.listRecords<VpcLink>(RECORD_KINDS.vpcLink), (l) => `${l.name}\u0000${l.id}`);
  const page = pageV1(links, req.query);
  return { body: { ...page, item: page.item.map((l) => vpcLinkShape(l, false)) } };
};

const updateVpcLink: OperationHandler = async (ctx, req) => {
  const ops = patchOperationsOf(req.body.patchOperations, 'updateVpcLinkInput');
  const link = await ctx.store.transaction(async (tx) => {
    const updated = structuredClone(await readVpcLink(tx, req.path.vpcLinkId!));
    for (const op of ops) {
      const { member, value } = simpleReplace(op, ['/name', '/description']);
      const given = value === '' ? undefined : value;
      if (member === 'name') updated.name = checkName(given);
      else updated.description = given;
    }
    await tx.putRecord(RECORD_KINDS.vpcLink, updated.id, updated);
    return updated;
  });
  return { body: vpcLinkShape(link, true) };
};

const deleteVpcLink: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    const link = await readVpcLink(tx, req.path.vpcLinkId!);
    await tx.deleteRecord(RECORD_KINDS.vpcLink, link.id);
  });
  return {};
};

export const VPC_LINKS_HANDLERS: HandlerTable = {
  CreateVpcLink: createVpcLink,
  GetVpcLink: getVpcLink,
  GetVpcLinks: getVpcLinks,
  UpdateVpcLink: updateVpcLink,
  DeleteVpcLink: deleteVpcLink,
};
