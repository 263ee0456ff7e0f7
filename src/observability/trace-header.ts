/**
 * The `X-Amzn-Trace-Id` header X-Ray propagates: `Root=1-{8 hex epoch}-{24 hex};Parent={16 hex};
 * Sampled={0|1|?}`, with fields in any order and others (Lineage, …) passed along. Also the ids
 * a traced request needs: X-Ray roots as OpenTelemetry trace ids (the same 96 + 32 bits without
 * the version and dashes), new roots and span ids.
 */
import { randomFillSync } from 'node:crypto';

/** What a client's header says; fields that are malformed are left out. */
export interface TraceHeader {
  /** `1-5759e988-bd862e3fe1be46a994272793`: the X-Ray trace id. */
  root: string;
  /** The caller's segment (span) id, 16 hex digits, when it sent a well-formed one. */
  parent: string | undefined;
  /** The caller's sampling decision: '?' asks the receiver to decide. */
  sampled: '0' | '1' | '?' | undefined;
  /** Other fields as received (`Lineage=…;Foo=bar`), to pass on; '' when none. */
  extra: string;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_SPAN_ID = '0000000000000000';
/** A field passed on unchanged: a token name and a value without separators or spaces. */
const EXTRA_FIELD = /^[A-Za-z0-9_.-]{1,64}=[\x21-\x2b\x2d-\x3a\x3c-\x7e]{0,200}$/;
/** Bounds what a client can make every downstream call carry. */
const MAX_EXTRA_LENGTH = 256;
/** Headers past this length are not trace headers X-Ray would produce. */
const MAX_HEADER_LENGTH = 2048;

/**
 * The client's header, or undefined when it has no well-formed Root: the request then starts a
 * new trace, and the rest of the header (its Parent and Sampled) belongs to no trace of ours.
 */
export function parseTraceHeader(value: string | string[] | undefined): TraceHeader | undefined {
  let text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text === '' || text.length > MAX_HEADER_LENGTH) return undefined;
  // A repeated header arrives comma-joined; X-Ray's own values never contain a comma.
  const comma = text.indexOf(',');
  if (comma !== -1) text = text.slice(0, comma);
  let root: string | undefined;
  let parent: string | undefined;
  let sampled: TraceHeader['sampled'];
  let extra = '';
  for (const part of text.split(';')) {
    const field = part.trim();
    const eq = field.indexOf('=');
    if (eq <= 0) continue;
    const key = field.slice(0, eq).trim().toLowerCase();
    const val = field.slice(eq + 1).trim();
    if (key === 'root') {
      const lower = val.toLowerCase();
      root = ROOT.test(lower) && !isZero(lower.slice(2, 10) + lower.slice(11)) ? lower : undefined;
      if (root === undefined) return undefined;
    } else if (key === 'parent') {
      const lower = val.toLowerCase();
      parent = SPAN_ID.test(lower) && lower !== ZERO_SPAN_ID ? lower : undefined;
    } else if (key === 'sampled') {
      sampled = val === '1' || val === '0' || val === '?' ? val : undefined;
    } else if (key !== 'self' && EXTRA_FIELD.test(field) && extra.length + field.length + 1 <= MAX_EXTRA_LENGTH) {
      // Self= is what a load balancer says of itself; it is not passed downstream.
      extra = extra === '' ? field : `${extra};${field}`;
    }
  }
  if (root === undefined) return undefined;
  return { root, parent, sampled, extra };
}

/** `Root=…;Parent=…;Sampled=…` followed by the extra fields. */
export function formatTraceHeader(root: string, parent: string | undefined, sampled: '0' | '1' | '?' | undefined, extra = ''): string {
  let out = `Root=${root}`;
  if (parent !== undefined) out += `;Parent=${parent}`;
  if (sampled !== undefined) out += `;Sampled=${sampled}`;
  if (extra !== '') out += `;${extra}`;
  return out;
}

/** `1-5759e988-bd862e3fe1be46a994272793` → `5759e988bd862e3fe1be46a994272793`. */
export function xrayToOtelTraceId(root: string): string {
  return root.slice(2, 10) + root.slice(11);
}

/** `5759e988bd862e3fe1be46a994272793` → `1-5759e988-bd862e3fe1be46a994272793`. */
export function otelToXrayTraceId(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** Whether a string is a well-formed X-Ray trace id (`1-{8 hex}-{24 hex}`, not all zeros). */
export function isXrayTraceId(value: string): boolean {
  return ROOT.test(value) && !isZero(value.slice(2, 10) + value.slice(11));
}

/** A new X-Ray trace id: the request's second (as X-Ray ids start with it) and 96 random bits. */
export function newXrayTraceId(epochMs: number): string {
  const seconds = (Math.floor(epochMs / 1000) >>> 0).toString(16).padStart(8, '0');
  return `1-${seconds}-${randomHex(12)}`;
}

/** A new span (segment) id: 64 random bits, never all zeros. */
export function newSpanId(): string {
  let id = randomHex(8);
  while (id === ZERO_SPAN_ID) id = randomHex(8);
  return id;
}

function isZero(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48 /* '0' */) return false;
  return true;
}

/** Random bytes come from a pool refilled in one call, not one system call per id. */
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}
