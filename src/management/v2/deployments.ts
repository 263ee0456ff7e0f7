/**
 * apigatewayv2 deployments: CreateDeployment, GetDeployment, GetDeployments, UpdateDeployment,
 * DeleteDeployment. A deployment is an immutable snapshot of the API document in the shared
 * deployments table; stages point at one. Stages with autoDeploy get theirs from document.ts.
 */
import type { Deployment as StoredDeployment } from '../../model/api.js';
import type { Deployment } from '../../model/http-api.js';
import { badRequest } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import {
  STAGE_KIND,
  checkDeployable,
  compact,
  deploy,
  listV2Stages,
  now,
  readV2Api,
  readV2Deployment,
  readV2Stage,
  stageKey,
} from './document.js';
import { optionalString } from './input.js';

export const deploymentShape = (d: Deployment): Record<string, unknown> =>
  compact({
    autoDeployed: d.autoDeployed,
    createdDate: new Date(d.createdDate).toISOString(),
    deploymentId: d.id,
    deploymentStatus: d.deploymentStatus,
    description: d.description,
  });

export const DEPLOYMENTS_HANDLERS: HandlerTable = {
  async CreateDeployment(ctx, req) {
    const apiId = req.path['ApiId']!;
    const description = optionalString(req.body, 'description', 1024);
    const stageName = optionalString(req.body, 'stageName');
    const deployment = await ctx.store.transaction(async (tx) => {
      const record = await readV2Api(ctx, tx, apiId);
      const stage = stageName === undefined ? undefined : await readV2Stage(tx, apiId, stageName);
      if (stage?.autoDeploy) {
        throw badRequest(`Stage ${stage.stageName} has autoDeploy enabled; it is deployed automatically when the API changes`);
      }
      checkDeployable(record.document);
      const created = await deploy(tx, apiId, record.document, { autoDeployed: false, ...(description !== undefined ? { description } : {}) });
      if (stage) {
        await tx.putRecord(STAGE_KIND, stageKey(apiId, stage.stageName), {
          ...stage,
          deploymentId: created.id,
          lastDeploymentStatusMessage: `Successfully deployed stage with deployment ID '${created.id}'`,
          lastUpdatedDate: now(),
        });
      }
      return created;
    });
    return { body: deploymentShape(deployment) };
  },

  async GetDeployment(ctx, req) {
    const apiId = req.path['ApiId']!;
    await readV2Api(ctx, ctx.store, apiId);
    return { body: deploymentShape(await readV2Deployment(ctx.store, apiId, req.path['DeploymentId']!)) };
  },

  async GetDeployments(ctx, req) {
    const apiId = req.path['ApiId']!;
    await readV2Api(ctx, ctx.store, apiId);
    const deployments = (await ctx.store.listDeployments(apiId)) as unknown as Deployment[];
    const { items, nextToken } = pageV2(deployments.map(deploymentShape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateDeployment(ctx, req) {
    const apiId = req.path['ApiId']!;
    const description = optionalString(req.body, 'description', 1024);
    const deployment = await ctx.store.transaction(async (tx) => {
      await readV2Api(ctx, tx, apiId);
      const current = await readV2Deployment(tx, apiId, req.path['DeploymentId']!);
      if (description === undefined) return current;
      // The store keeps deployments immutable; the description is the one member AWS lets
      // change, so the record is replaced under the same id.
      const next: Deployment = { ...current, description };
      await tx.deleteDeployment(apiId, current.id);
      await tx.putDeployment(next as unknown as StoredDeployment);
      return next;
    });
    return { body: deploymentShape(deployment) };
  },

  async DeleteDeployment(ctx, req) {
    const apiId = req.path['ApiId']!;
    await ctx.store.transaction(async (tx) => {
      await readV2Api(ctx, tx, apiId);
      const deployment = await readV2Deployment(tx, apiId, req.path['DeploymentId']!);
      if ((await listV2Stages(tx, apiId)).some((s) => s.deploymentId === deployment.id)) {
        throw badRequest('Active stages pointing to this deployment must be moved or deleted');
      }
      await tx.deleteDeployment(apiId, deployment.id);
    });
    return {};
  },
};
