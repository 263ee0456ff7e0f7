/**
 * `${AWS::AccountId}`, `${AWS::Region}` and `${AWS::Partition}` in OpenAPI strings, which API
 * Gateway resolves at import time so that one definition can be imported into any account.
 */
import type { AccountSettings } from '../../model/settings.js';
import { isObject } from './context.js';

const VARIABLE = /\$\{AWS::(AccountId|Region|Partition)\}/g;

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** A copy of `value` with the variables in every string value replaced; keys are left alone. */
export function resolveAwsVariables(value: unknown, account: AccountSettings): unknown {
  const values: Record<string, string> = {
    AccountId: account.accountId,
    Region: account.region,
    Partition: partitionOf(account.region),
  };
  const visit = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes('${AWS::') ? v.replace(VARIABLE, (_, name: string) => values[name]!) : v;
    if (Array.isArray(v)) return v.map(visit);
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(v)) {
      Object.defineProperty(out, key, { value: visit(child), enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  return visit(value);
}
