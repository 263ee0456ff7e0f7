/**
 * apigatewayv2 stages: CreateStage, GetStage, GetStages, UpdateStage, DeleteStage and
 * DeleteRouteSettings, DeleteAccessLogSettings and ResetAuthorizersCache. v2 stages have their own shape (autoDeploy, route settings by route key)
 * and live in the generic record store, so the REST data plane never mistakes them for its own.
 */
import type { HttpApiDocument, RouteSettings, Stage, V2ProtocolType } from '../../model/http-api.js';
import { RECORD_KINDS, type BasePathMapping } from '../../model/usage-plan.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable } from '../operation.js';
import { pageV2 } from '../pagination.js';
import {
  LIMITS,
  STAGE_KIND,
  autoDeploy,
  compact,
  listV2Stages,
  now,
  readV2Api,
  readV2Deployment,
  readV2Stage,
  stageKey,
} from './document.js';
import {
  defined,
  has,
  integerIn,
  optionalBoolean,
  optionalEnum,
  optionalString,
  requiredString,
  stringMap,
  structure,
  tags,
} from './input.js';

const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
const VARIABLE_NAME = /^[A-Za-z0-9_]{1,64}$/;
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]{0,512}$/;
const ROUTE_SETTINGS_MEMBERS = ['dataTraceEnabled', 'detailedMetricsEnabled', 'loggingLevel', 'throttlingBurstLimit', 'throttlingRateLimit'];

function routeSettings(value: unknown, name: string, protocol: V2ProtocolType): RouteSettings {
  const s = structure(value, name, ROUTE_SETTINGS_MEMBERS);
  const rate = s['throttlingRateLimit'];
  if (rate !== undefined && rate !== null && (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0)) {
    throw badRequest(`${name}.throttlingRateLimit must be a number greater than or equal to 0`);
  }
  const settings: RouteSettings = defined({
    dataTraceEnabled: optionalBoolean(s, 'dataTraceEnabled'),
    detailedMetricsEnabled: optionalBoolean(s, 'detailedMetricsEnabled'),
    loggingLevel: optionalEnum(s, 'loggingLevel', ['ERROR', 'INFO', 'OFF'] as const),
    throttlingBurstLimit: has(s, 'throttlingBurstLimit') ? integerIn(s['throttlingBurstLimit'], `${name}.throttlingBurstLimit`, 0, 2 ** 31 - 1) : undefined,
    throttlingRateLimit: typeof rate === 'number' ? rate : undefined,
  });
  // HTTP APIs have access logs only; execution logs are a WebSocket feature.
  if (protocol === 'HTTP' && ((settings.loggingLevel !== undefined && settings.loggingLevel !== 'OFF') || settings.dataTraceEnabled)) {
    throw badRequest('Execution logs are not supported on protocolType HTTP');
  }
  return settings;
}

function routeSettingsMap(value: unknown, doc: HttpApiDocument): Record<string, RouteSettings> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('routeSettings must be a map');
  const out: Record<string, RouteSettings> = {};
  for (const [routeKey, settings] of Object.entries(value)) {
    if (!doc.routes.some((r) => r.routeKey === routeKey)) {
      throw badRequest(`Unable to find Route by key ${routeKey} within the provided RouteSettings`);
    }
    out[routeKey] = routeSettings(settings, `routeSettings.${routeKey}`, doc.api.protocolType);
  }
  return out;
}

function stageVariables(value: unknown): Record<string, string> {
  const vars = stringMap(value, 'stageVariables');
  for (const [name, v] of Object.entries(vars)) {
    if (!VARIABLE_NAME.test(name)) throw badRequest(`Stage variable name '${name}' must match [A-Za-z0-9_]+ and be at most 64 characters long`);
    if (!VARIABLE_VALUE.test(v)) {
      throw badRequest(`Stage variable value '${v}' for '${name}' must match [A-Za-z0-9-._~:/?#&=,]* and be at most 512 characters long`);
    }
  }
  return vars;
}

function accessLogSettings(value: unknown): Stage['accessLogSettings'] {
  const s = structure(value, 'accessLogSettings', ['destinationArn', 'format']);
  const settings = defined({ destinationArn: optionalString(s, 'destinationArn'), format: optionalString(s, 'format') });
  if (settings.destinationArn !== undefined && !/^arn:aws[a-z-]*:(logs|firehose):/.test(settings.destinationArn)) {
    throw badRequest(`Invalid destinationArn '${settings.destinationArn}': expected a CloudWatch Logs log group or Kinesis Data Firehose ARN`);
  }
  if (settings.destinationArn !== undefined && !settings.format) throw badRequest('An access log format is required with a destinationArn');
  return settings;
}

/** Members CreateStage and UpdateStage share, applied onto `stage`. */
async function applyStageMembers(
  stage: Stage,
  body: Readonly<Record<string, unknown>>,
  doc: HttpApiDocument,
  reader: Parameters<typeof readV2Deployment>[0],
): Promise<void> {
  const protocol = doc.api.protocolType;
  const autoDeployValue = optionalBoolean(body, 'autoDeploy');
  if (autoDeployValue !== undefined) stage.autoDeploy = autoDeployValue;
  const deploymentId = optionalString(body, 'deploymentId');
  if (deploymentId !== undefined) {
    await readV2Deployment(reader, stage.apiId, deploymentId);
    stage.deploymentId = deploymentId;
  }
  const description = optionalString(body, 'description', 1024);
  if (description !== undefined) stage.description = description;
  const clientCertificateId = optionalString(body, 'clientCertificateId');
  if (clientCertificateId !== undefined) {
    if (protocol === 'HTTP') throw badRequest('Client certificates are not supported for HTTP APIs');
    stage.clientCertificateId = clientCertificateId;
  }
  if (has(body, 'stageVariables')) stage.stageVariables = stageVariables(body['stageVariables']);
  if (has(body, 'defaultRouteSettings')) stage.defaultRouteSettings = routeSettings(body['defaultRouteSettings'], 'defaultRouteSettings', protocol);
  if (has(body, 'routeSettings')) stage.routeSettings = routeSettingsMap(body['routeSettings'], doc);
  if (has(body, 'accessLogSettings')) stage.accessLogSettings = accessLogSettings(body['accessLogSettings']);
}

export const stageShape = (stage: Stage): Record<string, unknown> => {
  const { apiId: _apiId, ...wire } = stage;
  return compact({ ...wire, autoDeploy: stage.autoDeploy });
};

export const STAGES_HANDLERS: HandlerTable = {
  async CreateStage(ctx, req) {
    const apiId = req.path['ApiId']!;
    const stageName = requiredString(req.body, 'stageName', 128);
    const stage = await ctx.store.transaction(async (tx) => {
      const record = await readV2Api(ctx, tx, apiId);
      const doc = record.document;
      if (stageName === '$default') {
        if (doc.api.protocolType !== 'HTTP') throw badRequest('The $default stage is supported only for HTTP APIs');
      } else if (!STAGE_NAME.test(stageName)) {
        throw badRequest(`Stage name '${stageName}' is invalid: use $default or 1 to 128 letters, digits, hyphens and underscores`);
      }
      const existing = await listV2Stages(tx, apiId);
      if (existing.some((s) => s.stageName === stageName)) throw conflict(`Stage ${stageName} already exists`);
      if (existing.length >= LIMITS.stagesPerApi) throw badRequest(`The API already has the maximum of ${LIMITS.stagesPerApi} stages`);
      const at = now();
      const created: Stage = {
        apiId,
        stageName,
        autoDeploy: false,
        stageVariables: {},
        defaultRouteSettings: doc.api.protocolType === 'HTTP' ? { detailedMetricsEnabled: false } : { dataTraceEnabled: false, detailedMetricsEnabled: false, loggingLevel: 'OFF' },
        routeSettings: {},
        tags: tags(req.body['tags']),
        createdDate: at,
        lastUpdatedDate: at,
      };
      await applyStageMembers(created, req.body, doc, tx);
      await tx.putRecord(STAGE_KIND, stageKey(apiId, stageName), created);
      if (created.autoDeploy) await autoDeploy(tx, apiId, doc, stageName);
      return (await tx.getRecord<Stage>(STAGE_KIND, stageKey(apiId, stageName)))!;
    });
    return { body: stageShape(stage) };
  },

  async GetStage(ctx, req) {
    const apiId = req.path['ApiId']!;
    await readV2Api(ctx, ctx.store, apiId);
    return { body: stageShape(await readV2Stage(ctx.store, apiId, req.path['StageName']!)) };
  },

  async GetStages(ctx, req) {
    const apiId = req.path['ApiId']!;
    await readV2Api(ctx, ctx.store, apiId);
    const { items, nextToken } = pageV2((await listV2Stages(ctx.store, apiId)).map(stageShape), req.query);
    return { body: compact({ items, nextToken }) };
  },

  async UpdateStage(ctx, req) {
    const apiId = req.path['ApiId']!;
    const stageName = req.path['StageName']!;
    const stage = await ctx.store.transaction(async (tx) => {
      const record = await readV2Api(ctx, tx, apiId);
      const current = await readV2Stage(tx, apiId, stageName);
      const next = structuredClone(current);
      await applyStageMembers(next, req.body, record.document, tx);
      next.lastUpdatedDate = now();
      await tx.putRecord(STAGE_KIND, stageKey(apiId, stageName), next);
      // Turning autoDeploy on deploys the API as it is now.
      if (next.autoDeploy && !current.autoDeploy) await autoDeploy(tx, apiId, record.document, stageName);
      return (await tx.getRecord<Stage>(STAGE_KIND, stageKey(apiId, stageName)))!;
    });
    return { body: stageShape(stage) };
  },

  async DeleteStage(ctx, req) {
    const apiId = req.path['ApiId']!;
    const stageName = req.path['StageName']!;
    await ctx.store.transaction(async (tx) => {
      await readV2Api(ctx, tx, apiId);
      await readV2Stage(tx, apiId, stageName);
      const mapped = (await tx.listRecords<BasePathMapping>(RECORD_KINDS.basePathMapping)).some((m) => m.restApiId === apiId && m.stage === stageName);
      if (mapped) throw badRequest(`Stage ${stageName} has API mappings; delete them before deleting the stage`);
      await tx.deleteRecord(STAGE_KIND, stageKey(apiId, stageName));
    });
    return {};
  },

  async DeleteRouteSettings(ctx, req) {
    const apiId = req.path['ApiId']!;
    const stageName = req.path['StageName']!;
    const routeKey = req.path['RouteKey']!;
    await ctx.store.transaction(async (tx) => {
      await readV2Api(ctx, tx, apiId);
      const stage = await readV2Stage(tx, apiId, stageName);
      if (!Object.hasOwn(stage.routeSettings, routeKey)) throw notFound(`Unable to find route settings for route key ${routeKey}`);
      delete stage.routeSettings[routeKey];
      await tx.putRecord(STAGE_KIND, stageKey(apiId, stageName), { ...stage, lastUpdatedDate: now() });
    });
    return {};
  },

  async DeleteAccessLogSettings(ctx, req) {
    const apiId = req.path['ApiId']!;
    const stageName = req.path['StageName']!;
    await ctx.store.transaction(async (tx) => {
      await readV2Api(ctx, tx, apiId);
      const stage = await readV2Stage(tx, apiId, stageName);
      const { accessLogSettings: _removed, ...rest } = stage;
      await tx.putRecord<Stage>(STAGE_KIND, stageKey(apiId, stageName), { ...rest, lastUpdatedDate: now() });
    });
    return {};
  },

  /**
   * The data plane keeps no authorizer results for HTTP or WebSocket APIs yet, so there is no
   * cache to empty: resetting it only has to find the stage, as AWS answers 204 for any stage.
   */
  async ResetAuthorizersCache(ctx, req) {
    const apiId = req.path['ApiId']!;
    await readV2Api(ctx, ctx.store, apiId);
    await readV2Stage(ctx.store, apiId, req.path['StageName']!);
    return {};
  },
};
