/**
 * Account-level apigateway (v1) resources through the real AWS SDK: API keys (and their CSV
 * import), usage plans with their keys and usage, custom domain names with base path mappings,
 * tagging by ARN and the account settings. Checks AWS's response shapes and recorded error
 * messages, and that every refused call leaves the store as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApiKeyCommand,
  CreateBasePathMappingCommand,
  CreateDomainNameCommand,
  CreateUsagePlanCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  DeleteBasePathMappingCommand,
  DeleteDomainNameCommand,
  DeleteUsagePlanCommand,
  DeleteUsagePlanKeyCommand,
  GetAccountCommand,
  GetApiKeyCommand,
  GetApiKeysCommand,
  GetBasePathMappingCommand,
  GetBasePathMappingsCommand,
  GetDomainNameCommand,
  GetDomainNamesCommand,
  GetTagsCommand,
  GetUsageCommand,
  GetUsagePlanCommand,
  GetUsagePlanKeyCommand,
  GetUsagePlanKeysCommand,
  GetUsagePlansCommand,
  ImportApiKeysCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccountCommand,
  UpdateApiKeyCommand,
  UpdateBasePathMappingCommand,
  UpdateDomainNameCommand,
  UpdateUsageCommand,
  UpdateUsagePlanCommand,
} from '@aws-sdk/client-api-gateway';
import { deployRestApi, importRestApi } from '../../src/control/rest-apis.js';
import { RECORD_KINDS } from '../../src/model/usage-plan.js';
import { recordUsage } from '../../src/management/v1/account-usage.js';
import { parseCsv } from '../../src/management/v1/account-csv.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const openApi = {
  openapi: '3.0.1',
  info: { title: 'Pets', version: '1' },
  paths: {
    '/pets': {
      get: {
        responses: { '200': { description: 'ok' } },
        'x-amazon-apigateway-integration': {
          type: 'mock',
          requestTemplates: { 'application/json': '{"statusCode": 200}' },
          responses: { default: { statusCode: '200' } },
        },
      },
    },
  },
};

/** Members of an SDK answer, without the SDK's own metadata. */
const keysOf = (out: object): string[] => Object.keys(out).filter((k) => k !== '$metadata').sort();
const today = (): string => new Date().toISOString().slice(0, 10);

describe('apigateway account-level resources', () => {
  let h: ManagementHarness;
  let apiId: string;
  before(async () => {
    h = await startManagement();
    apiId = (await importRestApi(h.portico.store, openApi)).id;
    await deployRestApi(h.portico.store, apiId, { stageName: 'dev' });
    await deployRestApi(h.portico.store, apiId, { stageName: 'prod' });
  });
  after(() => h.close());

  /** Every record of a kind, to show a refused call stored nothing. */
  const records = (kind: string) => h.portico.store.listRecords<Record<string, unknown>>(kind);

  describe('API keys', () => {
    it('creates a key with AWS defaults and a generated 40-character value', async () => {
      const out = await h.v1.send(new CreateApiKeyCommand({ name: 'first' }));
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(out), ['createdDate', 'enabled', 'id', 'lastUpdatedDate', 'name', 'stageKeys', 'value']);
      assert.equal(out.enabled, false);
      assert.deepEqual(out.stageKeys, []);
      assert.match(out.id!, /^[a-z0-9]{10}$/);
      assert.match(out.value!, /^[A-Za-z0-9]{40}$/);
      assert.ok(out.createdDate instanceof Date);
    });

    it('keeps a given value, stage keys, customer id, description and tags', async () => {
      const out = await h.v1.send(
        new CreateApiKeyCommand({
          name: 'full',
          description: 'd',
          enabled: true,
          value: 'v'.repeat(25),
          customerId: 'cust-1',
          stageKeys: [{ restApiId: apiId, stageName: 'dev' }],
          tags: { team: 'a' },
        }),
      );
      assert.equal(out.value, 'v'.repeat(25));
      assert.equal(out.enabled, true);
      assert.deepEqual(out.stageKeys, [`${apiId}/dev`]);
      assert.equal(out.customerId, 'cust-1');
      assert.deepEqual(out.tags, { team: 'a' });
    });

    it('answers the recorded CreateApiKey errors and stores nothing', async () => {
      const before = (await records(RECORD_KINDS.apiKey)).length;
      await rejectsWith(h.v1.send(new CreateApiKeyCommand({ name: 'n'.repeat(1025) })), 'BadRequestException', 'Invalid API Key name, can be at most 1024 characters.');
      await rejectsWith(h.v1.send(new CreateApiKeyCommand({ value: 'short' })), 'BadRequestException', 'API Key value should be at least 20 characters');
      await rejectsWith(h.v1.send(new CreateApiKeyCommand({ value: 'x'.repeat(129) })), 'BadRequestException', 'API Key value exceeds maximum size of 128 characters');
      await rejectsWith(h.v1.send(new CreateApiKeyCommand({ name: 'dup', value: 'v'.repeat(25) })), 'ConflictException');
      await rejectsWith(h.v1.send(new CreateApiKeyCommand({ stageKeys: [{ restApiId: apiId, stageName: 'nope' }] })), 'NotFoundException');
      assert.equal((await records(RECORD_KINDS.apiKey)).length, before);
    });

    it('shows the value only when asked, and tags as {} on Get', async () => {
      const { id, value } = await h.v1.send(new CreateApiKeyCommand({ name: 'getme', enabled: true }));
      const plain = await h.v1.send(new GetApiKeyCommand({ apiKey: id }));
      assert.equal(plain.value, undefined);
      assert.deepEqual(plain.tags, {});
      const withValue = await h.v1.send(new GetApiKeyCommand({ apiKey: id, includeValue: true }));
      assert.equal(withValue.value, value);
      await rejectsWith(h.v1.send(new GetApiKeyCommand({ apiKey: 'missing000' })), 'NotFoundException', 'Invalid API Key identifier specified');
    });

    it('lists keys by name prefix and customer id, values only with includeValues', async () => {
      await h.v1.send(new CreateApiKeyCommand({ name: 'list-a', customerId: 'c-list' }));
      await h.v1.send(new CreateApiKeyCommand({ name: 'list-b' }));
      const byName = await h.v1.send(new GetApiKeysCommand({ nameQuery: 'list-' }));
      assert.deepEqual(byName.items!.map((k) => k.name), ['list-a', 'list-b']);
      assert.ok(byName.items!.every((k) => k.value === undefined));
      const byCustomer = await h.v1.send(new GetApiKeysCommand({ customerId: 'c-list', includeValues: true }));
      assert.deepEqual(byCustomer.items!.map((k) => k.name), ['list-a']);
      assert.match(byCustomer.items![0]!.value!, /^[A-Za-z0-9]{40}$/);
      const paged = await h.v1.send(new GetApiKeysCommand({ nameQuery: 'list-', limit: 1 }));
      assert.equal(paged.items!.length, 1);
      assert.ok(paged.position);
      assert.deepEqual((await h.v1.send(new GetApiKeysCommand({ nameQuery: 'nothing-like-this' }))).items, []);
    });

    it('updates name, description, customer id, enabled and stages', async () => {
      const { id } = await h.v1.send(new CreateApiKeyCommand({ name: 'before' }));
      const out = await h.v1.send(
        new UpdateApiKeyCommand({
          apiKey: id,
          patchOperations: [
            { op: 'replace', path: '/name', value: 'after' },
            { op: 'replace', path: '/description', value: 'desc' },
            { op: 'replace', path: '/customerId', value: 'cust' },
            { op: 'replace', path: '/enabled', value: 'true' },
            { op: 'add', path: '/stages', value: `${apiId}/dev` },
            { op: 'add', path: '/stages', value: `${apiId}/prod` },
            { op: 'remove', path: '/stages', value: `${apiId}/dev` },
          ],
        }),
      );
      assert.deepEqual(keysOf(out), ['createdDate', 'customerId', 'description', 'enabled', 'id', 'lastUpdatedDate', 'name', 'stageKeys', 'tags']);
      assert.equal(out.name, 'after');
      assert.equal(out.enabled, true);
      assert.deepEqual(out.stageKeys, [`${apiId}/prod`]);
      assert.deepEqual(out.tags, {});
      // AWS reads a value that is not "true" as false rather than refusing it.
      const off = await h.v1.send(new UpdateApiKeyCommand({ apiKey: id, patchOperations: [{ op: 'replace', path: '/enabled', value: 'not-a-boolean' }] }));
      assert.equal(off.enabled, false);
    });

    it('answers the recorded UpdateApiKey errors and changes nothing', async () => {
      const { id } = await h.v1.send(new CreateApiKeyCommand({ name: 'stable' }));
      const stored = await h.portico.store.getRecord(RECORD_KINDS.apiKey, id!);
      await rejectsWith(
        h.v1.send(new UpdateApiKeyCommand({ apiKey: id, patchOperations: [{ op: 'replace', path: '/name', value: 'changed' }, { op: 'replace', path: '/description', value: 'd'.repeat(125_001) }] })),
        'BadRequestException',
        'Invalid API Key description specified.',
      );
      await rejectsWith(
        h.v1.send(new UpdateApiKeyCommand({ apiKey: id, patchOperations: [{ op: 'replace', path: '/id', value: 'new-id' }] })),
        'BadRequestException',
        "Invalid patch path  '/id' specified for op 'replace'. Must be one of: [/description, /enabled, /name, /customerId]",
      );
      await rejectsWith(h.v1.send(new UpdateApiKeyCommand({ apiKey: id, patchOperations: [{ op: 'add', path: '/stages', value: `${apiId}/nope` }] })), 'NotFoundException');
      assert.deepEqual(await h.portico.store.getRecord(RECORD_KINDS.apiKey, id!), stored);
    });

    it('deletes a key with 202 and takes it out of its usage plans', async () => {
      const { id } = await h.v1.send(new CreateApiKeyCommand({ name: 'doomed' }));
      const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'doomed-plan' }));
      await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: id, keyType: 'API_KEY' }));
      const out = await h.v1.send(new DeleteApiKeyCommand({ apiKey: id }));
      assert.equal(out.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetApiKeyCommand({ apiKey: id })), 'NotFoundException');
      assert.deepEqual((await h.v1.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id }))).items, []);
      await rejectsWith(h.v1.send(new DeleteApiKeyCommand({ apiKey: id })), 'NotFoundException');
    });
  });

  describe('ImportApiKeys', () => {
    it('reads AWS CSV columns in any case and order, with quoted usage plan ids', async () => {
      const p1 = await h.v1.send(new CreateUsagePlanCommand({ name: 'import-1' }));
      const p2 = await h.v1.send(new CreateUsagePlanCommand({ name: 'import-2' }));
      const csv = [
        'key,name, description, Enabled, usageplanIds, ignored',
        `importkey1-abcdefghij0123456789, imported_1, first one, false, "${p1.id},${p2.id}", x`,
        `importkey2-abcdefghij0123456789, imported_2,, TRUE, '${p1.id}', y`,
        'tooshort, imported_3, , true, , z',
      ].join('\r\n');
      const out = await h.v1.send(new ImportApiKeysCommand({ body: Buffer.from(csv), format: 'csv' }));
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.equal(out.ids!.length, 2);
      assert.equal(out.warnings!.length, 1);
      assert.match(out.warnings![0]!, /Row 4/);
      const first = await h.v1.send(new GetApiKeyCommand({ apiKey: out.ids![0], includeValue: true }));
      assert.equal(first.name, 'imported_1');
      assert.equal(first.description, 'first one');
      assert.equal(first.enabled, false);
      assert.equal(first.value, 'importkey1-abcdefghij0123456789');
      const second = await h.v1.send(new GetApiKeyCommand({ apiKey: out.ids![1] }));
      assert.equal(second.enabled, true);
      assert.deepEqual((await h.v1.send(new GetUsagePlanKeysCommand({ usagePlanId: p1.id }))).items!.map((k) => k.name), ['imported_1', 'imported_2']);
      assert.deepEqual((await h.v1.send(new GetUsagePlanKeysCommand({ usagePlanId: p2.id }))).items!.map((k) => k.name), ['imported_1']);

      // The same value again overwrites the key in place.
      const again = await h.v1.send(new ImportApiKeysCommand({ body: Buffer.from('Name,Key\nrenamed,importkey1-abcdefghij0123456789\n'), format: 'csv' }));
      assert.deepEqual(again.ids, [out.ids![0]]);
      assert.equal((await h.v1.send(new GetApiKeyCommand({ apiKey: out.ids![0] }))).name, 'renamed');
    });

    it('imports nothing when failOnWarnings meets a warning, or the file lacks a Key column', async () => {
      const before = await records(RECORD_KINDS.apiKey);
      const csv = 'Name,Key,UsagePlanIds\nok,failkey1-abcdefghij0123456789012,\nbad,failkey2-abcdefghij0123456789012,nosuchplan\n';
      await rejectsWith(h.v1.send(new ImportApiKeysCommand({ body: Buffer.from(csv), format: 'csv', failOnWarnings: true })), 'BadRequestException', /Row 3/);
      await rejectsWith(h.v1.send(new ImportApiKeysCommand({ body: Buffer.from('Name,Other\na,b\n'), format: 'csv' })), 'BadRequestException');
      assert.deepEqual(await records(RECORD_KINDS.apiKey), before);
    });

    it('parses quotes, doubled quotes and blank lines', () => {
      assert.deepEqual(parseCsv('a, "b,c" ,\'d\'\n\n"say ""hi"""\r\n'), [['a', 'b,c', 'd'], ['say "hi"']]);
    });
  });

  describe('usage plans', () => {
    it('creates a plan with the recorded shape, validating its API stages', async () => {
      const out = await h.v1.send(
        new CreateUsagePlanCommand({
          name: 'gold',
          description: 'Test Usage Plan for API key',
          quota: { limit: 10, period: 'DAY', offset: 0 },
          throttle: { rateLimit: 2, burstLimit: 1 },
          apiStages: [{ apiId, stage: 'dev' }],
          tags: { tag_key: 'tag_value' },
        }),
      );
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(out), ['apiStages', 'description', 'id', 'name', 'quota', 'tags', 'throttle']);
      assert.deepEqual(out.apiStages, [{ apiId, stage: 'dev' }]);
      assert.deepEqual(out.quota, { limit: 10, offset: 0, period: 'DAY' });
      assert.deepEqual(out.throttle, { burstLimit: 1, rateLimit: 2 });
      assert.match(out.id!, /^[a-z0-9]{6}$/);
      const bare = await h.v1.send(new CreateUsagePlanCommand({ name: 'bare' }));
      assert.deepEqual(keysOf(bare), ['apiStages', 'id', 'name']);

      const before = (await records(RECORD_KINDS.usagePlan)).length;
      await rejectsWith(h.v1.send(new CreateUsagePlanCommand({ name: 'x', apiStages: [{ apiId, stage: 'nope' }] })), 'BadRequestException', new RegExp(`^Invalid API Stage \\{api: ${apiId}, stage: nope\\} specified for usageplan [a-z0-9]{6}$`));
      await rejectsWith(h.v1.send(new CreateUsagePlanCommand({ name: 'x', quota: { limit: 5, period: 'YEAR' as 'DAY' } })), 'BadRequestException');
      assert.equal((await records(RECORD_KINDS.usagePlan)).length, before);
    });

    it('gets, lists and updates a plan as the recorded answers show', async () => {
      const { id } = await h.v1.send(new CreateUsagePlanCommand({ name: 'crud', description: 'this is my usage plan', apiStages: [{ apiId, stage: 'dev' }] }));
      const got = await h.v1.send(new GetUsagePlanCommand({ usagePlanId: id }));
      assert.deepEqual(keysOf(got), ['apiStages', 'description', 'id', 'name', 'tags']);
      assert.deepEqual(got.tags, {});
      const updated = await h.v1.send(
        new UpdateUsagePlanCommand({
          usagePlanId: id,
          patchOperations: [
            { op: 'replace', path: '/throttle/burstLimit', value: '100' },
            { op: 'replace', path: '/throttle/rateLimit', value: '200' },
            { op: 'replace', path: '/quota/period', value: 'MONTH' },
            { op: 'replace', path: '/quota/limit', value: '5000' },
          ],
        }),
      );
      assert.deepEqual(keysOf(updated), ['apiStages', 'description', 'id', 'name', 'quota', 'tags', 'throttle']);
      assert.deepEqual(updated.quota, { limit: 5000, offset: 0, period: 'MONTH' });
      assert.deepEqual(updated.throttle, { burstLimit: 100, rateLimit: 200 });
      const listed = (await h.v1.send(new GetUsagePlansCommand({}))).items!.find((p) => p.id === id)!;
      assert.equal(listed.tags, undefined);
      assert.deepEqual(listed.quota, updated.quota);
    });

    it('adds and removes API stages and method throttles', async () => {
      const { id } = await h.v1.send(new CreateUsagePlanCommand({ name: 'stages' }));
      const added = await h.v1.send(
        new UpdateUsagePlanCommand({
          usagePlanId: id,
          patchOperations: [
            { op: 'add', path: '/apiStages', value: `${apiId}:dev` },
            { op: 'replace', path: `/apiStages/${apiId}:dev/throttle//pets/GET/rateLimit`, value: '0.5' },
            { op: 'replace', path: `/apiStages/${apiId}:dev/throttle//pets/GET/burstLimit`, value: '3' },
          ],
        }),
      );
      assert.deepEqual(added.apiStages, [{ apiId, stage: 'dev', throttle: { '/pets/GET': { rateLimit: 0.5, burstLimit: 3 } } }]);
      const removed = await h.v1.send(new UpdateUsagePlanCommand({ usagePlanId: id, patchOperations: [{ op: 'remove', path: '/apiStages', value: `${apiId}:dev` }] }));
      assert.deepEqual(removed.apiStages, []);
    });

    it('answers the recorded UpdateUsagePlan errors and changes nothing', async () => {
      const { id } = await h.v1.send(new CreateUsagePlanCommand({ name: 'errs', apiStages: [{ apiId, stage: 'dev' }] }));
      const stored = await h.portico.store.getRecord(RECORD_KINDS.usagePlan, id!);
      const update = (patchOperations: { op: 'add' | 'remove' | 'replace'; path: string; value?: string }[], planId = id) =>
        h.v1.send(new UpdateUsagePlanCommand({ usagePlanId: planId, patchOperations }));
      await rejectsWith(update([{ op: 'replace', path: '/throttle/burstLimit', value: '100' }], `${id}1`), 'NotFoundException', 'Invalid Usage Plan ID specified');
      await rejectsWith(update([{ op: 'remove', path: '/apiStages' }]), 'BadRequestException', 'Invalid API Stage specified');
      await rejectsWith(update([{ op: 'remove', path: '/apiStages', value: 'fakevalue' }]), 'BadRequestException', 'Invalid API Stage specified');
      await rejectsWith(
        update([{ op: 'replace', path: '/name', value: 'changed' }, { op: 'remove', path: '/apiStages', value: `${apiId}b:dev` }]),
        'NotFoundException',
        `Invalid API Stage {api: ${apiId}b, stage: dev} specified for usageplan ${id}`,
      );
      await rejectsWith(update([{ op: 'remove', path: '/apiStages', value: `${apiId}:fakestagename` }]), 'NotFoundException', `Invalid API Stage {api: ${apiId}, stage: fakestagename} specified for usageplan ${id}`);
      await rejectsWith(update([{ op: 'replace', path: '/id', value: 'x' }]), 'BadRequestException');
      assert.deepEqual(await h.portico.store.getRecord(RECORD_KINDS.usagePlan, id!), stored);
    });

    it('links keys to plans with the recorded shape, one plan per key and stage', async () => {
      const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'keys', apiStages: [{ apiId, stage: 'prod' }] }));
      const key = await h.v1.send(new CreateApiKeyCommand({ name: 'test-key-1' }));
      const out = await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(out), ['id', 'name', 'type', 'value']);
      assert.deepEqual({ id: out.id, name: out.name, type: out.type, value: out.value }, { id: key.id, name: 'test-key-1', type: 'API_KEY', value: key.value });
      assert.deepEqual((await h.v1.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }))).id, key.id);
      assert.deepEqual((await h.v1.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id, nameQuery: 'test-key' }))).items!.map((k) => k.id), [key.id]);
      assert.deepEqual((await h.v1.send(new GetUsagePlanKeysCommand({ usagePlanId: plan.id, nameQuery: 'other' }))).items, []);
      assert.deepEqual((await h.v1.send(new GetUsagePlansCommand({ keyId: key.id }))).items!.map((p) => p.id), [plan.id]);

      const before = (await records(RECORD_KINDS.usagePlanKey)).length;
      await rejectsWith(h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' })), 'ConflictException');
      const overlapping = await h.v1.send(new CreateUsagePlanCommand({ name: 'overlap', apiStages: [{ apiId, stage: 'prod' }] }));
      await rejectsWith(
        h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: overlapping.id, keyId: key.id, keyType: 'API_KEY' })),
        'ConflictException',
        `Usage Plan ${overlapping.id} cannot be added because API Key ${key.id} cannot reference multiple Usage Plans with the same API Stage: ${apiId}:prod`,
      );
      await rejectsWith(h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: 'missing000', keyType: 'API_KEY' })), 'NotFoundException', 'Invalid API Key identifier specified');
      await rejectsWith(h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'OTHER' })), 'BadRequestException');
      assert.equal((await records(RECORD_KINDS.usagePlanKey)).length, before);

      const deleted = await h.v1.send(new DeleteUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id })), 'NotFoundException');
    });

    it('reports per-day usage, counts what enforcement records, and sets the remaining quota', async () => {
      const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'usage', quota: { limit: 100, period: 'MONTH', offset: 10 } }));
      const key = await h.v1.send(new CreateApiKeyCommand({ name: 'usage-key' }));
      await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
      const day = today();
      const empty = await h.v1.send(new GetUsageCommand({ usagePlanId: plan.id, startDate: day, endDate: day }));
      assert.deepEqual({ usagePlanId: empty.usagePlanId, startDate: empty.startDate, endDate: empty.endDate, items: empty.items }, {
        usagePlanId: plan.id,
        startDate: day,
        endDate: day,
        items: { [key.id!]: [[0, 90]] },
      });
      await recordUsage(h.portico.store, plan.id!, key.id!, 5);
      const used = await h.v1.send(new GetUsageCommand({ usagePlanId: plan.id, startDate: day, endDate: day, keyId: key.id }));
      assert.deepEqual(used.items, { [key.id!]: [[5, 85]] });
      const updated = await h.v1.send(new UpdateUsageCommand({ usagePlanId: plan.id, keyId: key.id, patchOperations: [{ op: 'replace', path: '/remaining', value: '50' }] }));
      assert.deepEqual(updated.items![key.id!]!.at(-1), [5, 50]);
      await recordUsage(h.portico.store, plan.id!, key.id!, 2);
      assert.deepEqual((await h.v1.send(new GetUsageCommand({ usagePlanId: plan.id, startDate: day, endDate: day }))).items, { [key.id!]: [[7, 48]] });

      await rejectsWith(h.v1.send(new GetUsageCommand({ usagePlanId: plan.id, startDate: 'yesterday', endDate: day })), 'BadRequestException');
      await rejectsWith(h.v1.send(new GetUsageCommand({ usagePlanId: 'nope00', startDate: day, endDate: day })), 'NotFoundException', 'Invalid Usage Plan ID specified');
      const before = await records(RECORD_KINDS.usage);
      await rejectsWith(h.v1.send(new UpdateUsageCommand({ usagePlanId: plan.id, keyId: key.id, patchOperations: [{ op: 'replace', path: '/remaining', value: 'lots' }] })), 'BadRequestException');
      await rejectsWith(h.v1.send(new UpdateUsageCommand({ usagePlanId: plan.id, keyId: key.id, patchOperations: [{ op: 'replace', path: '/used', value: '1' }] })), 'BadRequestException');
      assert.deepEqual(await records(RECORD_KINDS.usage), before);
    });

    it('deletes a plan with 202, with its keys and usage', async () => {
      const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'gone' }));
      const key = await h.v1.send(new CreateApiKeyCommand({ name: 'gone-key' }));
      await h.v1.send(new CreateUsagePlanKeyCommand({ usagePlanId: plan.id, keyId: key.id, keyType: 'API_KEY' }));
      await recordUsage(h.portico.store, plan.id!, key.id!, 1);
      assert.equal((await h.v1.send(new DeleteUsagePlanCommand({ usagePlanId: plan.id }))).$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetUsagePlanCommand({ usagePlanId: plan.id })), 'NotFoundException', 'Invalid Usage Plan ID specified');
      assert.ok((await records(RECORD_KINDS.usagePlanKey)).every((m) => m.usagePlanId !== plan.id));
      assert.ok((await records(RECORD_KINDS.usage)).every((u) => u.usagePlanId !== plan.id));
      await h.v1.send(new GetApiKeyCommand({ apiKey: key.id }));
    });
  });

  describe('custom domain names and base path mappings', () => {
    it('creates EDGE and REGIONAL domains with the DNS targets AWS hands out', async () => {
      const edge = await h.v1.send(new CreateDomainNameCommand({ domainName: 'api.example.com', certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/abc' }));
      assert.equal(edge.$metadata.httpStatusCode, 201);
      assert.match(edge.distributionDomainName!, /^d[a-z0-9]{13}\.cloudfront\.net$/);
      assert.equal(edge.distributionHostedZoneId, 'Z2FDTNDATAQYW2');
      assert.deepEqual(edge.endpointConfiguration, { types: ['EDGE'], ipAddressType: 'ipv4' });
      assert.equal(edge.domainNameStatus, 'AVAILABLE');
      assert.equal(edge.securityPolicy, 'TLS_1_2');
      assert.ok(edge.certificateUploadDate instanceof Date);
      assert.equal(edge.domainNameArn, 'arn:aws:apigateway:us-east-1::/domainnames/api.example.com');

      const regional = await h.v1.send(
        new CreateDomainNameCommand({
          domainName: 'regional.example.com',
          regionalCertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/def',
          endpointConfiguration: { types: ['REGIONAL'] },
          securityPolicy: 'TLS_1_0',
          tags: { env: 'test' },
        }),
      );
      assert.match(regional.regionalDomainName!, /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
      assert.equal(regional.regionalHostedZoneId, 'Z1UJRXOUMOOFQ8');
      assert.equal(regional.distributionDomainName, undefined);
      assert.deepEqual(regional.tags, { env: 'test' });

      const before = (await records(RECORD_KINDS.domainName)).length;
      await rejectsWith(h.v1.send(new CreateDomainNameCommand({ domainName: 'api.example.com', certificateArn: 'arn:x' })), 'ConflictException', 'The domain name you provided already exists.');
      await rejectsWith(h.v1.send(new CreateDomainNameCommand({ domainName: 'nocert.example.com', endpointConfiguration: { types: ['REGIONAL'] } })), 'BadRequestException');
      await rejectsWith(h.v1.send(new CreateDomainNameCommand({ domainName: 'not a host', certificateArn: 'arn:x' })), 'BadRequestException');
      assert.equal((await records(RECORD_KINDS.domainName)).length, before);

      assert.equal((await h.v1.send(new GetDomainNameCommand({ domainName: 'regional.example.com' }))).securityPolicy, 'TLS_1_0');
      assert.deepEqual((await h.v1.send(new GetDomainNamesCommand({}))).items!.map((d) => d.domainName), ['api.example.com', 'regional.example.com']);
      await rejectsWith(h.v1.send(new GetDomainNameCommand({ domainName: 'missing.example.com' })), 'NotFoundException', 'Invalid domain name identifier specified');
    });

    it('updates a domain, switching its endpoint type and targets', async () => {
      await h.v1.send(new CreateDomainNameCommand({ domainName: 'switch.example.com', certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/a' }));
      const out = await h.v1.send(
        new UpdateDomainNameCommand({
          domainName: 'switch.example.com',
          patchOperations: [
            { op: 'replace', path: '/endpointConfiguration/types/0', value: 'REGIONAL' },
            { op: 'replace', path: '/regionalCertificateArn', value: 'arn:aws:acm:us-east-1:000000000000:certificate/b' },
          ],
        }),
      );
      assert.deepEqual(out.endpointConfiguration!.types, ['REGIONAL']);
      assert.ok(out.regionalDomainName);
      assert.equal(out.distributionDomainName, undefined);
      const stored = await h.portico.store.getRecord(RECORD_KINDS.domainName, 'switch.example.com');
      await rejectsWith(h.v1.send(new UpdateDomainNameCommand({ domainName: 'switch.example.com', patchOperations: [{ op: 'replace', path: '/domainName', value: 'x.example.com' }] })), 'BadRequestException');
      await rejectsWith(h.v1.send(new UpdateDomainNameCommand({ domainName: 'switch.example.com', patchOperations: [{ op: 'replace', path: '/securityPolicy', value: 'TLS_9' }] })), 'BadRequestException');
      assert.deepEqual(await h.portico.store.getRecord(RECORD_KINDS.domainName, 'switch.example.com'), stored);
    });

    it('maps base paths to REST APIs and stages', async () => {
      const domainName = 'maps.example.com';
      await h.v1.send(new CreateDomainNameCommand({ domainName, certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/m' }));
      const v1 = await h.v1.send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId, basePath: 'v1', stage: 'dev' }));
      assert.equal(v1.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(v1), ['basePath', 'restApiId', 'stage']);
      const v2 = await h.v1.send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId, basePath: 'v2' }));
      assert.deepEqual(keysOf(v2), ['basePath', 'restApiId']);

      const before = await records(RECORD_KINDS.basePathMapping);
      await rejectsWith(h.v1.send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId, basePath: 'v1' })), 'ConflictException', 'Base path already exists for this domain name');
      await rejectsWith(h.v1.send(new CreateBasePathMappingCommand({ domainName, restApiId: 'nope000000', basePath: 'v3' })), 'BadRequestException', 'Invalid REST API identifier specified');
      await rejectsWith(h.v1.send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId, basePath: 'v3', stage: 'nope' })), 'BadRequestException', 'Invalid stage identifier specified');
      await rejectsWith(h.v1.send(new CreateBasePathMappingCommand({ domainName, restApiId: apiId })), 'ConflictException');
      await rejectsWith(h.v1.send(new CreateBasePathMappingCommand({ domainName: 'missing.example.com', restApiId: apiId })), 'NotFoundException', 'Invalid domain name identifier specified');
      assert.deepEqual(await records(RECORD_KINDS.basePathMapping), before);

      assert.deepEqual((await h.v1.send(new GetBasePathMappingsCommand({ domainName }))).items!.map((m) => m.basePath), ['v1', 'v2']);
      assert.equal((await h.v1.send(new GetBasePathMappingCommand({ domainName, basePath: 'v1' }))).stage, 'dev');
      const moved = await h.v1.send(
        new UpdateBasePathMappingCommand({ domainName, basePath: 'v2', patchOperations: [{ op: 'replace', path: '/basePath', value: 'v3' }, { op: 'replace', path: '/stage', value: 'prod' }] }),
      );
      assert.deepEqual({ basePath: moved.basePath, stage: moved.stage }, { basePath: 'v3', stage: 'prod' });
      await rejectsWith(h.v1.send(new GetBasePathMappingCommand({ domainName, basePath: 'v2' })), 'NotFoundException', 'Invalid base path mapping identifier specified');
      assert.equal((await h.v1.send(new DeleteBasePathMappingCommand({ domainName, basePath: 'v3' }))).$metadata.httpStatusCode, 202);

      const root = await h.v1.send(new CreateDomainNameCommand({ domainName: 'root.example.com', certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/r' }));
      const rootMapping = await h.v1.send(new CreateBasePathMappingCommand({ domainName: root.domainName, restApiId: apiId }));
      assert.equal(rootMapping.basePath, '(none)');
      assert.equal((await h.v1.send(new DeleteDomainNameCommand({ domainName: root.domainName }))).$metadata.httpStatusCode, 202);
      assert.ok((await records(RECORD_KINDS.basePathMapping)).every((m) => m.domainName !== root.domainName));
    });
  });

  describe('tags', () => {
    const arn = (path: string) => `arn:aws:apigateway:us-east-1::${path}`;

    it('tags, reads and untags REST APIs, stages, keys, plans and domain names', async () => {
      const key = await h.v1.send(new CreateApiKeyCommand({ name: 'tagged' }));
      const plan = await h.v1.send(new CreateUsagePlanCommand({ name: 'tagged' }));
      await h.v1.send(new CreateDomainNameCommand({ domainName: 'tags.example.com', certificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/t' }));
      for (const path of [`/restapis/${apiId}`, `/restapis/${apiId}/stages/dev`, `/apikeys/${key.id}`, `/usageplans/${plan.id}`, '/domainnames/tags.example.com']) {
        const put = await h.v1.send(new TagResourceCommand({ resourceArn: arn(path), tags: { a: '1', b: '2' } }));
        assert.equal(put.$metadata.httpStatusCode, 204);
        assert.deepEqual((await h.v1.send(new GetTagsCommand({ resourceArn: arn(path) }))).tags, { a: '1', b: '2' }, path);
        await h.v1.send(new UntagResourceCommand({ resourceArn: arn(path), tagKeys: ['a'] }));
        assert.deepEqual((await h.v1.send(new GetTagsCommand({ resourceArn: arn(path) }))).tags, { b: '2' }, path);
      }
      // The tags are the resource's own.
      assert.deepEqual((await h.v1.send(new GetApiKeyCommand({ apiKey: key.id }))).tags, { b: '2' });
      assert.deepEqual((await h.portico.store.getStage(apiId, 'dev'))!.tags, { b: '2' });
      assert.deepEqual((await h.portico.store.getApi(apiId))!.document.restApi.tags, { b: '2' });
    });

    it('answers NotFoundException for unknown ARNs and refuses bad tags without changing any', async () => {
      await rejectsWith(h.v1.send(new GetTagsCommand({ resourceArn: arn('/restapis/nope000000') })), 'NotFoundException');
      await rejectsWith(h.v1.send(new GetTagsCommand({ resourceArn: arn('/vpclinks/abc') })), 'NotFoundException');
      await rejectsWith(h.v1.send(new GetTagsCommand({ resourceArn: 'arn:aws:apigateway:eu-west-1::/restapis/' + apiId })), 'NotFoundException');
      await rejectsWith(h.v1.send(new TagResourceCommand({ resourceArn: arn(`/restapis/${apiId}/stages/nope`), tags: { a: '1' } })), 'NotFoundException');
      const before = (await h.portico.store.getApi(apiId))!.document.restApi.tags;
      await rejectsWith(h.v1.send(new TagResourceCommand({ resourceArn: arn(`/restapis/${apiId}`), tags: { ok: '1', 'aws:reserved': 'x' } })), 'BadRequestException');
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      await rejectsWith(h.v1.send(new TagResourceCommand({ resourceArn: arn(`/restapis/${apiId}`), tags: many })), 'BadRequestException');
      assert.deepEqual((await h.portico.store.getApi(apiId))!.document.restApi.tags, before);
    });
  });

  describe('account', () => {
    it('answers AWS defaults and updates the CloudWatch role', async () => {
      const out = await h.v1.send(new GetAccountCommand({}));
      assert.deepEqual(keysOf(out), ['apiKeyVersion', 'features', 'throttleSettings']);
      assert.deepEqual(out.throttleSettings, { burstLimit: 5000, rateLimit: 10000 });
      assert.equal(out.apiKeyVersion, '4');
      assert.deepEqual(out.features, ['UsagePlans']);
      const role = 'arn:aws:iam::000000000000:role/apigw-logs';
      const updated = await h.v1.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: role }] }));
      assert.equal(updated.cloudwatchRoleArn, role);
      assert.equal((await h.v1.send(new GetAccountCommand({}))).cloudwatchRoleArn, role);

      await rejectsWith(h.v1.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/cloudwatchRoleArn', value: 'not-an-arn' }] })), 'BadRequestException');
      await rejectsWith(h.v1.send(new UpdateAccountCommand({ patchOperations: [{ op: 'replace', path: '/throttleSettings/rateLimit', value: '1' }] })), 'BadRequestException');
      assert.equal((await h.v1.send(new GetAccountCommand({}))).cloudwatchRoleArn, role);
    });
  });
});
