/**
 * The function operations of the Lambda API: CreateFunction, GetFunction,
 * GetFunctionConfiguration, ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration,
 * DeleteFunction and the function-concurrency trio. Code is written to disk first and the
 * store second, in one transaction that re-reads the function, so concurrent calls cannot
 * interleave a read and a write; whatever a failed call wrote to disk is removed again.
 */
import { randomUUID } from 'node:crypto';
import {
  FUNCTION_MEMORY_DEFAULT_MB,
  FUNCTION_TIMEOUT_DEFAULT_S,
  type FunctionDefinition,
} from '../model/function.js';
import type { AccountSettings } from '../model/settings.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { Store } from '../store/store.js';
import { CodeLinks, LOCAL_CODE_BUCKETS, localDirectory, removeArchive, unpackArchive, type PreparedCode } from './code.js';
import { functionNotFound, invalidParameter, LambdaApiError, ValidationErrors } from './errors.js';
import { FUNCTION_NAME_CONSTRAINT, parseFunctionReference } from './names.js';
import {
  optionalBoolean,
  optionalObject,
  optionalString,
  parseJsonBody,
  readArchitectures,
  readCodeSource,
  readFunctionSettings,
  readTags,
  type CodeSource,
} from './params.js';
import { functionConfiguration, getFunctionResponse, lambdaTimestamp, revisionOf } from './shapes.js';

export interface LambdaApiContext {
  store: Store;
  invoker: FunctionInvoker;
  account: AccountSettings;
  codeRoot: string;
  links: CodeLinks;
}

export interface ApiResponse {
  statusCode: number;
  /** Serialised as JSON; omitted for an empty body. */
  body?: unknown;
}

const LIST_DEFAULT_ITEMS = 50;
const LIST_MAX_ITEMS = 10_000;

export async function loadFunction(ctx: LambdaApiContext, functionName: string): Promise<FunctionDefinition> {
  const fn = await ctx.store.getFunction(functionName);
  if (!fn) throw functionNotFound(ctx.account, functionName);
  return fn;
}

function checkRevision(fn: FunctionDefinition, revisionId: string | undefined): void {
  if (revisionId !== undefined && revisionId !== revisionOf(fn)) {
    throw new LambdaApiError(
      'PreconditionFailedException',
      'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    );
  }
}

/** Re-reads, checks and rewrites a function in one transaction. */
async function changeFunction(
  ctx: LambdaApiContext,
  functionName: string,
  revisionId: string | undefined,
  change: (current: FunctionDefinition) => FunctionDefinition,
): Promise<{ before: FunctionDefinition; after: FunctionDefinition }> {
  return ctx.store.transaction(async (tx) => {
    const before = await tx.getFunction(functionName);
    if (!before) throw functionNotFound(ctx.account, functionName);
    checkRevision(before, revisionId);
    const after = change(before);
    await tx.putFunction(after);
    return { before, after };
  });
}

async function prepareCode(ctx: LambdaApiContext, functionName: string, source: CodeSource): Promise<PreparedCode> {
  if (source.kind === 'zip') return unpackArchive(ctx.codeRoot, functionName, source.zip);
  if (source.kind === 'directory') return localDirectory(source.path);
  throw invalidParameter('Please provide a source for function code.');
}

const codeFields = (code: PreparedCode): Pick<FunctionDefinition, 'codeDirectory' | 'codeOrigin' | 'codeSha256' | 'codeSize'> => ({
  codeDirectory: code.codeDirectory,
  codeOrigin: code.codeOrigin,
  codeSha256: code.codeSha256,
  codeSize: code.codeSize,
});

export async function createFunction(ctx: LambdaApiContext, body: Buffer): Promise<ApiResponse> {
  const request = parseJsonBody(body);
  const problems = new ValidationErrors();
  const reference = optionalString(request, 'FunctionName');
  const parsed = reference === undefined ? undefined : parseFunctionReference(reference);
  if (reference === undefined) problems.add(null, 'functionName', 'Member must not be null');
  else if (!parsed || parsed.qualifier !== undefined) problems.add(reference, 'functionName', FUNCTION_NAME_CONSTRAINT);
  else if (parsed.functionName.length > 64) problems.add(reference, 'functionName', 'Member must have length less than or equal to 64');
  if (request.Role === undefined || request.Role === null) problems.add(null, 'role', 'Member must not be null');
  const code = optionalObject(request, 'Code');
  if (code === undefined) problems.add(null, 'code', 'Member must not be null');
  problems.throwIfAny();

  const settings = readFunctionSettings(request);
  const architectures = readArchitectures(request);
  const tags = readTags(request);
  optionalBoolean(request, 'Publish');
  if (settings.runtime === undefined || settings.handler === undefined) {
    throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
  }
  const source = readCodeSource(code!, LOCAL_CODE_BUCKETS);
  const functionName = parsed!.functionName;
  const conflict = (): LambdaApiError => new LambdaApiError('ResourceConflictException', `Function already exist: ${functionName}`);
  // Checked before unpacking too, so a duplicate does not cost an unzip.
  if (await ctx.store.getFunction(functionName)) throw conflict();

  const prepared = await prepareCode(ctx, functionName, source);
  const fn: FunctionDefinition = {
    functionName,
    runtime: settings.runtime,
    handler: settings.handler,
    ...codeFields(prepared),
    timeout: settings.timeout ?? FUNCTION_TIMEOUT_DEFAULT_S,
    memorySize: settings.memorySize ?? FUNCTION_MEMORY_DEFAULT_MB,
    environment: settings.environment ?? {},
    description: settings.description ?? '',
    role: settings.role!,
    lastModified: lambdaTimestamp(),
    revisionId: randomUUID(),
    architectures: architectures ?? ['x86_64'],
    ...(tags && Object.keys(tags).length > 0 ? { tags } : {}),
  };
  try {
    await ctx.store.transaction(async (tx) => {
      if (await tx.getFunction(functionName)) throw conflict();
      await tx.putFunction(fn);
    });
  } catch (err) {
    await prepared.discard();
    throw err;
  }
  // A function of the same name may have existed before: its instances must not serve this one.
  ctx.invoker.invalidate(functionName);
  return { statusCode: 201, body: await functionConfiguration(fn, ctx.account) };
}

export async function getFunction(ctx: LambdaApiContext, functionName: string, baseUrl: string): Promise<ApiResponse> {
  const fn = await loadFunction(ctx, functionName);
  return { statusCode: 200, body: await getFunctionResponse(fn, ctx.account, ctx.links.location(baseUrl, fn)) };
}

export async function getFunctionConfiguration(ctx: LambdaApiContext, functionName: string): Promise<ApiResponse> {
  const fn = await loadFunction(ctx, functionName);
  return { statusCode: 200, body: await functionConfiguration(fn, ctx.account) };
}

export async function listFunctions(ctx: LambdaApiContext, query: URLSearchParams): Promise<ApiResponse> {
  const problems = new ValidationErrors();
  const maxItemsText = query.get('MaxItems');
  let maxItems = LIST_DEFAULT_ITEMS;
  if (maxItemsText !== null) {
    maxItems = /^\d{1,6}$/.test(maxItemsText) ? Number(maxItemsText) : NaN;
    if (!(maxItems >= 1)) problems.add(maxItemsText, 'maxItems', 'Member must have value greater than or equal to 1');
    else if (maxItems > LIST_MAX_ITEMS) problems.add(maxItemsText, 'maxItems', `Member must have value less than or equal to ${LIST_MAX_ITEMS}`);
  }
  const version = query.get('FunctionVersion');
  if (version !== null && version !== 'ALL') problems.add(version, 'functionVersion', 'Member must satisfy enum value set: [ALL]');
  problems.throwIfAny();

  // The marker is the last name of the previous page, so deletions between pages skip nothing.
  const marker = query.get('Marker');
  const after = marker ? Buffer.from(marker, 'base64url').toString('utf8') : undefined;
  const all = (await ctx.store.listFunctions()).sort((a, b) => (a.functionName < b.functionName ? -1 : a.functionName > b.functionName ? 1 : 0));
  const start = after === undefined ? 0 : all.findIndex((fn) => fn.functionName > after);
  const page = start === -1 ? [] : all.slice(start, start + maxItems);
  const more = start !== -1 && start + maxItems < all.length;
  const body: { Functions: unknown[]; NextMarker?: string } = {
    Functions: await Promise.all(page.map((fn) => functionConfiguration(fn, ctx.account))),
  };
  if (more) body.NextMarker = Buffer.from(page[page.length - 1]!.functionName).toString('base64url');
  return { statusCode: 200, body };
}

export async function updateFunctionCode(ctx: LambdaApiContext, functionName: string, body: Buffer): Promise<ApiResponse> {
  const request = parseJsonBody(body);
  const source = readCodeSource(request, LOCAL_CODE_BUCKETS);
  const architectures = readArchitectures(request);
  const revisionId = optionalString(request, 'RevisionId');
  const dryRun = optionalBoolean(request, 'DryRun') === true;
  optionalBoolean(request, 'Publish');
  if (source.kind === 'none') throw invalidParameter('Please provide a source for function code.');
  // Fail fast on a missing function or a stale revision before unpacking anything.
  checkRevision(await loadFunction(ctx, functionName), revisionId);

  const prepared = await prepareCode(ctx, functionName, source);
  if (dryRun) {
    await prepared.discard();
    return getFunctionConfiguration(ctx, functionName);
  }
  let result: { before: FunctionDefinition; after: FunctionDefinition };
  try {
    result = await changeFunction(ctx, functionName, revisionId, (current) => ({
      ...current,
      ...codeFields(prepared),
      ...(architectures ? { architectures } : {}),
      lastModified: lambdaTimestamp(),
      revisionId: randomUUID(),
    }));
  } catch (err) {
    await prepared.discard();
    throw err;
  }
  ctx.invoker.invalidate(functionName);
  if (result.before.codeDirectory !== result.after.codeDirectory) await removeArchive(ctx.codeRoot, result.before);
  return { statusCode: 200, body: await functionConfiguration(result.after, ctx.account) };
}

export async function updateFunctionConfiguration(ctx: LambdaApiContext, functionName: string, body: Buffer): Promise<ApiResponse> {
  const request = parseJsonBody(body);
  const settings = readFunctionSettings(request);
  const revisionId = optionalString(request, 'RevisionId');
  const { after } = await changeFunction(ctx, functionName, revisionId, (current) => {
    const next: FunctionDefinition = { ...current, lastModified: lambdaTimestamp(), revisionId: randomUUID() };
    if (settings.runtime !== undefined) next.runtime = settings.runtime;
    if (settings.role !== undefined) next.role = settings.role;
    if (settings.handler !== undefined) next.handler = settings.handler;
    if (settings.description !== undefined) next.description = settings.description;
    if (settings.timeout !== undefined) next.timeout = settings.timeout;
    if (settings.memorySize !== undefined) next.memorySize = settings.memorySize;
    // Environment replaces the whole set of variables, as in Lambda.
    if (settings.environment !== undefined) next.environment = settings.environment;
    return next;
  });
  ctx.invoker.invalidate(functionName);
  return { statusCode: 200, body: await functionConfiguration(after, ctx.account) };
}

export async function deleteFunction(ctx: LambdaApiContext, functionName: string): Promise<ApiResponse> {
  const deleted = await ctx.store.transaction(async (tx) => {
    const fn = await tx.getFunction(functionName);
    if (!fn) throw functionNotFound(ctx.account, functionName);
    await tx.deleteFunction(functionName);
    return fn;
  });
  ctx.invoker.invalidate(functionName);
  await removeArchive(ctx.codeRoot, deleted);
  return { statusCode: 204 };
}

export async function putFunctionConcurrency(ctx: LambdaApiContext, functionName: string, body: Buffer): Promise<ApiResponse> {
  const request = parseJsonBody(body);
  const value = request.ReservedConcurrentExecutions;
  const problems = new ValidationErrors();
  if (value === undefined || value === null) problems.add(null, 'reservedConcurrentExecutions', 'Member must not be null');
  else if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    problems.add(value, 'reservedConcurrentExecutions', 'Member must have value greater than or equal to 0');
  }
  problems.throwIfAny();
  const reserved = value as number;
  await changeFunction(ctx, functionName, undefined, (current) => ({ ...current, reservedConcurrency: reserved }));
  ctx.invoker.invalidate(functionName);
  return { statusCode: 200, body: { ReservedConcurrentExecutions: reserved } };
}

export async function getFunctionConcurrency(ctx: LambdaApiContext, functionName: string): Promise<ApiResponse> {
  const fn = await loadFunction(ctx, functionName);
  return { statusCode: 200, body: fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency } };
}

export async function deleteFunctionConcurrency(ctx: LambdaApiContext, functionName: string): Promise<ApiResponse> {
  await changeFunction(ctx, functionName, undefined, (current) => {
    const next = { ...current };
    delete next.reservedConcurrency;
    return next;
  });
  ctx.invoker.invalidate(functionName);
  return { statusCode: 204 };
}
