/**
 * ImportApiKeys (`POST /apikeys?mode=import&format=csv`): API keys from a CSV file with AWS's
 * columns Name, Key, Description, Enabled and UsagePlanIds (header names in any case and
 * order; other columns ignored). A row AWS would skip becomes a warning; with failOnWarnings
 * any warning fails the whole import. A key whose value already exists is overwritten in place,
 * as AWS treats two keys with one value as the same key. The import is one transaction.
 */
import { RECORD_KINDS, type ApiKey, type UsagePlan, type UsagePlanKey } from '../../model/usage-plan.js';
import { randomId } from '../../model/ids.js';
import type { OperationHandler } from '../operation.js';
import { badRequest } from '../errors.js';
import { limitExceeded, nowSeconds } from './account-common.js';
import { MAX_API_KEYS, MAX_API_KEY_DESCRIPTION, MAX_API_KEY_NAME, MAX_API_KEY_VALUE, usagePlanKeyId } from './account-api-key-rules.js';
import { parseCsv } from './account-csv.js';

/** The developer guide bounds imported key values to 30–128 characters. */
const MIN_IMPORTED_KEY_VALUE = 30;
/** AWS's usage plans per API key. */
export const MAX_USAGE_PLANS_PER_KEY = 10;

interface ImportRow {
  row: number;
  name: string;
  value: string;
  description?: string;
  enabled: boolean;
  usagePlanIds: string[];
}

/** Reads one data row, or says why AWS would skip it. */
function readRow(cells: Map<string, string>, row: number, plans: ReadonlySet<string>): ImportRow | string {
  const value = cells.get('key') ?? '';
  const name = cells.get('name') ?? '';
  if (value.length < MIN_IMPORTED_KEY_VALUE || value.length > MAX_API_KEY_VALUE) {
    return `Row ${row}: the Key value must be between ${MIN_IMPORTED_KEY_VALUE} and ${MAX_API_KEY_VALUE} characters`;
  }
  if (name === '') return `Row ${row}: the Name value is empty`;
  if (name.length > MAX_API_KEY_NAME) return `Row ${row}: the Name value can be at most ${MAX_API_KEY_NAME} characters`;
  const description = cells.get('description') ?? '';
  if (description.length > MAX_API_KEY_DESCRIPTION) return `Row ${row}: the Description value is too long`;
  const enabledText = (cells.get('enabled') ?? '').toLowerCase();
  if (enabledText !== '' && enabledText !== 'true' && enabledText !== 'false') {
    return `Row ${row}: the Enabled value '${cells.get('enabled')}' is not true or false`;
  }
  const usagePlanIds = [...new Set((cells.get('usageplanids') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  const unknown = usagePlanIds.find((id) => !plans.has(id));
  if (unknown !== undefined) return `Row ${row}: invalid usage plan identifier specified: ${unknown}`;
  if (usagePlanIds.length > MAX_USAGE_PLANS_PER_KEY) return `Row ${row}: an API key can be in at most ${MAX_USAGE_PLANS_PER_KEY} usage plans`;
  return { row, name, value, description: description === '' ? undefined : description, enabled: enabledText !== 'false', usagePlanIds };
}

export const importApiKeys: OperationHandler = async (ctx, req) => {
  const format = req.query.get('format');
  if (format !== 'csv') throw badRequest(`Invalid format '${format ?? ''}': API keys can only be imported from csv`);
  const failOnWarnings = req.query.get('failonwarnings') === 'true';
  const table = parseCsv(req.raw.toString('utf8'));
  const [header, ...rows] = table;
  if (!header) throw badRequest('The API key file is empty');
  const columns = header.map((h) => h.trim().toLowerCase());
  if (!columns.includes('key') || !columns.includes('name')) throw badRequest('The API key file must have a Name and a Key column');
  if (rows.length > MAX_API_KEYS) throw limitExceeded(`At most ${MAX_API_KEYS} API keys can be imported at once`);

  const result = await ctx.store.transaction(async (tx) => {
    const plans = new Set((await tx.listRecords<UsagePlan>(RECORD_KINDS.usagePlan)).map((p) => p.id));
    const warnings: string[] = [];
    // Later rows win over earlier ones with the same value, as a later import would.
    const byValue = new Map<string, ImportRow>();
    rows.forEach((cellsList, i) => {
      const cells = new Map<string, string>();
      columns.forEach((column, c) => cells.set(column, (cellsList[c] ?? '').trim()));
      const read = readRow(cells, i + 2, plans);
      if (typeof read === 'string') warnings.push(read);
      else byValue.set(read.value, read);
    });
    if (failOnWarnings && warnings.length > 0) throw badRequest(`The import has warnings and failOnWarnings is set: ${warnings.join('; ')}`);

    const existing = new Map((await tx.listRecords<ApiKey>(RECORD_KINDS.apiKey)).map((k) => [k.value, k]));
    const fresh = [...byValue.keys()].filter((v) => !existing.has(v)).length;
    if (existing.size + fresh > MAX_API_KEYS) throw limitExceeded(`An account can have at most ${MAX_API_KEYS} API keys`);
    const members = new Set((await tx.listRecords<UsagePlanKey>(RECORD_KINDS.usagePlanKey)).map((m) => usagePlanKeyId(m.usagePlanId, m.keyId)));

    const now = nowSeconds();
    const ids: string[] = [];
    for (const row of byValue.values()) {
      const previous = existing.get(row.value);
      const key: ApiKey = {
        id: previous?.id ?? randomId(10),
        value: row.value,
        name: row.name,
        description: row.description,
        enabled: row.enabled,
        customerId: previous?.customerId,
        createdDate: previous?.createdDate ?? now,
        lastUpdatedDate: now,
        stageKeys: previous?.stageKeys ?? [],
        tags: previous?.tags ?? {},
      };
      await tx.putRecord(RECORD_KINDS.apiKey, key.id, key);
      for (const usagePlanId of row.usagePlanIds) {
        const id = usagePlanKeyId(usagePlanId, key.id);
        if (members.has(id)) continue;
        const member: UsagePlanKey = { usagePlanId, keyId: key.id, type: 'API_KEY' };
        await tx.putRecord(RECORD_KINDS.usagePlanKey, id, member);
        members.add(id);
      }
      ids.push(key.id);
    }
    return { ids, warnings };
  });
  return { body: result.warnings.length > 0 ? result : { ids: result.ids } };
};
