/**
 * The live routing state of the data plane: every deployed stage, compiled, keyed by API id
 * and stage name. It follows the store's change feed; a stage that moves to a new deployment
 * is recompiled and swapped in with one map assignment, so requests in flight finish on the
 * CompiledStage they started with. A stage with a canary release carries its canary compiled
 * alongside, and each request is routed to one or the other by a random draw.
 *
 * A stage's response cache lives in the cache registry (CompileServices.traffic), not in the
 * CompiledStage, so it survives recompiles; it is released here when the stage (or its API) is
 * deleted or its caching is turned off.
 */
import type { Store, StoreChange } from '../store/store.js';
import type { CanarySettings, Stage } from '../model/api.js';
import type { RestApiDocument } from '../model/rest-api.js';
import { compileRestStage, type CompileServices, type CompiledStage } from './rest/compile.js';

const key = (apiId: string, stageName: string): string => `${apiId}/${stageName}`;

export class StageRegistry {
  private readonly stages = new Map<string, CompiledStage>();
  /** API id → API name, for every stored API (deployed or not). */
  private readonly apis = new Map<string, string>();
  /** Changes are applied one batch at a time, in commit order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly services: CompileServices,
    private readonly onFunctionChanged: (functionName: string) => void = () => undefined,
  ) {
    this.unsubscribe = store.onChange((changes) => {
      this.chain = this.chain.then(() => this.apply(changes)).catch((err: unknown) => {
        console.error('portico: failed to apply a configuration change:', err);
      });
    });
  }

  /** Compiles every stored stage. */
  async loadAll(): Promise<void> {
    // HTTP and WebSocket APIs have their own document shape and are not served by this registry.
    for (const api of await this.store.listApis()) if (api.protocolType === 'REST') this.apis.set(api.id, api.document.restApi?.name ?? api.id);
    for (const stage of await this.store.listStages()) await this.load(stage);
  }

  /** Resolves once every change announced so far is live. */
  settled(): Promise<void> {
    return this.chain;
  }

  get(apiId: string, stageName: string): CompiledStage | undefined {
    return this.stages.get(key(apiId, stageName));
  }

  /**
   * What serves one request to a stage: its canary for the canary's share of the traffic, else
   * the stage itself. 0% and 100% are exact; in between, one Math.random() per request.
   */
  route(apiId: string, stageName: string): CompiledStage | undefined {
    const stage = this.stages.get(key(apiId, stageName));
    const canary = stage?.canary;
    if (canary === undefined || canary.percentTraffic <= 0) return stage;
    return canary.percentTraffic >= 100 || Math.random() * 100 < canary.percentTraffic ? canary.stage : stage;
  }

  hasApi(apiId: string): boolean {
    return this.apis.has(apiId);
  }

  list(): CompiledStage[] {
    return [...this.stages.values()];
  }

  listApis(): { id: string; name: string }[] {
    return [...this.apis].map(([id, name]) => ({ id, name }));
  }

  close(): void {
    this.unsubscribe();
  }

  private async apply(changes: StoreChange[]): Promise<void> {
    for (const change of changes) {
      switch (change.kind) {
        case 'api':
          if (change.deleted) {
            this.apis.delete(change.apiId);
            for (const [k, compiled] of [...this.stages]) {
              if (!k.startsWith(`${change.apiId}/`)) continue;
              this.stages.delete(k);
              this.releaseCache(change.apiId, compiled.stageName);
            }
          } else {
            const api = await this.store.getApi(change.apiId);
            if (api?.protocolType === 'REST') this.apis.set(api.id, api.document.restApi?.name ?? api.id);
          }
          break;
        case 'stage':
          if (change.deleted) {
            this.stages.delete(key(change.apiId, change.stageName));
            this.releaseCache(change.apiId, change.stageName);
          } else {
            const stage = await this.store.getStage(change.apiId, change.stageName);
            if (stage) await this.load(stage);
          }
          break;
        case 'function':
          this.onFunctionChanged(change.functionName);
          break;
        default:
          break;
      }
    }
  }

  private releaseCache(apiId: string, stageName: string): void {
    this.services.traffic?.cache.release(apiId, stageName);
  }

  private async load(stage: Stage): Promise<void> {
    // Compiling a cached stage acquires its cache; one with caching off gives it up.
    if (!stage.cacheClusterEnabled) this.releaseCache(stage.apiId, stage.stageName);
    const deployment = await this.store.getDeployment(stage.apiId, stage.deploymentId);
    if (!deployment) return;
    const compiled = compileRestStage(deployment as typeof deployment & { snapshot: RestApiDocument }, stage, this.services);
    const canary = stage.canarySettings && (await this.compileCanary(stage, stage.canarySettings));
    this.stages.set(key(stage.apiId, stage.stageName), canary ? { ...compiled, canary } : compiled);
  }

  /** The canary's deployment as the stage would serve it, with the canary's variable overrides. */
  private async compileCanary(stage: Stage, settings: CanarySettings): Promise<CompiledStage['canary']> {
    const deployment = await this.store.getDeployment(stage.apiId, settings.deploymentId);
    if (!deployment) return undefined;
    const variables = { ...stage.variables, ...settings.stageVariableOverrides };
    const compiled = compileRestStage(deployment as typeof deployment & { snapshot: RestApiDocument }, { ...stage, variables }, this.services, { canary: settings });
    return { percentTraffic: settings.percentTraffic, stage: { ...compiled, isCanaryRequest: true } };
  }
}
