/**
 * Reading apigatewayv2 request members. The service has checked top-level JSON types; these
 * check what AWS checks beyond that (required members, enums, bounds, nested shapes) and answer
 * with AWS's validation wording. `null` counts as absent, as AWS's JSON reader treats it.
 */
import { badRequest } from '../errors.js';

type Body = Readonly<Record<string, unknown>>;

export const has = (body: Body, name: string): boolean => body[name] !== undefined && body[name] !== null;

const validation = (value: unknown, name: string, constraint: string): Error =>
  badRequest(`1 validation error detected: Value ${value === undefined ? 'null' : `'${String(value)}'`} at '${name}' failed to satisfy constraint: ${constraint}`);

export function requiredString(body: Body, name: string, max?: number): string {
  const value = optionalString(body, name, max);
  if (value === undefined) throw validation(undefined, name, 'Member must not be null');
  return value;
}

export function optionalString(body: Body, name: string, max?: number): string | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'string') throw validation(value, name, 'Member must be a string');
  if (max !== undefined && value.length > max) {
    throw validation(value, name, `Member must have length less than or equal to ${max}`);
  }
  return value;
}

export function optionalBoolean(body: Body, name: string): boolean | undefined {
  if (!has(body, name)) return undefined;
  const value = body[name];
  if (typeof value !== 'boolean') throw validation(value, name, 'Member must be a boolean');
  return value;
}

export function optionalInteger(body: Body, name: string, min: number, max: number): number | undefined {
  if (!has(body, name)) return undefined;
  return integerIn(body[name], name, min, max);
}

export function integerIn(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw validation(value, name, 'Member must be an integer');
  if (value < min || value > max) {
    throw validation(value, name, `Member must have value less than or equal to ${max} and greater than or equal to ${min}`);
  }
  return value;
}

export function enumValue<T extends string>(value: unknown, name: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw validation(value, name, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

export function optionalEnum<T extends string>(body: Body, name: string, allowed: readonly T[]): T | undefined {
  return has(body, name) ? enumValue(body[name], name, allowed) : undefined;
}

export function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw validation(value, name, 'Member must be a list of strings');
  return [...(value as string[])];
}

export function optionalStringList(body: Body, name: string): string[] | undefined {
  return has(body, name) ? stringList(body[name], name) : undefined;
}

export function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw validation(value, name, 'Member must be a map');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw validation(v, `${name}.${k}`, 'Member must be a string');
    out[k] = v;
  }
  return out;
}

export function optionalStringMap(body: Body, name: string): Record<string, string> | undefined {
  return has(body, name) ? stringMap(body[name], name) : undefined;
}

/** An object member whose members are checked by the caller. */
export function structure(value: unknown, name: string, members: readonly string[]): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw validation(value, name, 'Member must be a structure');
  for (const key of Object.keys(value)) {
    if (!members.includes(key)) throw badRequest(`Unrecognized field '${key}' in ${name}`);
  }
  return value as Record<string, unknown>;
}

/** AWS's tag rules: at most 50 tags, keys 1–128 and values up to 256 characters, no `aws:` keys. */
export function tags(value: unknown, name = 'tags'): Record<string, string> {
  if (value === undefined || value === null) return {};
  const map = stringMap(value, name);
  const keys = Object.keys(map);
  if (keys.length > 50) throw badRequest('Tags cannot exceed 50 key/value pairs');
  for (const key of keys) {
    if (key.length < 1 || key.length > 128) throw badRequest(`Tag key '${key}' must be 1 to 128 characters long`);
    if (key.toLowerCase().startsWith('aws:')) throw badRequest("Tag keys cannot start with 'aws:'");
    if (map[key]!.length > 256) throw badRequest(`Tag value for key '${key}' must be at most 256 characters long`);
  }
  return map;
}

/** A copy without undefined members, so optional members stay absent in storage. */
export function defined<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}
