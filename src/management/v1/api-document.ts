/**
 * Reading and changing a REST API's stored document from a management call. A change runs in
 * one store transaction on a copy of the document, so a call that throws half way changes
 * nothing; deployed stages keep their own snapshots and never see the edit.
 */
import type { StoreReader, StoreWriter } from '../../store/store.js';
import type { ApiRecord } from '../../model/api.js';
import type { RestApiDocument } from '../../model/rest-api.js';
import { notFound } from '../errors.js';
import type { ManagementContext } from '../operation.js';

/** AWS's answer for an API id that does not exist (or is not a REST API). */
export const invalidApiId = (ctx: ManagementContext, restApiId: string): Error =>
  notFound(`Invalid API identifier specified ${ctx.account.accountId}:${restApiId}`);

/** The REST API `restApiId`, or AWS's NotFoundException. */
export async function readRestApi(ctx: ManagementContext, reader: StoreReader, restApiId: string): Promise<ApiRecord> {
  const api = await reader.getApi(restApiId);
  if (!api || api.protocolType !== 'REST') throw invalidApiId(ctx, restApiId);
  return api;
}

/**
 * Runs `change` on a copy of the API's document inside one transaction and stores the copy
 * when `change` returns; if it throws, nothing is stored. Returns what `change` returns.
 */
export async function changeRestApi<T>(
  ctx: ManagementContext,
  restApiId: string,
  change: (doc: RestApiDocument, tx: StoreWriter, record: ApiRecord) => T | Promise<T>,
): Promise<T> {
  return ctx.store.transaction(async (tx) => {
    const record = await readRestApi(ctx, tx, restApiId);
    const doc = structuredClone(record.document);
    const result = await change(doc, tx, record);
    await tx.putApi({ ...record, document: doc });
    return result;
  });
}
