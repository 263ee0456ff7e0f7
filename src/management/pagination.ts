/**
 * Paging of list operations. apigateway (v1) takes `limit` (1–500, default 25) and `position`
 * and answers `{"item": [...], "position": "..."}`; apigatewayv2 takes `maxResults` and
 * `nextToken` and answers `{"items": [...], "nextToken": "..."}`. Tokens are opaque to clients:
 * here, the base64 of the offset into the sorted list.
 */
import { badRequest } from './errors.js';

export interface Page<T> {
  items: T[];
  next?: string;
}

const encodeToken = (offset: number): string => Buffer.from(String(offset), 'utf8').toString('base64url');

function decodeToken(token: string | null): number {
  if (token === null || token === '') return 0;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (!/^\d{1,9}$/.test(text)) throw badRequest('Invalid pagination token');
  return Number(text);
}

function page<T>(items: readonly T[], offset: number, limit: number): Page<T> {
  const slice = items.slice(offset, offset + limit);
  const end = offset + slice.length;
  return end < items.length ? { items: slice, next: encodeToken(end) } : { items: slice };
}

/** v1: `limit` and `position` from the query string. */
export function pageV1<T>(items: readonly T[], query: URLSearchParams): { item: T[]; position?: string } {
  const limitText = query.get('limit');
  let limit = 25;
  if (limitText !== null) {
    if (!/^\d+$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) {
      throw badRequest('1 validation error detected: Value at \'limit\' failed to satisfy constraint: Member must have value less than or equal to 500 and greater than or equal to 1');
    }
    limit = Number(limitText);
  }
  const { items: item, next } = page(items, decodeToken(query.get('position')), limit);
  return next === undefined ? { item } : { item, position: next };
}

/** v2: `maxResults` and `nextToken` from the query string. */
export function pageV2<T>(items: readonly T[], query: URLSearchParams): { items: T[]; nextToken?: string } {
  const maxText = query.get('maxResults');
  let limit = 100;
  if (maxText !== null) {
    if (!/^\d+$/.test(maxText) || Number(maxText) < 1) throw badRequest('maxResults must be a positive integer');
    limit = Math.min(Number(maxText), 500);
  }
  const { items: found, next } = page(items, decodeToken(query.get('nextToken')), limit);
  return next === undefined ? { items: found } : { items: found, nextToken: next };
}
