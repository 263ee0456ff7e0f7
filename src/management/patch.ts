/**
 * `patchOperations`, the update format of every apigateway (v1) Update* call: a list of
 * `{op, path, value, from}` where path is a JSON-pointer-like string (`/name`,
 * `/binaryMediaTypes/image~1png`, `/~1pets/GET/throttling/rateLimit`: `~1` is `/`, `~0` is `~`).
 * Each resource decides which paths and ops it accepts; this module parses and checks the shape,
 * and gives the messages AWS uses for what every resource refuses alike.
 */
import { badRequest } from './errors.js';

export type PatchOp = 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';

export interface PatchOperation {
  op: PatchOp;
  /** The raw path as sent. */
  path: string;
  /** The path split at `/` with `~1` and `~0` decoded; `/a/b~1c` → ['a', 'b/c']. */
  segments: string[];
  value?: string;
  from?: string;
}

const OPS = new Set<string>(['add', 'remove', 'replace', 'move', 'copy', 'test']);
/** AWS limits one update to this many operations. */
export const MAX_PATCH_OPERATIONS = 1000;

export function decodePointer(path: string): string[] {
  if (path === '' || path === '/') return [];
  const trimmed = path.startsWith('/') ? path.slice(1) : path;
  return trimmed.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** Checks and parses a request's `patchOperations` (absent means none). */
export function parsePatchOperations(raw: unknown): PatchOperation[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badRequest('patchOperations must be a list');
  if (raw.length > MAX_PATCH_OPERATIONS) throw badRequest(`At most ${MAX_PATCH_OPERATIONS} patch operations are allowed in one update`);
  return raw.map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw badRequest(`patchOperations[${i}] must be an object`);
    const { op, path, value, from } = item as Record<string, unknown>;
    if (typeof op !== 'string' || !OPS.has(op)) {
      throw badRequest(`Invalid patch operation specified. Must be one of: [add, remove, move, test, replace, copy]`);
    }
    if (typeof path !== 'string') throw badRequest('Invalid patch path null');
    if (value !== undefined && value !== null && typeof value !== 'string') throw badRequest(`patchOperations[${i}].value must be a string`);
    if (from !== undefined && from !== null && typeof from !== 'string') throw badRequest(`patchOperations[${i}].from must be a string`);
    return {
      op: op as PatchOp,
      path,
      segments: decodePointer(path),
      ...(typeof value === 'string' ? { value } : {}),
      ...(typeof from === 'string' ? { from } : {}),
    };
  });
}

/** AWS's words for an operation a path does not support: `Invalid patch path /x specified for op 'add'. Must be one of: [replace]`. */
export function unsupportedOperation(op: PatchOperation, allowed: readonly PatchOp[]): Error {
  return badRequest(`Invalid patch path '${op.path}' specified for op '${op.op}'. Must be one of: [${allowed.join(', ')}]`);
}

/** AWS's words for a path a resource does not have. */
export function invalidPath(op: PatchOperation): Error {
  return badRequest(`Invalid patch path '${op.path}' specified for op '${op.op}'. Please choose supported operations`);
}

/** The value, which the op requires. */
export function requireValue(op: PatchOperation): string {
  if (op.value === undefined) throw badRequest(`Invalid null or empty value in ${op.path}`);
  return op.value;
}

/** `"true"` / `"false"` as AWS accepts them in patch values. */
export function booleanValue(op: PatchOperation): boolean {
  const v = requireValue(op).toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw badRequest(`Invalid value for ${op.path}: '${op.value}' is not a boolean`);
}

/** An integer patch value. */
export function integerValue(op: PatchOperation): number {
  const v = requireValue(op);
  if (!/^-?\d+$/.test(v)) throw badRequest(`Invalid value for ${op.path}: '${v}' is not an integer`);
  return Number(v);
}
