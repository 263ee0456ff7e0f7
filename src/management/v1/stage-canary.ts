/**
 * Canary releases on apigateway (v1) stages: the canarySettings that CreateStage and
 * CreateDeployment take, the UpdateStage operations under /canarySettings (including the `copy`
 * operations that promote a canary), and the wire shape. Where AWS's recorded messages exist
 * they are used verbatim; the paths and defaults follow AWS's canary release documentation.
 */
import type { CanarySettings, Stage } from '../../model/api.js';
import type { StoreWriter } from '../../store/store.js';
import { badRequest } from '../errors.js';
import type { PatchOperation } from '../patch.js';
import { MAX_STAGE_VARIABLES, checkVariables } from './stage-rules.js';

export const deploymentIdDoesNotExist = (): Error => badRequest('Deployment id does not exist');

/** The member paths UpdateStage takes under /canarySettings (stage variables are one level deeper). */
const CANARY_MEMBERS = ['percentTraffic', 'deploymentId', 'useStageCache'] as const;
const OVERRIDES = 'stageVariableOverrides';

export function checkPercentTraffic(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw badRequest(`Invalid percentTraffic ${String(value)}: it must be a number between 0.0 and 100.0`);
  }
  return value;
}

function checkOverrides(raw: unknown): Record<string, string> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('stageVariableOverrides must be a map of names to values');
  return checkVariables(raw);
}

function checkUseStageCache(raw: unknown): boolean {
  if (typeof raw !== 'boolean') throw badRequest('useStageCache must be true or false');
  return raw;
}

/**
 * Canary settings from a request body (CreateStage's CanarySettings, CreateDeployment's
 * DeploymentCanarySettings): what is not given takes AWS's defaults, the given deployment or
 * else `deploymentId`, 0% of the traffic and no use of the stage cache.
 */
export function canaryFromBody(raw: unknown, deploymentId: string): CanarySettings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw badRequest('canarySettings must be an object');
  const body = raw as Record<string, unknown>;
  const overrides = body.stageVariableOverrides != null ? checkOverrides(body.stageVariableOverrides) : undefined;
  return {
    deploymentId,
    percentTraffic: body.percentTraffic != null ? checkPercentTraffic(body.percentTraffic) : 0,
    ...(overrides && Object.keys(overrides).length > 0 ? { stageVariableOverrides: overrides } : {}),
    useStageCache: body.useStageCache != null ? checkUseStageCache(body.useStageCache) : false,
  };
}

/** CreateStage's canarySettings: a deploymentId it names must exist in the API. */
export async function canaryForNewStage(tx: Pick<StoreWriter, 'getDeployment'>, apiId: string, raw: unknown, stageDeploymentId: string): Promise<CanarySettings> {
  const named = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).deploymentId : undefined;
  if (named != null && (typeof named !== 'string' || !(await tx.getDeployment(apiId, named)))) throw deploymentIdDoesNotExist();
  return canaryFromBody(raw, typeof named === 'string' ? named : stageDeploymentId);
}

const isCanaryMemberPath = (op: PatchOperation): boolean => {
  const [, member, ...rest] = op.segments;
  if (member === OVERRIDES) return rest.length === 1 && rest[0] !== '';
  return rest.length === 0 && (CANARY_MEMBERS as readonly string[]).includes(member ?? '');
};

const noSuchSetting = (op: PatchOperation): Error =>
  badRequest(`Cannot ${op.op} method setting ${op.path.slice(1)} because there is no method setting for this method `);

/** The canary a `replace` edits: the stage's, or a new one on the stage's own deployment. */
function canaryToEdit(stage: Stage): CanarySettings {
  stage.canarySettings ??= { deploymentId: stage.deploymentId, percentTraffic: 0, useStageCache: false };
  return stage.canarySettings;
}

function parsePercent(op: PatchOperation): number {
  const text = op.value?.trim() ?? '';
  // Number('') is 0, and a percentage must be written out.
  return checkPercentTraffic(text === '' ? Number.NaN : Number(text));
}

function parseBoolean(op: PatchOperation): boolean {
  const v = op.value?.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value '${op.value ?? ''}' for ${op.path}: must be true or false`);
}

/**
 * Applies one UpdateStage operation whose path starts with /canarySettings. `invalidPath` is the
 * stage's "Invalid method setting path" error, which AWS also answers for canary paths it lacks.
 */
export async function applyCanaryPatch(
  tx: Pick<StoreWriter, 'getDeployment'>,
  stage: Stage,
  op: PatchOperation,
  invalidPath: (op: PatchOperation) => Error,
): Promise<void> {
  const [, member, name] = op.segments;
  if (op.op === 'remove' && op.segments.length === 1) return void delete stage.canarySettings;
  // AWS documents removing one canary stage variable; other canary members can only be replaced.
  if (op.op === 'remove' && member === OVERRIDES && isCanaryMemberPath(op)) {
    if (!stage.canarySettings) throw noSuchSetting(op);
    const overrides = { ...stage.canarySettings.stageVariableOverrides };
    delete overrides[name!];
    if (Object.keys(overrides).length === 0) delete stage.canarySettings.stageVariableOverrides;
    else stage.canarySettings.stageVariableOverrides = overrides;
    return;
  }
  if (op.op !== 'replace') {
    if (isCanaryMemberPath(op)) throw badRequest(`Invalid ${op.op} operation with path: ${op.path}`);
    throw noSuchSetting(op);
  }
  if (member === OVERRIDES && op.segments.length === 2) throw badRequest(`Invalid patch path ${op.path}: name the variable, as /canarySettings/stageVariableOverrides/{name}`);
  if (!isCanaryMemberPath(op)) throw invalidPath(op);

  if (member === 'deploymentId') {
    if (!op.value || !(await tx.getDeployment(stage.apiId, op.value))) throw deploymentIdDoesNotExist();
    canaryToEdit(stage).deploymentId = op.value;
    return;
  }
  if (member === 'percentTraffic') {
    const percent = parsePercent(op);
    canaryToEdit(stage).percentTraffic = percent;
    return;
  }
  if (member === 'useStageCache') {
    const use = parseBoolean(op);
    canaryToEdit(stage).useStageCache = use;
    return;
  }
  const checked = checkVariables({ [name!]: op.value ?? '' });
  const canary = canaryToEdit(stage);
  canary.stageVariableOverrides = { ...canary.stageVariableOverrides, ...checked };
  if (Object.keys(canary.stageVariableOverrides).length > MAX_STAGE_VARIABLES) {
    throw badRequest(`A canary can override at most ${MAX_STAGE_VARIABLES} stage variables`);
  }
}

const COPY_PATHS = ['/deploymentId', '/variables'];
const COPY_FROM = ['/canarySettings/deploymentId', '/canarySettings/stageVariableOverrides'];

/**
 * `copy` only promotes a canary: its deployment onto the stage's, or its variable overrides
 * onto the stage's variables (merged, so variables only the stage has stay).
 */
export function applyCopy(stage: Stage, op: PatchOperation): void {
  if (!COPY_PATHS.includes(op.path) || !COPY_FROM.includes(op.from ?? '')) {
    throw badRequest(
      `Invalid copy operation with path: ${op.path} and from ${op.from ?? 'null'}. Valid copy:path are [${COPY_PATHS.join(', ')}] and valid copy:from are [${COPY_FROM.join(', ')}]`,
    );
  }
  const canary = stage.canarySettings;
  if (!canary) throw badRequest('Promotion not available. Canary does not exist.');
  // The target decides what is promoted, whichever of the two canary members `from` names.
  if (op.path === '/deploymentId') {
    stage.deploymentId = canary.deploymentId;
    return;
  }
  stage.variables = { ...stage.variables, ...canary.stageVariableOverrides };
  if (Object.keys(stage.variables).length > MAX_STAGE_VARIABLES) throw badRequest(`A stage can have at most ${MAX_STAGE_VARIABLES} variables`);
}
