/**
 * apigateway (v1) deployments: CreateDeployment snapshots the whole API document (so later edits
 * never reach what a stage serves) and, given a stageName, creates or moves that stage in the
 * same transaction, or with canarySettings makes the snapshot the canary of an existing stage;
 * Get/GetDeployments/UpdateDeployment/DeleteDeployment manage the snapshots.
 */
import type { Deployment, Stage } from '../../model/api.js';
import type { RestApiDocument } from '../../model/rest-api.js';
import { newDeploymentId } from '../../model/ids.js';
import type { StoreWriter } from '../../store/store.js';
import { badRequest, notFound } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { pageV1 } from '../pagination.js';
import { readRestApi } from './api-document.js';
import { compact } from './shapes.js';
import { nowSeconds, patchOperationsOf, simpleReplace } from './stage-patch-errors.js';
import { canaryFromBody } from './stage-canary.js';
import { MAX_STAGE_VARIABLES, checkCacheClusterSize, checkStageCount, checkStageName, checkVariables, newStage, withCacheDefaults } from './stage-rules.js';

export const deploymentNotFound = (): Error => notFound('Invalid Deployment identifier specified');

/** AWS refuses to deploy an API without methods, or with a method that has no integration. */
function checkDeployable(doc: RestApiDocument): void {
  const resources = Object.values(doc.resources);
  if (resources.every((r) => Object.keys(r.resourceMethods).length === 0)) {
    throw badRequest("The REST API doesn't contain any methods");
  }
  for (const resource of resources) {
    for (const method of Object.values(resource.resourceMethods)) {
      if (method && !method.methodIntegration) throw badRequest('No integration defined for method');
    }
  }
}

export function deploymentShape(deployment: Deployment, embedSummary = false): Record<string, unknown> {
  return compact({
    id: deployment.id,
    description: deployment.description,
    createdDate: deployment.createdDate,
    apiSummary: embedSummary ? apiSummary(deployment.snapshot) : undefined,
  });
}

/** `embed=apisummary`: each deployed method's authorization, by path and method. */
function apiSummary(doc: RestApiDocument): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
      if (!method) continue;
      (out[resource.path] ??= {})[httpMethod] = { authorizationType: method.authorizationType, apiKeyRequired: method.apiKeyRequired };
    }
  }
  return out;
}

export async function readDeployment(tx: Pick<StoreWriter, 'getDeployment'>, apiId: string, deploymentId: string): Promise<Deployment> {
  const deployment = await tx.getDeployment(apiId, deploymentId);
  if (!deployment) throw deploymentNotFound();
  return deployment;
}

/** A canary deployment needs a stage to attach to, named and existing: AWS's checks, its words. */
async function checkCanaryStage(tx: StoreWriter, apiId: string, stageName: string | undefined): Promise<void> {
  if (stageName === undefined || stageName === '') {
    throw badRequest(
      `Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is ${stageName ?? 'null'}`,
    );
  }
  if (!(await tx.getStage(apiId, stageName))) {
    throw badRequest(`Invalid deployment content specified.Stage ${stageName} must already be created before making a canary release deployment`);
  }
}

const optionalString = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const optionalBoolean = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

const createDeployment: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  const b = req.body;
  const stageName = optionalString(b.stageName);
  const variables = b.variables != null ? checkVariables(b.variables) : undefined;
  const cacheClusterSize = typeof b.cacheClusterSize === 'string' ? checkCacheClusterSize(b.cacheClusterSize) : undefined;
  const deployment = await ctx.store.transaction(async (tx) => {
    const api = await readRestApi(ctx, tx, apiId);
    const isCanary = b.canarySettings != null;
    if (isCanary) await checkCanaryStage(tx, apiId, stageName);
    checkDeployable(api.document);
    const now = nowSeconds();
    const created: Deployment = {
      id: newDeploymentId(),
      apiId,
      ...(typeof b.description === 'string' && b.description !== '' ? { description: b.description } : {}),
      createdDate: now,
      snapshot: structuredClone(api.document),
    };
    if (stageName !== undefined && stageName !== '') {
      checkStageName(stageName);
      const existing = await tx.getStage(apiId, stageName);
      let stage: Stage;
      if (existing) {
        stage = withCacheDefaults({
          ...existing,
          // A canary deployment leaves the stage on its deployment and becomes its canary instead.
          ...(isCanary ? { canarySettings: canaryFromBody(b.canarySettings, created.id) } : { deploymentId: created.id }),
          variables: variables ? { ...existing.variables, ...variables } : existing.variables,
          ...(optionalBoolean(b.cacheClusterEnabled) !== undefined ? { cacheClusterEnabled: b.cacheClusterEnabled as boolean } : {}),
          ...(cacheClusterSize !== undefined ? { cacheClusterSize } : {}),
          ...(optionalBoolean(b.tracingEnabled) !== undefined ? { tracingEnabled: b.tracingEnabled as boolean } : {}),
          lastUpdatedDate: now,
        });
        if (Object.keys(stage.variables).length > MAX_STAGE_VARIABLES) throw badRequest(`A stage can have at most ${MAX_STAGE_VARIABLES} variables`);
      } else {
        checkStageCount((await tx.listStages(apiId)).length);
        stage = newStage(
          {
            apiId,
            stageName,
            deploymentId: created.id,
            description: optionalString(b.stageDescription),
            variables,
            cacheClusterEnabled: optionalBoolean(b.cacheClusterEnabled),
            cacheClusterSize,
            tracingEnabled: optionalBoolean(b.tracingEnabled),
          },
          now,
        );
      }
      await tx.putDeployment(created);
      await tx.putStage(stage);
    } else {
      await tx.putDeployment(created);
    }
    return created;
  });
  return { body: deploymentShape(deployment) };
};

const getDeployment: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await readRestApi(ctx, ctx.store, apiId);
  const deployment = await readDeployment(ctx.store, apiId, req.path.deploymentId!);
  const embed = req.query.getAll('embed').some((e) => e.toLowerCase() === 'apisummary');
  return { body: deploymentShape(deployment, embed) };
};

const getDeployments: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await readRestApi(ctx, ctx.store, apiId);
  const deployments = await ctx.store.listDeployments(apiId);
  const page = pageV1(deployments, req.query);
  return { body: { ...page, item: page.item.map((d) => deploymentShape(d)) } };
};

const updateDeployment: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  const ops = patchOperationsOf(req.body.patchOperations, 'updateDeploymentInput');
  const updated = await ctx.store.transaction(async (tx) => {
    await readRestApi(ctx, tx, apiId);
    const deployment = await readDeployment(tx, apiId, req.path.deploymentId!);
    const next: Deployment = { ...deployment };
    for (const op of ops) {
      const { value } = simpleReplace(op, ['/description']);
      if (value === undefined || value === '') delete next.description;
      else next.description = value;
    }
    if (ops.length > 0) {
      // The store keeps deployments immutable, so a new description is a replacement of the record.
      await tx.deleteDeployment(apiId, deployment.id);
      await tx.putDeployment(next);
    }
    return next;
  });
  return { body: deploymentShape(updated) };
};

const deleteDeployment: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await ctx.store.transaction(async (tx) => {
    await readRestApi(ctx, tx, apiId);
    const deployment = await readDeployment(tx, apiId, req.path.deploymentId!);
    const stages = await tx.listStages(apiId);
    if (stages.some((s) => s.deploymentId === deployment.id || s.canarySettings?.deploymentId === deployment.id)) {
      throw badRequest('Active stages pointing to this deployment must be moved or deleted');
    }
    await tx.deleteDeployment(apiId, deployment.id);
  });
  return { status: 202 };
};

export const DEPLOYMENTS_HANDLERS: HandlerTable = {
  CreateDeployment: createDeployment,
  GetDeployment: getDeployment,
  GetDeployments: getDeployments,
  UpdateDeployment: updateDeployment,
  DeleteDeployment: deleteDeployment,
};
