/**
 * Finds the management operation a request is: method plus path matched against the AWS path
 * templates of every operation (operations.ts), literal segments winning over labels. Paths are
 * split before percent-decoding, so an encoded `/` (an ARN in `/tags/{resourceArn}`) stays
 * inside its label.
 */
import { OPERATIONS, type ManagementService, type OperationBinding } from './operations.js';

interface CompiledTemplate {
  binding: OperationBinding;
  segments: ({ literal: string } | { label: string; greedy: boolean })[];
  /** A literal query constraint such as `?mode=import` (ImportRestApi vs CreateRestApi). */
  query?: [string, string];
  /** More literal segments match first. */
  specificity: number;
}

export interface MatchedOperation {
  binding: OperationBinding;
  labels: Record<string, string>;
}

function compile(binding: OperationBinding): CompiledTemplate {
  const [path, queryText] = binding.path.split('?') as [string, string | undefined];
  const segments = path
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
      return m ? { label: m[1]!, greedy: m[2] === '+' } : { literal: s };
    });
  let query: [string, string] | undefined;
  if (queryText) {
    const [k, v] = queryText.split('=');
    query = [k!, v ?? ''];
  }
  const specificity = segments.filter((s) => 'literal' in s).length * 2 + (query ? 1 : 0);
  return { binding, segments, query, specificity };
}

const TEMPLATES: CompiledTemplate[] = OPERATIONS.map(compile).sort((a, b) => b.specificity - a.specificity);

/** First path segments the management APIs own; any request under them is theirs to answer. */
export const MANAGEMENT_ROOTS: ReadonlySet<string> = new Set(
  OPERATIONS.map((op) => op.path.split('?')[0]!.split('/').filter(Boolean)[0]!),
);

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The operation a request is, or undefined when no operation has that method and path. */
export function matchOperation(method: string, pathname: string, query: URLSearchParams): MatchedOperation | undefined {
  const raw = pathname.split('/').filter((s) => s !== '');
  for (const t of TEMPLATES) {
    if (t.binding.method !== method) continue;
    if (t.query && query.get(t.query[0]) !== t.query[1]) continue;
    const labels = matchSegments(t, raw);
    if (labels) return { binding: t.binding, labels };
  }
  return undefined;
}

function matchSegments(t: CompiledTemplate, raw: string[]): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  for (let i = 0; i < t.segments.length; i++) {
    const s = t.segments[i]!;
    if ('literal' in s) {
      if (raw[i] !== s.literal) return undefined;
      continue;
    }
    if (s.greedy) {
      if (i >= raw.length) return undefined;
      const rest = raw.slice(i).map(decode);
      if (rest.some((r) => r === undefined)) return undefined;
      labels[s.label] = rest.join('/');
      return labels;
    }
    const value = raw[i] === undefined ? undefined : decode(raw[i]!);
    if (value === undefined || value === '') return undefined;
    labels[s.label] = value;
  }
  return raw.length === t.segments.length ? labels : undefined;
}

/** Which service a path belongs to, for requests that match no operation. */
export function serviceOfPath(pathname: string): ManagementService | undefined {
  const first = pathname.split('/').filter(Boolean)[0];
  if (first === undefined || !MANAGEMENT_ROOTS.has(first)) return undefined;
  return first === 'v2' ? 'apigatewayv2' : 'apigateway';
}
