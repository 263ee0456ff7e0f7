/**
 * Stages as the management API creates and shows them: the bounds AWS puts on stage names,
 * variables, tags and cache sizes, a new stage's defaults, and the Stage wire shape. Shared by
 * CreateStage, UpdateStage and CreateDeployment (which creates or moves a stage too).
 */
import type { CanarySettings, Stage } from '../../model/api.js';
import { validateStageVariables } from '../../model/validate.js';
import { ManagementError, badRequest } from '../errors.js';
import { compact } from './shapes.js';

export const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
export const MAX_STAGES_PER_API = 10;
export const MAX_STAGE_VARIABLES = 100;
export const MAX_STAGE_TAGS = 50;
export const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;
/** AWS gives an enabled cache this size when none is asked for. */
const DEFAULT_CACHE_CLUSTER_SIZE = '0.5';

export const stageNotFound = (): Error => new ManagementError('NotFoundException', 'Invalid stage identifier specified');

export function checkStageName(name: string): void {
  if (!STAGE_NAME.test(name)) {
    throw badRequest(`Stage name '${name}' is invalid: use up to 128 letters, digits, hyphens and underscores`);
  }
}

export function checkStageCount(existing: number): void {
  if (existing >= MAX_STAGES_PER_API) {
    throw new ManagementError('LimitExceededException', `An API can have at most ${MAX_STAGES_PER_API} stages`, 429);
  }
}

/** Checks stage variables from a request body (a map whose values are not yet checked). */
export function checkVariables(raw: unknown): Record<string, string> {
  const variables = raw as Record<string, unknown>;
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'string') throw badRequest(`Stage variable '${name}' must have a string value`);
  }
  const checked = variables as Record<string, string>;
  const problems = validateStageVariables(checked);
  if (problems.length > 0) throw badRequest(`Invalid stage variables: ${problems.map((p) => p.message).join('; ')}`);
  if (Object.keys(checked).length > MAX_STAGE_VARIABLES) throw badRequest(`A stage can have at most ${MAX_STAGE_VARIABLES} variables`);
  return { ...checked };
}

export function checkCacheClusterSize(size: string): Stage['cacheClusterSize'] {
  if (!(CACHE_CLUSTER_SIZES as readonly string[]).includes(size)) {
    throw badRequest(`Invalid cache cluster size '${size}': must be one of ${CACHE_CLUSTER_SIZES.join(', ')}`);
  }
  return size;
}

/** Tags as AWS bounds them: at most 50, keys 1–128 characters not starting `aws:`, values up to 256. */
export function checkTags(raw: unknown): Record<string, string> {
  const tags = raw as Record<string, unknown>;
  const entries = Object.entries(tags);
  if (entries.length > MAX_STAGE_TAGS) throw badRequest(`A stage can have at most ${MAX_STAGE_TAGS} tags`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:')) throw badRequest(`Invalid tag key '${key}'`);
    if (typeof value !== 'string' || value.length > 256) throw badRequest(`Invalid value for tag '${key}'`);
  }
  return { ...(tags as Record<string, string>) };
}

export interface NewStage {
  apiId: string;
  stageName: string;
  deploymentId: string;
  description?: string;
  variables?: Record<string, string>;
  cacheClusterEnabled?: boolean;
  cacheClusterSize?: string;
  tracingEnabled?: boolean;
  tags?: Record<string, string>;
  canarySettings?: CanarySettings;
  clientCertificateId?: string;
  documentationVersion?: string;
}

export function newStage(input: NewStage, now: number): Stage {
  const cacheClusterEnabled = input.cacheClusterEnabled ?? false;
  return {
    apiId: input.apiId,
    stageName: input.stageName,
    deploymentId: input.deploymentId,
    ...(input.description !== undefined ? { description: input.description } : {}),
    variables: input.variables ?? {},
    methodSettings: {},
    cacheClusterEnabled,
    ...(input.cacheClusterSize !== undefined || cacheClusterEnabled
      ? { cacheClusterSize: input.cacheClusterSize ?? DEFAULT_CACHE_CLUSTER_SIZE }
      : {}),
    tracingEnabled: input.tracingEnabled ?? false,
    createdDate: now,
    lastUpdatedDate: now,
    tags: input.tags ?? {},
    ...(input.canarySettings ? { canarySettings: input.canarySettings } : {}),
    ...(input.clientCertificateId !== undefined ? { clientCertificateId: input.clientCertificateId } : {}),
    ...(input.documentationVersion !== undefined ? { documentationVersion: input.documentationVersion } : {}),
  };
}

/** Turning the cache on without a size gets AWS's default size. */
export function withCacheDefaults(stage: Stage): Stage {
  return stage.cacheClusterEnabled && stage.cacheClusterSize === undefined ? { ...stage, cacheClusterSize: DEFAULT_CACHE_CLUSTER_SIZE } : stage;
}

/** The Stage on the wire. AWS always sends `methodSettings`, even empty. */
export function stageShape(stage: Stage): Record<string, unknown> {
  const accessLog = stage.accessLogSettings && compact({ ...stage.accessLogSettings });
  const canary = stage.canarySettings;
  return {
    ...compact({
      deploymentId: stage.deploymentId,
      stageName: stage.stageName,
      description: stage.description,
      clientCertificateId: stage.clientCertificateId,
      documentationVersion: stage.documentationVersion,
      cacheClusterEnabled: stage.cacheClusterEnabled,
      cacheClusterSize: stage.cacheClusterSize,
      cacheClusterStatus: stage.cacheClusterEnabled ? 'AVAILABLE' : 'NOT_AVAILABLE',
      variables: stage.variables,
      accessLogSettings: accessLog,
      canarySettings: canary
        ? compact({
            deploymentId: canary.deploymentId,
            percentTraffic: canary.percentTraffic,
            stageVariableOverrides: canary.stageVariableOverrides,
            useStageCache: canary.useStageCache,
          })
        : undefined,
      tracingEnabled: stage.tracingEnabled,
      tags: stage.tags,
      createdDate: stage.createdDate,
      lastUpdatedDate: stage.lastUpdatedDate,
    }),
    methodSettings: stage.methodSettings,
  };
}
