/**
 * Conformance of the management API's errors with AWS: each recorded apigateway (v1) error case
 * rebuilt as a scenario (test/conformance/control-plane/) and run against a real Portico with
 * the AWS SDK v3; the error name, message and HTTP status must be the recorded ones.
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { conformanceFolder, fixture, reportConformance, type Json } from './support.js';
import { startManagement, type ManagementHarness, type SdkError } from '../management/harness.js';
import { isUnrunnable, messagePattern, missingOperation, worldOf, type Entry } from './control-plane/scenario.js';
import { REST_API_SCENARIOS } from './control-plane/rest-apis.js';
import { RESOURCE_METHOD_SCENARIOS } from './control-plane/resources-methods.js';
import { API_PART_SCENARIOS } from './control-plane/api-parts.js';
import { INTEGRATION_SCENARIOS } from './control-plane/integrations.js';
import { STAGE_SCENARIOS } from './control-plane/stages.js';

reportConformance(import.meta.url);

const recorded: Json = fixture('control-plane-errors/apigateway_v1_error_cases.json');
const cases: Json[] = recorded.cases;
assert.equal(cases.length, recorded.count);

const scenarios = new Map<string, Entry>();
for (const entry of [...REST_API_SCENARIOS, ...RESOURCE_METHOD_SCENARIOS, ...API_PART_SCENARIOS, ...INTEGRATION_SCENARIOS, ...STAGE_SCENARIOS]) {
  assert.ok(!scenarios.has(entry.id), `two scenarios for ${entry.id}`);
  scenarios.set(entry.id, entry);
}
const known = new Set(cases.map((c) => c.id as string));
for (const id of scenarios.keys()) assert.ok(known.has(id), `a scenario names no recorded case: ${id}`);

// One Portico for the file, started when the first case runs; cases never share REST APIs.
let harness: Promise<ManagementHarness> | undefined;
after(async () => {
  if (harness) await (await harness).close();
});

const folder = conformanceFolder('control-plane-errors');

for (const c of cases) {
  const entry = scenarios.get(c.id);
  if (!entry) {
    folder.outOfScope(c.id, 'scenario not written yet');
    continue;
  }
  if (isUnrunnable(entry)) {
    folder.outOfScope(c.id, entry.outOfScope);
    continue;
  }
  const missing = missingOperation(entry);
  if (missing) {
    folder.outOfScope(c.id, `needs ${missing} which Portico does not implement yet`);
    continue;
  }
  const expected = c.expected_error as { code: string; message: string; http_status: number | null };
  folder.conformanceCase(c.id, async () => {
    harness ??= startManagement();
    const w = worldOf((await harness).v1);
    for (const step of entry.setup) await step.run(w);
    let error: SdkError | undefined;
    try {
      await w.send(entry.call.op, entry.call.input(w));
    } catch (err) {
      error = err as SdkError;
    }
    assert.ok(error, `expected ${expected.code} (${expected.message}), but ${entry.call.op} succeeded`);
    const got = `${error.name} ${error.$metadata?.httpStatusCode}: ${error.message}`;
    assert.equal(error.name, expected.code, `error name; got ${got}`);
    assert.match(error.message, messagePattern(expected.message), `message; got ${got}`);
    assert.equal(error.$metadata?.httpStatusCode, expected.http_status, `HTTP status; got ${got}`);
  });
}
