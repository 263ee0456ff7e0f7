/**
 * A Node.js function instance: one worker thread with the handler loaded, serving one
 * invocation at a time. memorySize bounds the worker's heap, so a handler that blows it is
 * killed by V8 and reported as Lambda reports an out-of-memory sandbox.
 */
import { Worker } from 'node:worker_threads';
import { functionArn } from '../model/function.js';
import {
  hostEnvironment,
  lambdaEnvironment,
  runtimeError,
  type FunctionInstance,
  type InstanceEnvironment,
  type InstanceInvocation,
  type InstanceOutcome,
} from './instance.js';
import { decodeResponse, encodeInvoke, type WorkerMessage } from './worker-protocol.js';
import type { LambdaErrorPayload } from './invoker.js';

const WORKER_URL = new URL('./node-worker.js', import.meta.url);

/** The host variables a Node function sees besides Lambda's own: enough to run tools, nothing private. */
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'NODE_EXTRA_CA_CERTS'];

interface Current {
  id: number;
  requestId: string;
  resolve(outcome: InstanceOutcome): void;
}

export class NodeInstance implements FunctionInstance {
  private worker?: Worker;
  private current?: Current;
  private nextId = 0;
  private initError?: LambdaErrorPayload;
  private exitError?: { errorType: string; detail: string };
  private maxMemory = 0;
  private ready?: Promise<void>;
  initDurationMs = 0;
  stopped = false;
  private exited = false;

  constructor(private readonly env: InstanceEnvironment) {}

  start(): Promise<void> {
    this.ready ??= new Promise<void>((resolve) => {
      const { definition: fn, account } = this.env;
      const started = performance.now();
      const lambdaEnv = lambdaEnvironment(fn, account);
      const worker = new Worker(WORKER_URL, {
        workerData: {
          functionName: fn.functionName,
          handler: fn.handler,
          codeDirectory: fn.codeDirectory,
          memorySize: fn.memorySize,
          invokedFunctionArn: functionArn(account.region, account.accountId, fn.functionName),
          logStreamName: lambdaEnv.AWS_LAMBDA_LOG_STREAM_NAME,
        },
        env: { ...hostEnvironment(INHERITED_VARIABLES), ...lambdaEnv, ...this.env.baseEnvironment, ...fn.environment },
        // Lambda's memorySize bounds the heap; an instance that blows it dies and is replaced.
        resourceLimits: { maxOldGenerationSizeMb: fn.memorySize, maxYoungGenerationSizeMb: Math.min(32, fn.memorySize / 4) },
        stdout: false,
        stderr: false,
      });
      this.worker = worker;
      let settled = false;
      const ready = (): void => {
        if (settled) return;
        settled = true;
        this.initDurationMs = performance.now() - started;
        resolve();
      };
      worker.on('message', (msg: WorkerMessage | string) => {
        if (typeof msg === 'string') {
          const response = decodeResponse(msg);
          this.finish(response.id, response.memoryMb, { kind: 'response', payloadJson: response.json });
          return;
        }
        switch (msg.type) {
          case 'output':
            this.env.onOutput(msg.text);
            return;
          case 'ready':
            this.initError = msg.error;
            ready();
            return;
          case 'error':
            this.finish(msg.id, msg.memoryMb, { kind: 'error', error: msg.error });
        }
      });
      worker.on('error', (err: Error & { code?: string }) => {
        this.exitError =
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? { errorType: 'Runtime.OutOfMemory', detail: 'Runtime exited with error: signal: killed' }
            : { errorType: 'Runtime.ExitError', detail: `Runtime exited with error: ${err.name}: ${err.message}` };
      });
      worker.on('exit', (code) => {
        this.exitError ??= { errorType: 'Runtime.ExitError', detail: `Runtime exited with error: exit status ${code}` };
        ready();
        this.ended();
      });
    });
    return this.ready;
  }

  invoke(invocation: InstanceInvocation): Promise<InstanceOutcome> {
    if (this.initError) {
      return Promise.resolve({ kind: 'fatal', error: this.initError });
    }
    if (this.stopped || !this.worker) {
      const cause = this.exitError ?? { errorType: 'Runtime.ExitError', detail: 'Runtime exited with error: exit status 1' };
      return Promise.resolve({ kind: 'fatal', error: runtimeError(invocation.requestId, cause.errorType, cause.detail) });
    }
    return new Promise((resolve) => {
      const id = ++this.nextId;
      this.current = { id, requestId: invocation.requestId, resolve };
      this.worker!.postMessage(
        encodeInvoke({
          id,
          eventJson: invocation.eventJson,
          requestId: invocation.requestId,
          deadlineMs: invocation.deadlineMs,
          traceId: invocation.traceId,
          clientContext: invocation.clientContext,
        }),
      );
    });
  }

  private finish(id: number, memoryMb: number, outcome: InstanceOutcome): void {
    const current = this.current;
    if (!current || current.id !== id) return;
    this.current = undefined;
    if (memoryMb > this.maxMemory) this.maxMemory = memoryMb;
    current.resolve(outcome);
  }

  maxMemoryUsedMb(): number {
    return this.maxMemory;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.worker) void this.worker.terminate();
    else this.ended();
  }

  /** The worker is gone: fail what was running, report the exit once. */
  private ended(): void {
    if (this.exited) return;
    this.exited = true;
    this.stopped = true;
    const current = this.current;
    this.current = undefined;
    if (current) {
      const cause = this.exitError ?? { errorType: 'Runtime.ExitError', detail: 'Runtime exited with error: exit status 1' };
      current.resolve({ kind: 'fatal', error: runtimeError(current.requestId, cause.errorType, cause.detail) });
    }
    this.env.onExit();
  }
}
