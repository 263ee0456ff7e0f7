/**
 * Portico's function runtime: a FunctionInvoker that runs functions on this machine, warm and
 * bounded. Node.js handlers run in worker threads; every other runtime runs as a child process
 * speaking the Lambda Runtime API. Nothing starts until a function is first invoked, so
 * defined-but-unused functions cost nothing. Code directories are watched while a function has
 * a pool, and a change recycles its instances.
 */
import { availableParallelism } from 'node:os';
import type { FunctionDefinition } from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';
import { watchCode } from './code-watcher.js';
import type { FunctionLogSink } from './function-log.js';
import type { FunctionInstance, InstanceEnvironment } from './instance.js';
import { InvokeError, type FunctionInvoker, type InvokeOptions, type InvokeResult } from './invoker.js';
import { NodeInstance } from './node-instance.js';
import { FunctionPool, InstanceSlots, type Slot } from './pool.js';
import { ProcessInstance } from './process-instance.js';

export interface LocalInvokerOptions {
  account: AccountSettings;
  /** Looks a function up by name (the store). */
  resolveFunction(functionName: string): Promise<FunctionDefinition | undefined>;
  /** Live instances across all functions; default four per CPU, at least 8. */
  maxInstances?: number;
  /** Invocations allowed to wait for an instance, per function; default 1000. */
  maxQueued?: number;
  /** How long an invocation may wait for an instance before it is throttled; default 5 s. */
  maxQueueWaitMs?: number;
  /** Idle instances older than this are stopped; default 5 minutes. */
  idleTimeoutMs?: number;
  /** Where function logs go; none by default. */
  logSink?: FunctionLogSink;
  /** Recycle instances when a function's code directory changes; default true. */
  watchCode?: boolean;
  reloadDebounceMs?: number;
  /** Told after a code change recycled a function's instances. */
  onReload?(functionName: string): void;
}

interface Entry {
  pool: FunctionPool;
  /** The definition changed in the store; look it up again before the next invocation. */
  stale: boolean;
  stopWatching?: () => void;
}

export interface InvokerStats {
  /** Live instances (worker threads and processes) across all functions. */
  instances: number;
  maxInstances: number;
  functions: Record<string, { instances: number; busy: number; queued: number }>;
}

export class LocalInvoker implements FunctionInvoker {
  private readonly entries = new Map<string, Entry>();
  /** Pools of deleted or replaced functions still finishing invocations. */
  private readonly draining = new Set<FunctionPool>();
  private readonly slots: InstanceSlots;
  private readonly reaper: NodeJS.Timeout;
  private baseEnvironment: Record<string, string> = {};
  private closed = false;

  constructor(private readonly options: LocalInvokerOptions) {
    const maxInstances = options.maxInstances ?? Math.max(8, availableParallelism() * 4);
    this.slots = new InstanceSlots(maxInstances, (requester) => this.evictIdle(requester));
    const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
    this.reaper = setInterval(() => {
      const cutoff = Date.now() - idleTimeoutMs;
      for (const entry of this.entries.values()) entry.pool.reapIdle(cutoff);
    }, Math.max(1000, Math.min(idleTimeoutMs, 60_000)));
    this.reaper.unref();
  }

  /** Variables every new instance gets (e.g. endpoint URLs pointing back at Portico). */
  setBaseEnvironment(env: Record<string, string>): void {
    this.baseEnvironment = { ...env };
  }

  async invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    if (this.closed) throw new InvokeError('ServiceException', 'The function runtime is shutting down');
    const entry = this.entries.get(functionName);
    const pool = entry && !entry.stale ? entry.pool : await this.poolFor(functionName);
    return pool.invoke(JSON.stringify(event === undefined ? {} : event), options);
  }

  private async poolFor(functionName: string): Promise<FunctionPool> {
    const definition = await this.options.resolveFunction(functionName);
    if (this.closed) throw new InvokeError('ServiceException', 'The function runtime is shutting down');
    const entry = this.entries.get(functionName);
    if (!definition) {
      if (entry) this.drop(functionName, entry);
      throw new InvokeError('ResourceNotFoundException', `Function not found: ${functionName}`);
    }
    if (entry) {
      if (entry.stale) {
        entry.stale = false;
        const moved = entry.pool.definition.codeDirectory !== definition.codeDirectory;
        entry.pool.retire(definition);
        if (moved) this.watch(entry);
      }
      return entry.pool;
    }
    const pool = new FunctionPool(definition, {
      account: this.options.account,
      baseEnvironment: () => this.baseEnvironment,
      slots: this.slots,
      logSink: this.options.logSink,
      maxQueued: this.options.maxQueued ?? 1000,
      maxQueueWaitMs: this.options.maxQueueWaitMs ?? 5000,
      createInstance: createInstance,
    });
    const created: Entry = { pool, stale: false };
    this.entries.set(functionName, created);
    this.watch(created);
    return pool;
  }

  private watch(entry: Entry): void {
    entry.stopWatching?.();
    entry.stopWatching = undefined;
    const fn = entry.pool.definition;
    // Unpacked archives only change through UpdateFunctionCode, which invalidates explicitly.
    if (this.options.watchCode === false || fn.codeOrigin === 'archive') return;
    entry.stopWatching = watchCode(fn.codeDirectory, this.options.reloadDebounceMs ?? 100, {
      changing: () => entry.pool.codeChanged(),
      settled: () => {
        if (this.entries.get(fn.functionName) !== entry) return;
        entry.pool.retire();
        this.options.onReload?.(fn.functionName);
      },
    });
  }

  invalidate(functionName: string): void {
    const entry = this.entries.get(functionName);
    if (!entry) return;
    entry.stale = true;
    // Idle instances of the old definition go now; busy ones finish first.
    entry.pool.retire();
  }

  private drop(functionName: string, entry: Entry): void {
    this.entries.delete(functionName);
    entry.stopWatching?.();
    entry.pool.close();
    if (entry.pool.live.size > 0) this.draining.add(entry.pool);
  }

  private evictIdle(requester: FunctionPool): void {
    let victim: { pool: FunctionPool; slot: Slot } | undefined;
    for (const { pool } of this.entries.values()) {
      if (pool === requester) continue;
      const slot = pool.oldestIdle();
      if (slot && (!victim || slot.lastUsed < victim.slot.lastUsed)) victim = { pool, slot };
    }
    victim?.pool.stopIdle(victim.slot);
  }

  stats(): InvokerStats {
    const functions: InvokerStats['functions'] = {};
    let instances = 0;
    for (const [name, { pool }] of this.entries) {
      functions[name] = { instances: pool.live.size, busy: pool.busy, queued: pool.queued };
      instances += pool.live.size;
    }
    for (const pool of this.draining) {
      if (pool.live.size === 0) this.draining.delete(pool);
      instances += pool.live.size;
    }
    return { instances, maxInstances: this.slots.capacity, functions };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    for (const [name, entry] of [...this.entries]) {
      this.entries.delete(name);
      entry.stopWatching?.();
      entry.pool.close(true);
    }
    for (const pool of this.draining) pool.close(true);
    this.draining.clear();
    await this.slots.drained(2000);
  }
}

function createInstance(env: InstanceEnvironment): FunctionInstance {
  return env.definition.runtime.startsWith('nodejs') ? new NodeInstance(env) : new ProcessInstance(env);
}
