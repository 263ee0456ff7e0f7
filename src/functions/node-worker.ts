/**
 * The code that runs inside a Node.js function's worker thread: loads the handler once
 * (CommonJS or ESM), then answers invocations one at a time with Lambda's context object,
 * for async and callback-style handlers. Console output is formatted as the Node.js Lambda
 * runtime formats it (time, request id, level) and sent over the same port as results, so
 * every line reaches the parent before the invocation it belongs to ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { SEP, decodeInvoke, type ErrorPayload, type InvokeMessage, type WorkerMessage } from './worker-protocol.js';

interface WorkerConfig {
  functionName: string;
  handler: string;
  codeDirectory: string;
  memorySize: number;
  invokedFunctionArn: string;
  logStreamName: string;
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

const config = workerData as WorkerConfig;
const port = parentPort!;
let currentRequestId: string | undefined;

function send(message: WorkerMessage | string): void {
  port.postMessage(message);
}

// Lambda's Node.js runtime prefixes console lines with time, request id and level; output
// written straight to stdout/stderr passes through unchanged.
const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' } as const;
for (const [method, level] of Object.entries(levels)) {
  (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
    let text = format(...args);
    if (method === 'trace') text = `Trace: ${text}\n${new Error().stack?.split('\n').slice(2).join('\n') ?? ''}`;
    send({ type: 'output', text: `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${text.replace(/\n/g, '\r')}\n` });
  };
}
for (const stream of [process.stdout, process.stderr]) {
  stream.write = ((chunk: unknown, encoding?: unknown, callback?: unknown) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    send({ type: 'output', text });
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(done as () => void);
    return true;
  }) as typeof stream.write;
}

function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
  }
  // Lambda reports a thrown non-Error by its JavaScript type.
  return { errorType: typeof err === 'string' ? 'string' : typeof err, errorMessage: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err), trace: [] };
}

function namedError(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}

async function loadHandler(): Promise<Handler> {
  const dot = config.handler.lastIndexOf('.');
  if (dot <= 0 || dot === config.handler.length - 1) {
    throw namedError('Runtime.MalformedHandlerName', `Bad handler ${config.handler}: expected file.export`);
  }
  const file = config.handler.slice(0, dot);
  const exportName = config.handler.slice(dot + 1);
  const candidate = ['.js', '.mjs', '.cjs'].map((ext) => join(config.codeDirectory, file + ext)).find((p) => existsSync(p));
  if (!candidate) {
    throw namedError('Runtime.ImportModuleError', `Error: Cannot find module '${file}'\nRequire stack:\n- ${config.codeDirectory}`);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(candidate).href)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof SyntaxError) throw namedError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`);
    throw err;
  }
  const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== 'function') {
    throw namedError('Runtime.HandlerNotFound', `${file}.${exportName} is undefined or not exported`);
  }
  return fn as Handler;
}

// Reading heap statistics costs more than a trivial handler; sampling every 50 ms still
// catches growth, and the last sample is what REPORT's Max Memory Used reports.
let lastMemorySample = 0;
let lastMemoryMb = 0;
function memoryMb(): number {
  const now = Date.now();
  if (now - lastMemorySample >= 50) {
    lastMemorySample = now;
    const heap = getHeapStatistics();
    lastMemoryMb = Math.ceil((heap.total_heap_size + heap.external_memory) / (1024 * 1024));
  }
  return lastMemoryMb;
}

function runHandler(handler: Handler, msg: InvokeMessage, event: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown, result?: unknown): void => {
      if (settled) return;
      settled = true;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    const context = {
      awsRequestId: msg.requestId,
      functionName: config.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: config.invokedFunctionArn,
      memoryLimitInMB: String(config.memorySize),
      logGroupName: `/aws/lambda/${config.functionName}`,
      logStreamName: config.logStreamName,
      clientContext: msg.clientContext ? safeParse(Buffer.from(msg.clientContext, 'base64').toString('utf8')) : undefined,
      identity: undefined,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, msg.deadlineMs - Date.now()),
      done: (err: unknown, result?: unknown) => settle(err, result),
      succeed: (result?: unknown) => settle(null, result),
      fail: (err: unknown) => settle(err ?? new Error('handled')),
    };
    try {
      const returned = handler(event, context, (err, result) => settle(err, result));
      if (returned && typeof (returned as Promise<unknown>).then === 'function') {
        (returned as Promise<unknown>).then((r) => settle(null, r), (e) => settle(e ?? new Error('Rejected')));
      } else if (handler.length < 3) {
        settle(null, returned);
      }
    } catch (err) {
      settle(err);
    }
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

let handler: Handler | undefined;
let initError: ErrorPayload | undefined;
try {
  handler = await loadHandler();
} catch (err) {
  initError = toErrorPayload(err);
}
send({ type: 'ready', error: initError });

port.on('message', async (text: string) => {
  const msg = decodeInvoke(text);
  currentRequestId = msg.requestId;
  if (msg.traceId) process.env._X_AMZN_TRACE_ID = msg.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  try {
    const result = await runHandler(handler!, msg, JSON.parse(msg.eventJson));
    // Lambda serialises the result as JSON; undefined becomes null.
    const json = JSON.stringify(result === undefined ? null : result);
    send(`${msg.id}${SEP}${memoryMb()}${SEP}${json}`);
  } catch (err) {
    send({ type: 'error', id: msg.id, error: toErrorPayload(err), memoryMb: memoryMb() });
  }
});
