/**
 * A FunctionInvoker that runs Node.js handlers in warm worker threads.
 *
 * Each function gets a small pool of instances (one invocation at a time each, like Lambda),
 * grown on demand up to its concurrency limit; excess calls wait in a bounded queue and are
 * throttled beyond it. A timed-out or crashed instance is torn down and replaced, so a broken
 * function never takes the gateway with it. The full runtime (other languages, logs, reload)
 * replaces this behind the same interface.
 */
import { Worker } from 'node:worker_threads';
import type { FunctionDefinition } from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';
import {
  InvokeError,
  type FunctionInvoker,
  type InvokeOptions,
  type InvokeResult,
  type LambdaErrorPayload,
} from './invoker.js';

export interface WorkerInvokerOptions {
  /** Instances per function when it sets no reservedConcurrency. */
  defaultConcurrency?: number;
  /** Invocations allowed to wait for an instance, per function. */
  maxQueued?: number;
  /** Idle instances older than this are stopped. */
  idleTimeoutMs?: number;
}

const WORKER_URL = new URL('./node-worker.js', import.meta.url);

interface Pending {
  resolve(result: InvokeResult): void;
  requestId: string;
  timer: NodeJS.Timeout;
}

class Instance {
  readonly worker: Worker;
  pending?: Pending;
  lastUsed = Date.now();
  dead = false;
  private nextId = 0;

  constructor(readonly definition: FunctionDefinition, account: AccountSettings, private readonly onDead: (i: Instance) => void) {
    const fn = definition;
    this.worker = new Worker(WORKER_URL, {
      workerData: {
        functionName: fn.functionName,
        handler: fn.handler,
        codeDirectory: fn.codeDirectory,
        memorySize: fn.memorySize,
        timeout: fn.timeout,
        region: account.region,
        accountId: account.accountId,
      },
      env: {
        ...process.env,
        ...fn.environment,
        AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
        AWS_REGION: account.region,
        AWS_DEFAULT_REGION: account.region,
        AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
        LAMBDA_TASK_ROOT: fn.codeDirectory,
        _HANDLER: fn.handler,
      },
      // Lambda's memorySize bounds the heap; an instance that blows it dies and is replaced.
      resourceLimits: { maxOldGenerationSizeMb: Math.max(32, fn.memorySize) },
    });
    this.worker.on('message', (msg: { id: number; json?: string; error?: LambdaErrorPayload }) => this.onMessage(msg));
    this.worker.on('error', (err: Error & { code?: string }) => {
      const outOfMemory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(
        outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
        outOfMemory ? 'Runtime exited with error: out of memory' : `Runtime exited with error: ${err.message}`,
      );
    });
    this.worker.on('exit', (code) => this.fail('Runtime.ExitError', `Runtime exited with error: exit status ${code}`));
  }

  invoke(event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const timeoutMs = this.definition.timeout * 1000;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.fail('Sandbox.Timedout', `Task timed out after ${this.definition.timeout.toFixed(2)} seconds`);
      }, timeoutMs);
      this.pending = { resolve, requestId: options.requestId, timer };
      this.lastUsed = Date.now();
      this.worker.postMessage({
        type: 'invoke',
        id: ++this.nextId,
        event,
        requestId: options.requestId,
        deadline: Date.now() + timeoutMs,
        traceId: options.traceId,
      });
    });
  }

  private onMessage(msg: { id: number; json?: string; error?: LambdaErrorPayload }): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    this.lastUsed = Date.now();
    if (msg.error) pending.resolve({ functionError: 'Unhandled', payload: msg.error });
    else pending.resolve({ payload: JSON.parse(msg.json ?? 'null') });
  }

  /** Ends the instance; an invocation in flight fails with Lambda's error for the cause. */
  fail(errorType: string, detail: string): void {
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      clearTimeout(pending.timer);
      pending.resolve({
        functionError: 'Unhandled',
        payload: { errorType, errorMessage: `RequestId: ${pending.requestId} Error: ${detail}` },
      });
    }
    this.stop();
  }

  stop(): void {
    if (this.dead) return;
    this.dead = true;
    void this.worker.terminate();
    this.onDead(this);
  }
}

interface Waiter {
  event: unknown;
  options: InvokeOptions;
  resolve(result: InvokeResult): void;
}

class FunctionPool {
  readonly idle: Instance[] = [];
  readonly all = new Set<Instance>();
  readonly queue: Waiter[] = [];
  private closed = false;

  constructor(
    readonly definition: FunctionDefinition,
    private readonly account: AccountSettings,
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  invoke(event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const instance = this.idle.pop() ?? (this.all.size < this.concurrency ? this.spawn() : undefined);
    if (instance) return this.run(instance, event, options);
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new InvokeError('TooManyRequestsException', 'Rate Exceeded.'));
    }
    return new Promise((resolve) => this.queue.push({ event, options, resolve }));
  }

  private spawn(): Instance {
    const instance = new Instance(this.definition, this.account, (dead) => {
      this.all.delete(dead);
      const at = this.idle.indexOf(dead);
      if (at !== -1) this.idle.splice(at, 1);
      if (this.closed) return;
      // A replacement serves whoever is waiting.
      const waiter = this.queue.shift();
      if (waiter && this.all.size < this.concurrency) {
        void this.run(this.spawn(), waiter.event, waiter.options).then(waiter.resolve);
      } else if (waiter) {
        this.queue.unshift(waiter);
      }
    });
    this.all.add(instance);
    return instance;
  }

  private async run(instance: Instance, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    const result = await instance.invoke(event, options);
    if (!instance.dead) {
      const waiter = this.queue.shift();
      if (waiter) void this.run(instance, waiter.event, waiter.options).then(waiter.resolve);
      else this.idle.push(instance);
    }
    return result;
  }

  reapIdle(olderThan: number): void {
    for (const instance of [...this.idle]) if (instance.lastUsed < olderThan) instance.stop();
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.queue.splice(0)) {
      waiter.resolve({ functionError: 'Unhandled', payload: { errorType: 'ServiceException', errorMessage: 'Function shut down' } });
    }
    for (const instance of [...this.all]) instance.stop();
  }
}

export class WorkerInvoker implements FunctionInvoker {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly reaper: NodeJS.Timeout;
  private readonly defaultConcurrency: number;
  private readonly maxQueued: number;

  constructor(
    private readonly resolveFunction: (functionName: string) => Promise<FunctionDefinition | undefined>,
    private readonly account: AccountSettings,
    options: WorkerInvokerOptions = {},
  ) {
    this.defaultConcurrency = options.defaultConcurrency ?? 4;
    this.maxQueued = options.maxQueued ?? 256;
    const idleTimeoutMs = options.idleTimeoutMs ?? 5 * 60_000;
    this.reaper = setInterval(() => {
      const cutoff = Date.now() - idleTimeoutMs;
      for (const pool of this.pools.values()) pool.reapIdle(cutoff);
    }, Math.min(idleTimeoutMs, 60_000));
    this.reaper.unref();
  }

  async invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    let pool = this.pools.get(functionName);
    if (!pool) {
      const definition = await this.resolveFunction(functionName);
      if (!definition) {
        throw new InvokeError('ResourceNotFoundException', `Function not found: ${functionName}`);
      }
      if (!definition.runtime.startsWith('nodejs')) {
        throw new InvokeError('ServiceException', `Runtime ${definition.runtime} is not available in this invoker`);
      }
      pool = this.pools.get(functionName);
      if (!pool) {
        pool = new FunctionPool(definition, this.account, definition.reservedConcurrency ?? this.defaultConcurrency, this.maxQueued);
        this.pools.set(functionName, pool);
      }
    }
    return pool.invoke(event, options);
  }

  /** Drops the warm instances of a function whose definition changed. */
  invalidate(functionName: string): void {
    const pool = this.pools.get(functionName);
    if (!pool) return;
    this.pools.delete(functionName);
    pool.close();
  }

  async close(): Promise<void> {
    clearInterval(this.reaper);
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
  }
}
