/**
 * The rules every way of creating or changing an API key shares (CreateApiKey, UpdateApiKey,
 * ImportApiKeys): AWS's bounds on names, descriptions and values, generated values, and the
 * account-wide uniqueness of values.
 */
import { randomBytes } from 'node:crypto';
import type { StoreReader, StoreWriter } from '../../store/store.js';
import { RECORD_KINDS, type ApiKey } from '../../model/usage-plan.js';
import { badRequest, conflict } from '../errors.js';
import { limitExceeded } from './account-common.js';

/** AWS's quota of API keys per account and region, which cannot be raised. */
export const MAX_API_KEYS = 10_000;
export const MAX_API_KEY_NAME = 1024;
export const MAX_API_KEY_DESCRIPTION = 125_000;
export const MIN_API_KEY_VALUE = 20;
export const MAX_API_KEY_VALUE = 128;

const VALUE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A generated key value: 40 alphanumerics, as AWS generates them. */
export function generateApiKeyValue(): string {
  const bytes = randomBytes(40);
  let out = '';
  for (const byte of bytes) out += VALUE_ALPHABET[byte % VALUE_ALPHABET.length];
  return out;
}

export function checkApiKeyName(name: string | undefined): void {
  if (name !== undefined && name.length > MAX_API_KEY_NAME) throw badRequest('Invalid API Key name, can be at most 1024 characters.');
}

export function checkApiKeyDescription(description: string | undefined): void {
  if (description !== undefined && description.length > MAX_API_KEY_DESCRIPTION) throw badRequest('Invalid API Key description specified.');
}

export function checkApiKeyValue(value: string): void {
  if (value.length > MAX_API_KEY_VALUE) throw badRequest('API Key value exceeds maximum size of 128 characters');
  if (value.length < MIN_API_KEY_VALUE) throw badRequest('API Key value should be at least 20 characters');
}

/** The key holding `value`, if any: values identify keys on the data plane. */
export async function findApiKeyByValue(reader: StoreReader, value: string): Promise<ApiKey | undefined> {
  return (await reader.listRecords<ApiKey>(RECORD_KINDS.apiKey)).find((k) => k.value === value);
}

/** Stores a new key after the account-wide checks every way of creating one shares. */
export async function insertApiKey(tx: StoreWriter, key: ApiKey): Promise<void> {
  const all = await tx.listRecords<ApiKey>(RECORD_KINDS.apiKey);
  if (all.length >= MAX_API_KEYS) throw limitExceeded(`An account can have at most ${MAX_API_KEYS} API keys`);
  if (all.some((k) => k.value === key.value)) throw conflict('An API key with the specified value already exists');
  await tx.putRecord(RECORD_KINDS.apiKey, key.id, key);
}

/** The record id of a usage plan key. */
export const usagePlanKeyId = (usagePlanId: string, keyId: string): string => `${usagePlanId}:${keyId}`;

