/**
 * A function's instances: warm ones are reused, new ones are started on demand up to the
 * function's concurrency (reservedConcurrency, or the global cap), and invocations beyond it
 * wait in a bounded queue for a bounded time before failing as Lambda throttling fails.
 *
 * The pool owns what Lambda's control plane owns: the timeout (the instance is torn down and
 * the call fails with Sandbox.Timedout), replacement of crashed or out-of-memory instances,
 * START/END/REPORT framing of each invocation's log, and retiring instances when the code or
 * the definition changes — in-flight invocations finish on the old instance, which then goes.
 */
import type { FunctionDefinition } from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';
import { InvocationLog, type FunctionLogSink } from './function-log.js';
import { runtimeError, type FunctionInstance, type InstanceEnvironment, type InstanceOutcome } from './instance.js';
import { InvokeError, type InvokeOptions, type InvokeResult } from './invoker.js';

/** Lambda's init phase gets 10 seconds of its own, apart from the function's timeout. */
const INIT_TIMEOUT_MS = 10_000;

/** The global bound on live instances, shared by every pool. */
export class InstanceSlots {
  used = 0;
  private readonly waiting = new Set<FunctionPool>();
  private emptied?: () => void;

  constructor(
    readonly capacity: number,
    /** Stops the least recently used idle instance of another pool, if there is one. */
    private readonly evictIdle: (requester: FunctionPool) => void,
  ) {}

  acquire(pool: FunctionPool): boolean {
    if (this.used < this.capacity) {
      this.used++;
      this.waiting.delete(pool);
      return true;
    }
    // Full: free an idle instance elsewhere; its exit calls release(), which pumps this pool.
    this.waiting.add(pool);
    this.evictIdle(pool);
    return false;
  }

  release(): void {
    this.used--;
    if (this.used === 0) this.emptied?.();
    for (const pool of this.waiting) {
      if (this.used >= this.capacity) break;
      this.waiting.delete(pool);
      pool.pump();
    }
  }

  /** Resolves once every instance has exited, or after `ms`. */
  drained(ms: number): Promise<void> {
    if (this.used === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      this.emptied = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** True when a pool other than `pool` is waiting for an instance slot. */
  othersWaiting(pool: FunctionPool): boolean {
    for (const waiting of this.waiting) if (waiting !== pool) return true;
    return false;
  }

  forget(pool: FunctionPool): void {
    this.waiting.delete(pool);
  }
}

export interface PoolContext {
  account: AccountSettings;
  baseEnvironment(): Record<string, string>;
  slots: InstanceSlots;
  logSink?: FunctionLogSink;
  maxQueued: number;
  maxQueueWaitMs: number;
  createInstance(env: InstanceEnvironment): FunctionInstance;
}

interface Waiter {
  eventJson: string;
  options: InvokeOptions;
  resolve(result: InvokeResult): void;
  reject(err: Error): void;
  timer?: NodeJS.Timeout;
  /** Times it went back to the queue because its instance loaded code mid-edit. */
  retries: number;
}

/** One live instance and the pool's bookkeeping for it. */
export interface Slot {
  instance: FunctionInstance;
  /** The pool generation it was started for; an older one is retired after its invocation. */
  generation: number;
  busy: boolean;
  lastUsed: number;
  spawnedAt: number;
  invocations: number;
  /** The log of the invocation running now, which the instance's output belongs to. */
  log?: InvocationLog;
}

const throttled = (): InvokeError => new InvokeError('TooManyRequestsException', 'Rate Exceeded.');

export class FunctionPool {
  private generation = 0;
  private readonly idle: Slot[] = [];
  readonly live = new Set<Slot>();
  private readonly queue: Waiter[] = [];
  private closed = false;
  /** A change in the code directory was seen and has not settled yet. */
  private codeChanging = false;
  private lastCodeChangeAt = 0;
  private watched = false;

  constructor(public definition: FunctionDefinition, private readonly ctx: PoolContext) {}

  get functionName(): string {
    return this.definition.functionName;
  }

  /** Instances this function may run at once. */
  get limit(): number {
    return Math.min(this.definition.reservedConcurrency ?? this.ctx.slots.capacity, this.ctx.slots.capacity);
  }

  get queued(): number {
    return this.queue.length;
  }

  get busy(): number {
    let n = 0;
    for (const slot of this.live) if (slot.busy) n++;
    return n;
  }

  invoke(eventJson: string, options: InvokeOptions): Promise<InvokeResult> {
    if (this.closed) return Promise.reject(new InvokeError('ServiceException', 'The function is shutting down'));
    // Reserved concurrency 0 is Lambda's switch for "throttle every invocation".
    if (this.definition.reservedConcurrency === 0) return Promise.reject(throttled());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { eventJson, options, resolve, reject, retries: 0 };
      const slot = this.takeIdle();
      if (slot) {
        void this.run(slot, waiter);
        return;
      }
      if (this.queue.length >= this.ctx.maxQueued) {
        reject(throttled());
        return;
      }
      this.queue.push(waiter);
      waiter.timer = setTimeout(() => {
        const at = this.queue.indexOf(waiter);
        if (at === -1) return;
        this.queue.splice(at, 1);
        reject(throttled());
      }, this.ctx.maxQueueWaitMs);
      this.pump();
    });
  }

  /** Starts queued invocations on idle or new instances, as far as the limits allow. */
  pump(): void {
    while (this.queue.length > 0) {
      let slot = this.takeIdle();
      if (!slot) {
        // While the code is being written, a new instance could load half a file: wait for it to settle.
        if (this.closed || this.codeChanging || this.live.size >= this.limit || !this.ctx.slots.acquire(this)) return;
        slot = this.spawn();
      }
      const waiter = this.queue.shift()!;
      clearTimeout(waiter.timer);
      void this.run(slot, waiter);
    }
  }

  private takeIdle(): Slot | undefined {
    let slot = this.idle.pop();
    while (slot?.instance.stopped) slot = this.idle.pop();
    return slot;
  }

  /** Stops an idle instance, taking it out of the idle list first so nobody picks it meanwhile. */
  stopIdle(slot: Slot): void {
    const at = this.idle.indexOf(slot);
    if (at !== -1) this.idle.splice(at, 1);
    slot.instance.stop();
  }

  private spawn(): Slot {
    const now = Date.now();
    const slot = { generation: this.generation, busy: false, lastUsed: now, spawnedAt: now, invocations: 0 } as Slot;
    const name = this.definition.functionName;
    const sink = this.ctx.logSink;
    slot.instance = this.ctx.createInstance({
      definition: this.definition,
      account: this.ctx.account,
      baseEnvironment: this.ctx.baseEnvironment(),
      onOutput: (text) => {
        if (slot.log) slot.log.write(text);
        else sink?.(name, text);
      },
      onExit: () => this.instanceExited(slot),
    });
    this.live.add(slot);
    return slot;
  }

  private instanceExited(slot: Slot): void {
    if (!this.live.delete(slot)) return;
    const at = this.idle.indexOf(slot);
    if (at !== -1) this.idle.splice(at, 1);
    this.ctx.slots.release();
    // A replacement serves whoever is waiting.
    this.pump();
  }

  private async run(slot: Slot, waiter: Waiter): Promise<void> {
    slot.busy = true;
    const { options } = waiter;
    const fn = this.definition;
    const { instance } = slot;
    const cold = slot.invocations === 0;
    let initDurationMs: number | undefined;
    if (cold) {
      const started = await withTimeout(instance.start().then(() => true), INIT_TIMEOUT_MS);
      if (!started) instance.stop();
      initDurationMs = instance.initDurationMs;
    }
    const wantLog = InvocationLog.wanted(this.ctx.logSink, options.tailLog === true);
    const log = wantLog ? new InvocationLog(fn.functionName, options.requestId, this.ctx.logSink, options.tailLog === true) : undefined;
    slot.log = log;
    log?.start();

    const timeoutMs = fn.timeout * 1000;
    const started = performance.now();
    const outcome = await withTimeout(
      instance.invoke({
        requestId: options.requestId,
        eventJson: waiter.eventJson,
        deadlineMs: Date.now() + timeoutMs,
        traceId: options.traceId,
        clientContext: options.clientContext,
      }),
      timeoutMs,
    );
    const durationMs = performance.now() - started;
    slot.invocations++;
    slot.lastUsed = Date.now();

    let result: InvokeResult;
    let status: 'timeout' | 'error' | undefined;
    let errorType: string | undefined;
    if (outcome === undefined) {
      log?.timedOut(fn.timeout);
      instance.stop();
      status = 'timeout';
      result = {
        functionError: 'Unhandled',
        payload: runtimeError(options.requestId, 'Sandbox.Timedout', `Task timed out after ${fn.timeout.toFixed(2)} seconds`),
      };
    } else if (cold && loadFailed(outcome) && waiter.retries < 3 && (await this.editedSince(slot.spawnedAt))) {
      // The instance read the code while it was being written (an editor truncates a file
      // before writing it, so a module can even load empty and lack its handler); a fresh one
      // will read it whole.
      instance.stop();
      slot.log = undefined;
      slot.busy = false;
      waiter.retries++;
      this.queue.unshift(waiter);
      this.pump();
      return;
    } else {
      result = toResult(outcome);
      if (outcome.kind === 'fatal') {
        instance.stop();
        status = 'error';
        errorType = outcome.error.errorType;
      }
    }
    log?.end({
      durationMs,
      memorySizeMb: fn.memorySize,
      maxMemoryUsedMb: instance.maxMemoryUsedMb(),
      initDurationMs,
      status,
      errorType,
    });
    slot.log = undefined;
    slot.busy = false;
    if (log && options.tailLog) result.logTail = log.tailText();

    if (!instance.stopped) {
      if (slot.generation !== this.generation || this.closed) {
        instance.stop();
      } else {
        const next = this.queue.shift();
        if (next) {
          clearTimeout(next.timer);
          void this.run(slot, next);
        } else if (this.ctx.slots.othersWaiting(this)) {
          // At the global cap, an instance going idle hands its slot to a function that waits.
          instance.stop();
        } else {
          this.idle.push(slot);
        }
      }
    }
    waiter.resolve(result);
  }

  /**
   * Retires every instance: idle ones stop now, busy ones when their invocation ends. New
   * invocations start instances of `definition` (the code or configuration changed).
   */
  retire(definition: FunctionDefinition = this.definition): void {
    this.definition = definition;
    this.generation++;
    this.codeChanging = false;
    for (const slot of this.idle.splice(0)) slot.instance.stop();
    this.pump();
  }

  /** The code directory is being written to; `retire()` follows once it settles. */
  codeChanged(): void {
    this.watched = true;
    this.codeChanging = true;
    this.lastCodeChangeAt = Date.now();
  }

  /**
   * Whether the code changed around the time an instance loaded it. File events arrive a little
   * after the write that caused them, so this waits a moment before answering; it only runs
   * when an instance failed to start, which is rare.
   */
  private async editedSince(time: number): Promise<boolean> {
    if (!this.watched) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
    return this.codeChanging || this.lastCodeChangeAt >= time - 100;
  }

  /** Stops instances idle since before `cutoff` (epoch ms). */
  reapIdle(cutoff: number): void {
    for (const slot of [...this.idle]) if (slot.lastUsed < cutoff) this.stopIdle(slot);
  }

  /** The least recently used idle instance, for eviction when the global cap is reached. */
  oldestIdle(): Slot | undefined {
    let oldest: Slot | undefined;
    for (const slot of this.idle) if (!oldest || slot.lastUsed < oldest.lastUsed) oldest = slot;
    return oldest;
  }

  /**
   * Stops taking invocations. Queued ones fail; running ones finish (or, with `force`, are cut
   * off as the process shuts down).
   */
  close(force = false): void {
    this.closed = true;
    this.ctx.slots.forget(this);
    for (const waiter of this.queue.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.reject(new InvokeError('ResourceNotFoundException', `Function not found: ${this.definition.functionName}`));
    }
    for (const slot of [...this.live]) if (force || !slot.busy) slot.instance.stop();
  }
}

function toResult(outcome: InstanceOutcome): InvokeResult {
  if (outcome.kind !== 'response') return { functionError: 'Unhandled', payload: outcome.error };
  let payload: unknown;
  try {
    payload = JSON.parse(outcome.payloadJson);
  } catch {
    // A custom runtime may answer bytes that are not JSON; Lambda passes them through as they are.
    payload = undefined;
  }
  return { payload, payloadJson: outcome.payloadJson };
}

/** Resolves with the promise's value, or undefined once `ms` pass first. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/** Errors a first invocation reports when the handler's code could not be loaded as it stands. */
const LOAD_ERRORS = new Set(['Runtime.HandlerNotFound', 'Runtime.ImportModuleError', 'Runtime.UserCodeSyntaxError']);

/** Whether a cold instance failed because of the code it loaded rather than the invocation. */
function loadFailed(outcome: InstanceOutcome): boolean {
  return outcome.kind === 'fatal' || (outcome.kind === 'error' && LOAD_ERRORS.has(outcome.error.errorType ?? ''));
}
