/**
 * The code that runs inside a function's worker thread: loads the handler once (CommonJS or
 * ESM), then answers invocations one at a time with Lambda's context object, supporting async
 * and callback-style handlers. A thrown error becomes Lambda's error shape.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

interface WorkerConfig {
  functionName: string;
  handler: string;
  codeDirectory: string;
  memorySize: number;
  timeout: number;
  region: string;
  accountId: string;
}

interface InvokeMessage {
  type: 'invoke';
  id: number;
  event: unknown;
  requestId: string;
  deadline: number;
  traceId?: string;
}

type Handler = (event: unknown, context: unknown, callback?: (err: unknown, result?: unknown) => void) => unknown;

const config = workerData as WorkerConfig;
const port = parentPort!;

function toErrorPayload(err: unknown): { errorType: string; errorMessage: string; trace: string[] } {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
  }
  return { errorType: typeof err === 'string' ? 'string' : 'Error', errorMessage: String(err), trace: [] };
}

async function loadHandler(): Promise<Handler> {
  const dot = config.handler.lastIndexOf('.');
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${config.handler}: expected file.export`), { name: 'Runtime.MalformedHandlerName' });
  const file = config.handler.slice(0, dot);
  const exportName = config.handler.slice(dot + 1);
  const candidate = ['.mjs', '.js', '.cjs'].map((ext) => join(config.codeDirectory, file + ext)).find((p) => existsSync(p));
  if (!candidate) {
    throw Object.assign(new Error(`Cannot find module '${file}' in ${config.codeDirectory}`), { name: 'Runtime.ImportModuleError' });
  }
  const mod = (await import(pathToFileURL(candidate).href)) as Record<string, unknown>;
  const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${config.handler} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  }
  return fn as Handler;
}

const handlerPromise = loadHandler();
// An init error is reported on every invocation, as Lambda reports Runtime.ImportModuleError.
handlerPromise.catch(() => undefined);

function runHandler(handler: Handler, msg: InvokeMessage): Promise<unknown> {
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
      invokedFunctionArn: `arn:aws:lambda:${config.region}:${config.accountId}:function:${config.functionName}`,
      memoryLimitInMB: String(config.memorySize),
      logGroupName: `/aws/lambda/${config.functionName}`,
      logStreamName: `local/[$LATEST]${msg.requestId.replace(/-/g, '')}`,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, msg.deadline - Date.now()),
      done: (err: unknown, result?: unknown) => settle(err, result),
      succeed: (result?: unknown) => settle(null, result),
      fail: (err: unknown) => settle(err ?? new Error('handled')),
    };
    try {
      if (msg.traceId) process.env._X_AMZN_TRACE_ID = msg.traceId;
      const returned = handler(msg.event, context, (err, result) => settle(err, result));
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

port.on('message', async (msg: InvokeMessage) => {
  let handler: Handler;
  try {
    handler = await handlerPromise;
  } catch (err) {
    port.postMessage({ id: msg.id, error: toErrorPayload(err) });
    return;
  }
  try {
    const result = await runHandler(handler, msg);
    // Lambda serialises the result as JSON; undefined becomes null.
    const json = JSON.stringify(result === undefined ? null : result);
    port.postMessage({ id: msg.id, json });
  } catch (err) {
    port.postMessage({ id: msg.id, error: toErrorPayload(err) });
  }
});
