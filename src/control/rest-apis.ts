/**
 * Control-plane operations on REST APIs that files and (later) the management API share:
 * import an OpenAPI definition (in place when the same source is imported again), deploy it to
 * a stage, and register functions. Each operation is one store transaction: it either happens
 * completely or not at all.
 */
import type { Store, StoreWriter } from '../store/store.js';
import type { AccountSettings } from '../model/settings.js';
import type { ApiRecord, Deployment, Stage } from '../model/api.js';
import type { RestApiDocument } from '../model/rest-api.js';
import type { FunctionDefinition } from '../model/function.js';
import { newDeploymentId } from '../model/ids.js';
import { validateStageVariables } from '../model/validate.js';
import { importOpenApi } from '../importers/openapi.js';

/** A request the caller can fix: a bad definition, an unknown id. Printed as one line. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

export interface ImportOptions {
  /** Identifies where the definition came from; importing the same source again updates that API. */
  sourceKey?: string;
  /** Used in error messages. */
  sourceName?: string;
  /** Import into this API id (creating it if absent) instead of a generated one. */
  apiId?: string;
  /** The account and region `${AWS::…}` variables and `execute-api:/` policy shorthand resolve to. */
  account?: AccountSettings;
}

/** Imports (or re-imports in place) an OpenAPI 3.0 / Swagger 2.0 definition. */
export async function importRestApi(store: Store, input: string | object, options: ImportOptions = {}): Promise<ApiRecord> {
  return store.transaction(async (tx) => {
    const bySource = options.sourceKey ? await tx.findApiBySourceKey(options.sourceKey) : undefined;
    if (options.apiId && bySource && bySource.id !== options.apiId) {
      // The source moved to a fixed id: the old copy goes, so the file is served once.
      await tx.deleteApi(bySource.id);
    }
    const existing = options.apiId ? await tx.getApi(options.apiId) : bySource;
    const document = importOpenApi(input, {
      sourceName: options.sourceName,
      apiId: options.apiId ?? existing?.id,
      previous: existing?.document,
      account: options.account,
    });
    if (existing) document.restApi.createdDate = existing.document.restApi.createdDate;
    const record: ApiRecord = { id: document.restApi.id, protocolType: 'REST', document, sourceKey: options.sourceKey };
    await tx.putApi(record);
    return record;
  });
}

export interface DeployOptions {
  stageName: string;
  description?: string;
  /** Replaces the stage's variables when given; otherwise an existing stage keeps its own. */
  variables?: Record<string, string>;
}

/** Every method must have an integration before AWS lets an API be deployed. */
function checkDeployable(doc: RestApiDocument): void {
  if (Object.values(doc.resources).every((r) => Object.keys(r.resourceMethods).length === 0)) {
    throw new BadRequestError('The REST API doesn\'t contain any methods');
  }
  for (const resource of Object.values(doc.resources)) {
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
      if (method && !method.methodIntegration) {
        throw new BadRequestError(`No integration defined for method ${httpMethod} ${resource.path}`);
      }
    }
  }
}

/** Snapshots the API into a new deployment and points the stage at it (creating the stage if needed). */
export async function deployRestApi(store: Store, apiId: string, options: DeployOptions): Promise<{ deployment: Deployment; stage: Stage }> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(options.stageName)) {
    throw new BadRequestError(`Stage name '${options.stageName}' must be alphanumeric, '-' or '_', up to 128 characters`);
  }
  if (options.variables) {
    const problems = validateStageVariables(options.variables);
    if (problems.length > 0) throw new BadRequestError(problems.map((p) => `${p.location}: ${p.message}`).join('; '));
  }
  return store.transaction(async (tx) => deployInTransaction(tx, apiId, options));
}

async function deployInTransaction(tx: StoreWriter, apiId: string, options: DeployOptions): Promise<{ deployment: Deployment; stage: Stage }> {
  const api = await tx.getApi(apiId);
  if (!api) throw new NotFoundError(`Invalid API identifier specified ${apiId}`);
  checkDeployable(api.document);
  const now = nowSeconds();
  const deployment: Deployment = {
    id: newDeploymentId(),
    apiId,
    description: options.description,
    createdDate: now,
    // A deep copy: later edits to the API must never reach a deployment.
    snapshot: structuredClone(api.document),
  };
  await tx.putDeployment(deployment);
  const existing = await tx.getStage(apiId, options.stageName);
  const stage: Stage = existing
    ? { ...existing, deploymentId: deployment.id, variables: options.variables ?? existing.variables, lastUpdatedDate: now }
    : {
        apiId,
        stageName: options.stageName,
        deploymentId: deployment.id,
        variables: options.variables ?? {},
        methodSettings: {},
        cacheClusterEnabled: false,
        tracingEnabled: false,
        createdDate: now,
        lastUpdatedDate: now,
        tags: {},
      };
  await tx.putStage(stage);
  return { deployment, stage };
}

/** Creates or replaces function definitions in one transaction. */
export async function putFunctions(store: Store, functions: FunctionDefinition[]): Promise<void> {
  await store.transaction(async (tx) => {
    for (const fn of functions) await tx.putFunction(fn);
  });
}
