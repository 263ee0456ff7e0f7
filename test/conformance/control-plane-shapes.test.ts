/**
 * Conformance of the management API's successful responses with AWS: each recorded apigateway
 * (v1) response is reproduced by its scenario (test/conformance/control-plane/shapes.ts) and
 * Portico's SDK v3 output compared with it member by member.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFolder, fixture, reportConformance, show, type Json } from './support.js';
import { startManagement, type ManagementHarness } from '../management/harness.js';
import { isUnrunnable, missingOperation, worldOf, type Entry } from './control-plane/scenario.js';
import { SHAPE_SCENARIOS } from './control-plane/shapes.js';
import { DOCUMENTATION_SHAPE_SCENARIOS } from './control-plane/shapes-documentation.js';
import { VPC_LINK_SHAPE_SCENARIOS } from './control-plane/shapes-vpc-links.js';
import { TEST_INVOKE_SHAPE_SCENARIOS } from './control-plane/shapes-test-invoke.js';
import { STAGE_SHAPE_SCENARIOS } from './control-plane/shapes-stages.js';
import { STRUCTURE_SHAPE_SCENARIOS } from './control-plane/shapes-structure.js';
import { INTEGRATION_ACCOUNT_SHAPE_SCENARIOS } from './control-plane/shapes-integrations-account.js';

reportConformance(import.meta.url);

const recorded: Json = fixture('control-plane-shapes/apigateway_v1_success_shapes.json');

const keyOf = (r: Json): string => `${(r.source.snapshot_test_id as string).split('::').slice(1).join('::')}/${r.source.snapshot_key}`;

const scenarios = new Map<string, Entry>();
for (const entry of [
  ...SHAPE_SCENARIOS,
  ...DOCUMENTATION_SHAPE_SCENARIOS,
  ...VPC_LINK_SHAPE_SCENARIOS,
  ...TEST_INVOKE_SHAPE_SCENARIOS,
  ...STAGE_SHAPE_SCENARIOS,
  ...STRUCTURE_SHAPE_SCENARIOS,
  ...INTEGRATION_ACCOUNT_SHAPE_SCENARIOS,
]) {
  assert.ok(!scenarios.has(entry.id), `two scenarios for ${entry.id}`);
  scenarios.set(entry.id, entry);
}
const known = new Set<string>();
for (const responses of Object.values(recorded.by_operation) as Json[][]) for (const r of responses) known.add(keyOf(r));
for (const id of scenarios.keys()) assert.ok(known.has(id), `a scenario names no recorded response: ${id}`);

/**
 * Structural comparison at the SDK level: the same members, literal values equal, a placeholder
 * `<...>` any string and 'datetime' any date (the SDK parses timestamps into Date objects).
 */
function compare(expected: unknown, actual: unknown, path: string, diffs: string[]): void {
  if (isRecordedLog(expected) && typeof actual === 'string') actual = logLines(actual);
  if (expected === 'datetime') {
    if (!(actual instanceof Date) || Number.isNaN(actual.getTime())) diffs.push(`${path}: expected a date, got ${show(actual)}`);
    return;
  }
  // test_export_swagger_openapi's transformer wrote `date` for the export's version timestamp.
  if (expected === 'date' || expected === 'attachment; filename="swagger_date.json"') {
    const source = expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace('date', '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z');
    if (typeof actual !== 'string' || !new RegExp(`^${source}$`).test(actual)) diffs.push(`${path}: expected ${show(expected)} (a timestamp for date), got ${show(actual)}`);
    return;
  }
  if (typeof expected === 'string' && /^<[^<>]+>$/.test(expected)) {
    // The recorder also masks numbers that change every run (a latency).
    if (typeof actual === 'number' && Number.isFinite(actual)) return;
    if (typeof actual !== 'string' || actual === '') diffs.push(`${path}: expected a string like ${expected}, got ${show(actual)}`);
    return;
  }
  if (typeof expected === 'string' && /<[^<>]+>/.test(expected)) {
    const source = expected.split(/(<[^<>]+>)/).map((p, i) => (i % 2 ? '.+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
    if (typeof actual !== 'string' || !new RegExp(`^${source}$`, 's').test(actual)) diffs.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  // A blob (GetExport's body) was recorded as the JSON document it holds.
  if (expected !== null && typeof expected === 'object' && actual instanceof Uint8Array) actual = new TextDecoder().decode(actual);
  // The snapshot recorder stores a JSON document held in a string (a model's schema) parsed.
  if (expected !== null && typeof expected === 'object' && typeof actual === 'string') {
    try {
      actual = JSON.parse(actual);
    } catch {
      diffs.push(`${path}: expected ${show(expected)}, got a string that is not JSON: ${show(actual)}`);
      return;
    }
  }
  if (expected === null || typeof expected !== 'object') {
    if (!Object.is(expected, actual)) diffs.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      diffs.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
      return;
    }
    expected.forEach((e, i) => compare(e, actual[i], `${path}[${i}]`, diffs));
    return;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
    diffs.push(`${path}: expected an object ${show(expected)}, got ${show(actual)}`);
    return;
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    if (!(key in a) || a[key] === undefined) diffs.push(`${path}.${key}: missing (expected ${show(e[key])})`);
    else compare(e[key], a[key], `${path}.${key}`, diffs);
  }
  for (const key of Object.keys(a)) if (!(key in e) && a[key] !== undefined) diffs.push(`${path}.${key}: not in the recording (got ${show(a[key])})`);
}

/**
 * An execution log (TestInvokeMethod's `log`) is recorded as its lines, keyed `line00`, `line01`,
 * …, each line's timestamp masked as `DDD MMM dd hh:mm:ss UTC yyyy`; the actual log is put in
 * the same form before it is compared.
 */
const isRecordedLog = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => /^line\d{2,}$/.test(k));

function logLines(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((line, i) => {
    out[`line${String(i).padStart(2, '0')}`] = line.replace(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4} : /, 'DDD MMM dd hh:mm:ss UTC yyyy : ');
  });
  return out;
}

let harness: Promise<ManagementHarness> | undefined;
after(async () => {
  if (harness) await (await harness).close();
});

const folder = conformanceFolder('control-plane-shapes');

for (const [operation, responses] of Object.entries(recorded.by_operation) as [string, Json[]][]) {
  for (const r of responses) {
    const id = `${operation} ${keyOf(r)}`;
    const entry = scenarios.get(keyOf(r));
    if (!entry) {
      folder.outOfScope(id, 'scenario not written yet');
      continue;
    }
    if (isUnrunnable(entry)) {
      folder.outOfScope(id, entry.outOfScope);
      continue;
    }
    const missing = missingOperation(entry);
    if (missing) {
      folder.outOfScope(id, `needs ${missing} which Portico does not implement yet`);
      continue;
    }
    folder.conformanceCase(id, async () => {
      harness ??= startManagement();
      const w = worldOf((await harness).v1);
      for (const step of entry.setup) await step.run(w);
      const { $metadata, ...output } = await w.send(entry.call.op, entry.call.input(w));
      const diffs: string[] = [];
      if ($metadata.httpStatusCode !== r.http_status) diffs.push(`status: expected ${r.http_status}, got ${$metadata.httpStatusCode}`);
      compare(r.response, output, 'response', diffs);
      assert.equal(diffs.length, 0, `${diffs.length} difference(s) from the AWS recording:\n  ${diffs.join('\n  ')}`);
    });
  }
}
