/**
 * Patch handling shared by the stage, deployment, model, request validator and gateway response
 * updates: the op check AWS runs before anything else (a ValidationException naming the
 * operation's input), and AWS's words for paths an update does not take. AWS's own messages
 * here carry two spaces after "path"; clients match them as sent, so they are kept.
 */
import { ManagementError, badRequest } from '../errors.js';
import { parsePatchOperations, type PatchOperation } from '../patch.js';

const OP_ENUM = '[add, remove, move, test, replace, copy]';
const OPS = new Set(['add', 'remove', 'move', 'test', 'replace', 'copy']);

/**
 * Parses `patchOperations`, first refusing an unknown op as AWS does: a ValidationException
 * whose location names the operation's input shape (`updateStageInput`, …), 1-based.
 */
export function patchOperationsOf(raw: unknown, inputName: string): PatchOperation[] {
  if (Array.isArray(raw)) {
    raw.forEach((item, i) => {
      const op = item !== null && typeof item === 'object' ? (item as Record<string, unknown>).op : undefined;
      if (typeof op === 'string' && !OPS.has(op)) {
        throw new ManagementError(
          'ValidationException',
          `1 validation error detected: Value '${op}' at '${inputName}.patchOperations.${i + 1}.member.op' failed to satisfy constraint: Member must satisfy enum value set: ${OP_ENUM}`,
          400,
        );
      }
    });
  }
  return parsePatchOperations(raw);
}

/** A path the resource has no such op for. */
export const unsupportedPatch = (op: PatchOperation): Error =>
  badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Please choose supported operations`);

/** A `replace` of a path the resource does not have, listing the ones it does. */
export const replaceOneOf = (op: PatchOperation, paths: readonly string[]): Error =>
  badRequest(`Invalid patch path  '${op.path}' specified for op '${op.op}'. Must be one of: [${paths.join(', ')}]`);

/**
 * The simple update most resources take: `replace` of one of `paths`; anything else is refused
 * with AWS's messages. Returns the path's first segment and the value (possibly undefined).
 */
export function simpleReplace(op: PatchOperation, paths: readonly string[]): { member: string; value: string | undefined } {
  if (op.op === 'replace' && paths.includes(op.path)) return { member: op.path.slice(1), value: op.value };
  if (op.op === 'replace') throw replaceOneOf(op, paths);
  throw unsupportedPatch(op);
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
