/**
 * Reading and changing an HTTP or WebSocket API from a management call. A change runs in one
 * store transaction on a copy of the document, so a call that throws half way changes nothing;
 * stages with autoDeploy get their new deployment in that same transaction, so a change and the
 * deployment it triggers commit (or fail) together.
 */
import type { ApiRecord, Deployment as StoredDeployment } from '../../model/api.js';
import type { Deployment, HttpApiDocument, HttpApiRecord, Stage, V2ProtocolType } from '../../model/http-api.js';
import { newDeploymentId, randomId } from '../../model/ids.js';
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { badRequest, notFound } from '../errors.js';
import type { ManagementContext } from '../operation.js';

/** Record kind of apigatewayv2 stages in the generic record store, keyed `${apiId}/${stageName}`. */
export const STAGE_KIND = 'v2Stage';
export const stageKey = (apiId: string, stageName: string): string => `${apiId}/${stageName}`;

/** Route, integration and route/integration response ids: 7 characters on AWS. */
export const newChildId = (): string => randomId(7);

export const now = (): string => new Date().toISOString();

export const invalidApiId = (ctx: ManagementContext, apiId: string): Error =>
  notFound(`Invalid API identifier specified ${ctx.account.accountId}:${apiId}`);

export const isV2 = (record: ApiRecord<unknown>): boolean => record.protocolType === 'HTTP' || record.protocolType === 'WEBSOCKET';

/** The HTTP or WebSocket API `apiId`, or AWS's NotFoundException (REST APIs are not found here). */
export async function readV2Api(ctx: ManagementContext, reader: StoreReader, apiId: string): Promise<HttpApiRecord> {
  const record = (await reader.getApi(apiId)) as ApiRecord<unknown> | undefined;
  if (!record || !isV2(record)) throw invalidApiId(ctx, apiId);
  return record as HttpApiRecord;
}

export const protocolOf = (doc: HttpApiDocument): V2ProtocolType => doc.api.protocolType;

export async function putV2Api(tx: StoreWriter, record: HttpApiRecord): Promise<void> {
  await tx.putApi(record as unknown as ApiRecord);
}

export async function listV2Stages(reader: StoreReader, apiId: string): Promise<Stage[]> {
  return (await reader.listRecords<Stage>(STAGE_KIND)).filter((s) => s.apiId === apiId);
}

export async function readV2Stage(reader: StoreReader, apiId: string, stageName: string): Promise<Stage> {
  const stage = await reader.getRecord<Stage>(STAGE_KIND, stageKey(apiId, stageName));
  if (!stage) throw notFound(`Invalid stage identifier specified`);
  return stage;
}

export async function readV2Deployment(reader: StoreReader, apiId: string, deploymentId: string): Promise<Deployment> {
  const deployment = (await reader.getDeployment(apiId, deploymentId)) as unknown as Deployment | undefined;
  if (!deployment) throw notFound(`Invalid Deployment identifier specified ${deploymentId}`);
  return deployment;
}

/** AWS refuses to deploy an API without routes. */
export function checkDeployable(doc: HttpApiDocument): void {
  if (doc.routes.length === 0) throw badRequest('Unable to deploy API because no routes exist in this API');
}

/** Stores a new deployment snapshotting `doc`. */
export async function deploy(
  tx: StoreWriter,
  apiId: string,
  doc: HttpApiDocument,
  options: { description?: string; autoDeployed: boolean },
): Promise<Deployment> {
  const deployment: Deployment = {
    id: newDeploymentId(),
    apiId,
    createdDate: Date.now(),
    snapshot: structuredClone(doc),
    autoDeployed: options.autoDeployed,
    deploymentStatus: 'DEPLOYED',
    ...(options.description !== undefined ? { description: options.description } : {}),
  };
  await tx.putDeployment(deployment as unknown as StoredDeployment);
  return deployment;
}

/**
 * Deploys `doc` to every autoDeploy stage of the API (one deployment shared by all of them).
 * An API without routes cannot be deployed; the stage says so in its status message instead.
 */
export async function autoDeploy(tx: StoreWriter, apiId: string, doc: HttpApiDocument, only?: string): Promise<void> {
  const stages = (await listV2Stages(tx, apiId)).filter((s) => s.autoDeploy && (only === undefined || s.stageName === only));
  if (stages.length === 0) return;
  const at = now();
  if (doc.routes.length === 0) {
    for (const stage of stages) {
      const lastDeploymentStatusMessage = 'Deployment attempt failed: Unable to deploy API because no routes exist in this API';
      await tx.putRecord(STAGE_KIND, stageKey(apiId, stage.stageName), { ...stage, lastDeploymentStatusMessage, lastUpdatedDate: at });
    }
    return;
  }
  const deployment = await deploy(tx, apiId, doc, {
    description: 'Automatic deployment triggered by changes to the Api configuration',
    autoDeployed: true,
  });
  for (const stage of stages) {
    await tx.putRecord(STAGE_KIND, stageKey(apiId, stage.stageName), {
      ...stage,
      deploymentId: deployment.id,
      lastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${deployment.id}'`,
      lastUpdatedDate: at,
    });
  }
}

/**
 * Runs `change` on a copy of the API's document inside one transaction, stores the copy and
 * redeploys autoDeploy stages when `change` returns; if it throws, nothing is stored.
 */
export async function changeV2Api<T>(
  ctx: ManagementContext,
  apiId: string,
  change: (doc: HttpApiDocument, tx: StoreWriter, record: HttpApiRecord) => T | Promise<T>,
): Promise<T> {
  return ctx.store.transaction(async (tx) => {
    const record = await readV2Api(ctx, tx, apiId);
    const doc = structuredClone(record.document);
    const result = await change(doc, tx, record);
    await putV2Api(tx, { ...record, document: doc });
    await autoDeploy(tx, apiId, doc);
    return result;
  });
}

/** Removes members that are undefined, or empty maps and lists, as AWS's answers leave them out. */
export function compact<T extends object>(shape: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(shape)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0) continue;
    out[key] = value;
  }
  return out as Partial<T>;
}

/** AWS quotas the management API enforces. */
export const LIMITS = {
  routesPerApi: 300,
  integrationsPerApi: 300,
  stagesPerApi: 10,
  authorizersPerApi: 10,
  modelsPerApi: 200,
  apisPerAccount: 600,
  apiMappingsPerDomain: 200,
} as const;
