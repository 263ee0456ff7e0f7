/**
 * apigateway (v1) stages: a named pointer to a deployment with its own variables, cache,
 * tracing, access-log and per-method settings, and optionally a canary release. Every change is
 * one transaction; the data plane recompiles a stage when it is stored.
 */
import type { Stage } from '../../model/api.js';
import { accessLogVariables, logGroupOfArn } from '../../observability/access-log-format.js';
import { badRequest, conflict, ManagementError } from '../errors.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import type { PatchOperation } from '../patch.js';
import type { StoreWriter } from '../../store/store.js';
import { readRestApi } from './api-document.js';
import { nowSeconds, patchOperationsOf } from './stage-patch-errors.js';
import { isMethodSettingPath, removeMethodSetting, setMethodSetting } from './stage-method-settings.js';
import { readClientCertificate } from './client-certificates.js';
import { documentationVersionNotFound } from './documentation-versions.js';
import { applyCanaryPatch, applyCopy, canaryForNewStage, deploymentIdDoesNotExist } from './stage-canary.js';
import {
  MAX_STAGE_VARIABLES,
  checkCacheClusterSize,
  checkStageCount,
  checkStageName,
  checkTags,
  checkVariables,
  newStage,
  stageNotFound,
  stageShape,
  withCacheDefaults,
} from './stage-rules.js';

async function readStage(tx: Pick<StoreWriter, 'getStage'>, apiId: string, stageName: string): Promise<Stage> {
  const stage = await tx.getStage(apiId, stageName);
  if (!stage) throw stageNotFound();
  return stage;
}

const createStage: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  const b = req.body;
  const stageName = typeof b.stageName === 'string' ? b.stageName : '';
  const deploymentId = typeof b.deploymentId === 'string' ? b.deploymentId : '';
  const variables = b.variables != null ? checkVariables(b.variables) : undefined;
  const tags = b.tags != null ? checkTags(b.tags) : undefined;
  const cacheClusterSize = typeof b.cacheClusterSize === 'string' ? checkCacheClusterSize(b.cacheClusterSize) : undefined;
  const stage = await ctx.store.transaction(async (tx) => {
    const api = await readRestApi(ctx, tx, apiId);
    if (stageName === '') throw badRequest('Stage name must be non-empty');
    checkStageName(stageName);
    if (deploymentId === '') throw badRequest('Deployment id must be non-empty');
    if (!(await tx.getDeployment(apiId, deploymentId))) throw deploymentIdDoesNotExist();
    const clientCertificateId = typeof b.clientCertificateId === 'string' && b.clientCertificateId !== '' ? b.clientCertificateId : undefined;
    if (clientCertificateId !== undefined) await readClientCertificate(tx, clientCertificateId);
    const documentationVersion = typeof b.documentationVersion === 'string' && b.documentationVersion !== '' ? b.documentationVersion : undefined;
    if (documentationVersion !== undefined && !api.document.documentationVersions?.some((v) => v.version === documentationVersion)) {
      throw documentationVersionNotFound();
    }
    const canarySettings = b.canarySettings != null ? await canaryForNewStage(tx, apiId, b.canarySettings, deploymentId) : undefined;
    if (await tx.getStage(apiId, stageName)) throw conflict('Stage already exists');
    checkStageCount((await tx.listStages(apiId)).length);
    const created = newStage(
      {
        apiId,
        stageName,
        deploymentId,
        description: typeof b.description === 'string' && b.description !== '' ? b.description : undefined,
        variables,
        cacheClusterEnabled: typeof b.cacheClusterEnabled === 'boolean' ? b.cacheClusterEnabled : undefined,
        cacheClusterSize,
        tracingEnabled: typeof b.tracingEnabled === 'boolean' ? b.tracingEnabled : undefined,
        tags,
        canarySettings,
        clientCertificateId,
        documentationVersion,
      },
      nowSeconds(),
    );
    await tx.putStage(created);
    return created;
  });
  return { body: stageShape(stage) };
};

const getStage: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await readRestApi(ctx, ctx.store, apiId);
  return { body: stageShape(await readStage(ctx.store, apiId, req.path.stageName!)) };
};

/** AWS answers every stage at once (no paging), optionally those of one deployment. */
const getStages: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await readRestApi(ctx, ctx.store, apiId);
  const deploymentId = req.query.get('deploymentId');
  const stages = (await ctx.store.listStages(apiId))
    .filter((s) => deploymentId === null || deploymentId === '' || s.deploymentId === deploymentId)
    .sort((a, b) => a.stageName.localeCompare(b.stageName));
  return { body: { item: stages.map(stageShape) } };
};

const INVALID_PATH_CHOICES =
  '[/deploymentId, /description, /cacheClusterEnabled, /cacheClusterSize, /clientCertificateId, /accessLogSettings, /accessLogSettings/destinationArn, /accessLogSettings/format, /{resourcePath}/{httpMethod}/metrics/enabled, /{resourcePath}/{httpMethod}/logging/dataTrace, /{resourcePath}/{httpMethod}/logging/loglevel, /{resourcePath}/{httpMethod}/throttling/burstLimit/{resourcePath}/{httpMethod}/throttling/rateLimit/{resourcePath}/{httpMethod}/caching/ttlInSeconds, /{resourcePath}/{httpMethod}/caching/enabled, /{resourcePath}/{httpMethod}/caching/dataEncrypted, /{resourcePath}/{httpMethod}/caching/requireAuthorizationForCacheControl, /{resourcePath}/{httpMethod}/caching/unauthorizedCacheControlHeaderStrategy, /*/*/metrics/enabled, /*/*/logging/dataTrace, /*/*/logging/loglevel, /*/*/throttling/burstLimit /*/*/throttling/rateLimit /*/*/caching/ttlInSeconds, /*/*/caching/enabled, /*/*/caching/dataEncrypted, /*/*/caching/requireAuthorizationForCacheControl, /*/*/caching/unauthorizedCacheControlHeaderStrategy, /variables/{variable_name}, /tracingEnabled]';

const invalidStagePath = (op: PatchOperation): Error => badRequest(`Invalid method setting path: ${op.path}. Must be one of: ${INVALID_PATH_CHOICES}`);

const ACCESS_LOG_MEMBERS = ['destinationArn', 'format'] as const;
const invalidAccessLogPath = (): Error =>
  badRequest('Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]');

/**
 * An access log format must name the request (AWS requires `$context.requestId` or
 * `$context.extendedRequestId`) and be one line, a trailing newline aside.
 */
function checkAccessLogFormat(format: string): void {
  const names = accessLogVariables(format);
  if (!names.includes('requestId') && !names.includes('extendedRequestId')) {
    throw badRequest('Access Log format must include either $context.requestId or $context.extendedRequestId');
  }
  if (/[\r\n]/.test(format.replace(/\r?\n$/, ''))) throw badRequest('Access Log format must be a single line');
}

/** Access logs go to a CloudWatch Logs log group or a Firehose stream named `amazon-apigateway-…`. */
function checkAccessLogDestination(arn: string): void {
  if (!arn.startsWith('arn:')) throw badRequest(`Invalid ARN specified in the request. ARNs must start with 'arn:': ${arn}`);
  const firehose = /^arn:[^:]+:firehose:[^:]*:\d{12}:deliverystream\/(.+)$/.exec(arn);
  if (firehose !== null && !firehose[1]!.startsWith('amazon-apigateway-')) {
    throw badRequest(`Invalid destination ARN ${arn}: a Firehose delivery stream for access logs must be named amazon-apigateway-{name}`);
  }
  if (firehose === null && logGroupOfArn(arn) === undefined) {
    throw badRequest(`Invalid destination ARN ${arn}: access logs go to a CloudWatch Logs log group or a Firehose delivery stream`);
  }
}

const boolValue = (op: PatchOperation): boolean => {
  const v = op.value?.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value '${op.value ?? ''}' for ${op.path}: must be true or false`);
};

async function applyStagePatch(tx: StoreWriter, stage: Stage, op: PatchOperation): Promise<void> {
  const [head, ...rest] = op.segments;
  if (op.op === 'copy') return applyCopy(stage, op);
  if (head === 'canarySettings') return applyCanaryPatch(tx, stage, op, invalidStagePath);
  if (op.op === 'remove' && head === 'accessLogSettings') {
    if (rest.length === 0) return void delete stage.accessLogSettings;
    const member = rest[0] as (typeof ACCESS_LOG_MEMBERS)[number];
    if (rest.length === 1 && ACCESS_LOG_MEMBERS.includes(member) && stage.accessLogSettings?.[member] !== undefined) {
      const next = { ...stage.accessLogSettings };
      delete next[member];
      if (Object.keys(next).length === 0) delete stage.accessLogSettings;
      else stage.accessLogSettings = next;
      return;
    }
  }
  if (op.op === 'remove' && head === 'variables' && rest.length === 1) return void delete stage.variables[rest[0]!];
  if (op.op === 'remove' && removeMethodSetting(stage.methodSettings, op)) return;
  if (op.op !== 'add' && op.op !== 'replace' && op.op !== 'remove') throw invalidStagePath(op);

  if (head === 'accessLogSettings') {
    if (rest.length !== 1 || !(ACCESS_LOG_MEMBERS as readonly string[]).includes(rest[0]!)) throw invalidAccessLogPath();
    if (op.value === undefined || op.value === '') throw badRequest('Access Log value must not be empty');
    if (rest[0] === 'format') checkAccessLogFormat(op.value);
    else checkAccessLogDestination(op.value);
    stage.accessLogSettings = { ...stage.accessLogSettings, [rest[0]!]: op.value };
    return;
  }
  if (head === 'variables' && rest.length === 1) {
    const name = rest[0]!;
    const value = op.value ?? '';
    stage.variables = { ...stage.variables, ...checkVariables({ [name]: value }) };
    if (Object.keys(stage.variables).length > MAX_STAGE_VARIABLES) throw badRequest(`A stage can have at most ${MAX_STAGE_VARIABLES} variables`);
    return;
  }
  if (isMethodSettingPath(op) && op.op !== 'remove') return setMethodSetting(stage.methodSettings, op);
  if (rest.length > 0) throw invalidStagePath(op);
  switch (head) {
    case 'description':
      if (op.op === 'remove' || op.value === undefined || op.value === '') delete stage.description;
      else stage.description = op.value;
      return;
    case 'deploymentId': {
      if (op.op === 'remove') throw badRequest('A stage must point at a deployment: /deploymentId cannot be removed');
      if (!op.value || !(await tx.getDeployment(stage.apiId, op.value))) throw deploymentIdDoesNotExist();
      stage.deploymentId = op.value;
      return;
    }
    case 'cacheClusterEnabled':
      stage.cacheClusterEnabled = op.op === 'remove' ? false : boolValue(op);
      return;
    case 'cacheClusterSize':
      if (op.op === 'remove') return void delete stage.cacheClusterSize;
      stage.cacheClusterSize = checkCacheClusterSize(op.value ?? '');
      return;
    case 'tracingEnabled':
      stage.tracingEnabled = op.op === 'remove' ? false : boolValue(op);
      return;
    case 'clientCertificateId':
      if (op.op === 'remove' || op.value === undefined || op.value === '') return void delete stage.clientCertificateId;
      await readClientCertificate(tx, op.value);
      stage.clientCertificateId = op.value;
      return;
    default:
      throw invalidStagePath(op);
  }
}

const updateStage: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  const ops = patchOperationsOf(req.body.patchOperations, 'updateStageInput');
  const updated = await ctx.store.transaction(async (tx) => {
    await readRestApi(ctx, tx, apiId);
    const stored = await readStage(tx, apiId, req.path.stageName!);
    let stage: Stage = structuredClone(stored);
    for (const op of ops) await applyStagePatch(tx, stage, op);
    stage = withCacheDefaults({ ...stage, lastUpdatedDate: nowSeconds() });
    await tx.putStage(stage);
    return stage;
  });
  return { body: stageShape(updated) };
};

const deleteStage: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await ctx.store.transaction(async (tx) => {
    await readRestApi(ctx, tx, apiId);
    await readStage(tx, apiId, req.path.stageName!);
    await tx.deleteStage(apiId, req.path.stageName!);
  });
  return { status: 202 };
};

/** FlushStageAuthorizersCache: the stage's Lambda authorizers call their functions again. */
const flushStageAuthorizers: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  await readRestApi(ctx, ctx.store, apiId);
  await readStage(ctx.store, apiId, req.path.stageName!);
  ctx.flushAuthorizers?.(apiId, req.path.stageName!);
  return { status: 202 };
};

/**
 * FlushStageCache: empties the stage's response cache (in this process, or in the shared
 * Redis). A stage without caching has nothing to flush and is answered the same way.
 */
const flushStageCache: OperationHandler = async (ctx, req) => {
  const apiId = req.path.restApiId!;
  const stageName = req.path.stageName!;
  await readRestApi(ctx, ctx.store, apiId);
  await readStage(ctx.store, apiId, stageName);
  try {
    await ctx.caches?.flush(apiId, stageName);
  } catch {
    throw new ManagementError('ServiceUnavailableException', 'The stage cache could not be flushed: its cache store is unavailable. Try again later.', 503);
  }
  return { status: 202 };
};

export const STAGES_HANDLERS: HandlerTable = {
  CreateStage: createStage,
  GetStage: getStage,
  GetStages: getStages,
  UpdateStage: updateStage,
  DeleteStage: deleteStage,
  FlushStageCache: flushStageCache,
  FlushStageAuthorizersCache: flushStageAuthorizers,
};
