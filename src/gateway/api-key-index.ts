/**
 * The data plane's live view of API keys and usage plans: for every REST API stage a usage plan
 * covers, the enabled keys that may call it, by key value. It is built from the store at start
 * and kept current from the store's change feed, so that creating, disabling or deleting a key,
 * editing a plan's stages or adding a key to a plan takes effect at once, without a
 * redeployment, and a request's API key check is a Map lookup rather than a store query.
 *
 * Only keys reached through a usage plan grant access. `stageKeys` (the model from before usage
 * plans) is not honoured: AWS migrated every account to usage plans, after which a key reaches a
 * stage only through a plan's `apiStages`.
 *
 * Timing: the presented value is looked up with one `Map.get` in the map of the stage the
 * method belongs to (that map is chosen by API id and stage name, which are not secret). A
 * value that names no key, a disabled key, and a key whose plans do not cover the stage are all
 * simply absent from that map, so the lookup reveals nothing beyond what Map.get itself does
 * (hashing the presented value, and comparing it with a stored value only on a hash match).
 */
import type { Store, StoreChange } from '../store/store.js';
import { RECORD_KINDS, type ApiKey, type UsagePlan, type UsagePlanKey } from '../model/usage-plan.js';

/** A key a request presented, found valid for the stage it called. */
export interface ApiKeyGrant {
  /** `$context.identity.apiKeyId`. */
  readonly keyId: string;
  /** `$context.identity.apiKey`. */
  readonly value: string;
  /**
   * The usage plans through which the key reaches this stage, for their throttle and quota.
   * AWS lets a key reach a stage through one plan only, so this normally holds one.
   */
  readonly usagePlans: readonly Readonly<UsagePlan>[];
}

/**
 * Bounds on what the index holds: AWS's quotas (10,000 keys, 300 plans per account, 10 plans
 * per key), which the management API enforces. A store filled past them by other means is not
 * indexed beyond them: the keys left out are refused, and a warning says so.
 */
export const MAX_INDEXED_KEYS = 10_000;
export const MAX_INDEXED_PLANS = 300;
export const MAX_INDEXED_MEMBERSHIPS = MAX_INDEXED_KEYS * 10;

/** What the index keeps of a key: not its name, description or tags. */
interface IndexedKey {
  id: string;
  value: string;
  enabled: boolean;
}

const EMPTY: ReadonlyMap<string, ReadonlyMap<string, ApiKeyGrant>> = new Map();

/** The index's name for one API stage. An API id never contains '/', so this is unambiguous. */
export const stageGrantKey = (apiId: string, stageName: string): string => `${apiId}/${stageName}`;

export class ApiKeyIndex {
  private readonly keys = new Map<string, IndexedKey>();
  private readonly plans = new Map<string, UsagePlan>();
  /** Usage plan key record id (`planId:keyId`) → membership. */
  private readonly members = new Map<string, UsagePlanKey>();
  /** Stage → key value → grant; replaced whole on every change, never edited in place. */
  private grants: ReadonlyMap<string, ReadonlyMap<string, ApiKeyGrant>> = EMPTY;
  /** Changes are applied one batch at a time, in commit order, after the initial load. */
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private warned = false;

  constructor(private readonly store: Store) {
    this.unsubscribe = store.onChange((changes) => {
      if (!changes.some(isRelevant)) return;
      this.enqueue(() => this.apply(changes));
    });
  }

  /** Reads every key, plan and membership from the store. */
  loadAll(): Promise<void> {
    return this.enqueue(() => this.load());
  }

  /** Resolves once every change announced so far is reflected in lookups. */
  settled(): Promise<void> {
    return this.chain;
  }

  /**
   * The grant for the key whose value is `value` on the stage named by `stageKey` (see
   * stageGrantKey), or undefined when no enabled key with that value is in a plan covering it.
   */
  lookup(stageKey: string, value: string): ApiKeyGrant | undefined {
    return this.grants.get(stageKey)?.get(value);
  }

  close(): void {
    this.unsubscribe();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step).catch((err: unknown) => {
      console.error('portico: failed to apply an API key or usage plan change:', err);
    });
    return this.chain;
  }

  private async load(): Promise<void> {
    this.keys.clear();
    this.plans.clear();
    this.members.clear();
    for (const key of await this.store.listRecords<ApiKey>(RECORD_KINDS.apiKey)) this.putKey(key);
    for (const plan of await this.store.listRecords<UsagePlan>(RECORD_KINDS.usagePlan)) this.putPlan(plan.id, plan);
    for (const member of await this.store.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)) {
      this.putMember(`${member.usagePlanId}:${member.keyId}`, member);
    }
    this.rebuild();
  }

  private async apply(changes: StoreChange[]): Promise<void> {
    for (const change of changes) {
      if (!isRelevant(change)) continue;
      const { recordKind, id } = change;
      // Re-read rather than trust the order of events: the record as it is now is what counts.
      const record = change.deleted ? undefined : await this.store.getRecord<unknown>(recordKind, id);
      switch (recordKind) {
        case RECORD_KINDS.apiKey:
          if (record) this.putKey(record as ApiKey);
          else this.keys.delete(id);
          break;
        case RECORD_KINDS.usagePlan:
          if (record) this.putPlan(id, record as UsagePlan);
          else this.plans.delete(id);
          break;
        default:
          if (record) this.putMember(id, record as UsagePlanKey);
          else this.members.delete(id);
          break;
      }
    }
    this.rebuild();
  }

  private putKey(key: ApiKey): void {
    if (!this.keys.has(key.id) && this.keys.size >= MAX_INDEXED_KEYS) return this.overflow('API keys', MAX_INDEXED_KEYS);
    this.keys.set(key.id, { id: key.id, value: key.value, enabled: key.enabled === true });
  }

  private putPlan(id: string, plan: UsagePlan): void {
    if (!this.plans.has(id) && this.plans.size >= MAX_INDEXED_PLANS) return this.overflow('usage plans', MAX_INDEXED_PLANS);
    this.plans.set(id, plan);
  }

  private putMember(id: string, member: UsagePlanKey): void {
    if (!this.members.has(id) && this.members.size >= MAX_INDEXED_MEMBERSHIPS) {
      return this.overflow('usage plan keys', MAX_INDEXED_MEMBERSHIPS);
    }
    this.members.set(id, member);
  }

  private overflow(what: string, limit: number): void {
    if (this.warned) return;
    this.warned = true;
    console.warn(`portico: the store holds more than ${limit} ${what}; those beyond are not accepted on the data plane`);
  }

  /** Derives the per-stage grants from the records; runs once per batch of changes. */
  private rebuild(): void {
    const plansOfKey = new Map<string, UsagePlan[]>();
    for (const member of this.members.values()) {
      const plan = this.plans.get(member.usagePlanId);
      if (!plan) continue;
      const list = plansOfKey.get(member.keyId);
      if (list) list.push(plan);
      else plansOfKey.set(member.keyId, [plan]);
    }
    const grants = new Map<string, Map<string, ApiKeyGrant>>();
    for (const key of this.keys.values()) {
      if (!key.enabled) continue;
      const keyPlans = plansOfKey.get(key.id);
      if (!keyPlans) continue;
      const byStage = new Map<string, UsagePlan[]>();
      for (const plan of keyPlans) {
        for (const apiStage of plan.apiStages ?? []) {
          const stage = stageGrantKey(apiStage.apiId, apiStage.stage);
          const list = byStage.get(stage);
          if (!list) byStage.set(stage, [plan]);
          else if (!list.includes(plan)) list.push(plan);
        }
      }
      for (const [stage, usagePlans] of byStage) {
        let values = grants.get(stage);
        if (!values) grants.set(stage, (values = new Map()));
        values.set(key.value, { keyId: key.id, value: key.value, usagePlans });
      }
    }
    this.grants = grants;
  }
}

function isRelevant(change: StoreChange): change is Extract<StoreChange, { kind: 'record' }> {
  return (
    change.kind === 'record' &&
    (change.recordKind === RECORD_KINDS.apiKey || change.recordKind === RECORD_KINDS.usagePlan || change.recordKind === RECORD_KINDS.usagePlanKey)
  );
}
