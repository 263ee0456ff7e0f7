/**
 * apigateway (v1) documentation parts and versions through the real AWS SDK: the parts'
 * lifecycle and location rules, listing filters and paging, imports from OpenAPI in merge and
 * overwrite mode (also through ImportRestApi and PutRestApi), versions and their stages, and
 * that every refused call leaves the API's documentation as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDeploymentCommand,
  CreateDocumentationPartCommand,
  CreateDocumentationVersionCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteDocumentationPartCommand,
  DeleteDocumentationVersionCommand,
  DeleteRestApiCommand,
  GetDocumentationPartCommand,
  GetDocumentationPartsCommand,
  GetDocumentationVersionCommand,
  GetDocumentationVersionsCommand,
  ImportDocumentationPartsCommand,
  ImportRestApiCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  PutRestApiCommand,
  UpdateDocumentationPartCommand,
  UpdateDocumentationVersionCommand,
  type DocumentationPart,
  type DocumentationPartLocation,
} from '@aws-sdk/client-api-gateway';
import type { RestApiDocument } from '../../src/model/rest-api.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

type Json = Record<string, unknown>;

const bytes = (doc: unknown): Uint8Array => new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc));

/** An OpenAPI 3 document whose x-amazon-apigateway-documentation holds `parts`. */
const openApiWith = (parts: unknown[] | undefined): Json => ({
  openapi: '3.0.1',
  info: { title: 'Docs', version: '1' },
  paths: {
    '/': {
      get: {
        responses: { '200': { description: 'ok' } },
        'x-amazon-apigateway-integration': { type: 'mock', requestTemplates: { 'application/json': '{"statusCode": 200}' } },
      },
    },
  },
  ...(parts === undefined ? {} : { 'x-amazon-apigateway-documentation': { version: '1', documentationParts: parts } }),
});

describe('apigateway documentation', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  const newApi = async (): Promise<{ id: string; root: string }> => {
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'docs' }));
    return { id: api.id!, root: api.rootResourceId! };
  };
  const stored = async (id: string): Promise<RestApiDocument> => {
    const api = await h.portico.store.getApi(id);
    assert.ok(api, `API ${id} is stored`);
    return api.document;
  };
  const createPart = (restApiId: string, location: DocumentationPartLocation, properties: unknown = { description: 'x' }) =>
    h.v1.send(
      new CreateDocumentationPartCommand({
        restApiId,
        location,
        properties: typeof properties === 'string' ? properties : JSON.stringify(properties),
      }),
    );
  const listParts = async (restApiId: string, filter: Json = {}): Promise<DocumentationPart[]> => {
    const out = await h.v1.send(new GetDocumentationPartsCommand({ restApiId, limit: 500, ...filter }));
    return out.items ?? [];
  };
  /** What a refused call must leave unchanged. */
  const documentationOf = async (id: string) => {
    const doc = await stored(id);
    return { parts: doc.documentationParts ?? [], versions: doc.documentationVersions ?? [] };
  };

  describe('parts', () => {
    it('creates, reads, lists, updates and deletes a part with AWS shapes and statuses', async () => {
      const { id } = await newApi();
      const properties = '{\n\t"info": {\n\t\t"description" : "Your first API."\n\t}\n}';
      const created = await createPart(id, { type: 'API' }, properties);
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.match(created.id!, /^[a-z0-9]{6}$/);
      assert.deepEqual(created.location, { type: 'API' });
      // The content is kept as sent, not re-serialised.
      assert.equal(created.properties, properties);

      const got = await h.v1.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: created.id }));
      assert.deepEqual({ id: got.id, location: got.location, properties: got.properties }, { id: created.id, location: { type: 'API' }, properties });
      assert.deepEqual((await listParts(id)).map((p) => p.id), [created.id]);

      const updated = await h.v1.send(
        new UpdateDocumentationPartCommand({
          restApiId: id,
          documentationPartId: created.id,
          patchOperations: [{ op: 'replace', path: '/properties', value: '{"description":"new"}' }],
        }),
      );
      assert.equal(updated.$metadata.httpStatusCode, 200);
      assert.equal(updated.properties, '{"description":"new"}');
      assert.equal((await h.v1.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: created.id }))).properties, '{"description":"new"}');

      const deleted = await h.v1.send(new DeleteDocumentationPartCommand({ restApiId: id, documentationPartId: created.id }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      assert.deepEqual(await listParts(id), []);
      await rejectsWith(
        h.v1.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: created.id })),
        'NotFoundException',
        'Invalid Documentation part identifier specified',
      );
    });

    it('fills in the defaults of the location fields each type takes', async () => {
      const { id } = await newApi();
      const cases: [DocumentationPartLocation, DocumentationPartLocation][] = [
        [{ type: 'RESOURCE' }, { type: 'RESOURCE', path: '/' }],
        [{ type: 'METHOD', path: '/pets' }, { type: 'METHOD', path: '/pets', method: '*' }],
        [{ type: 'RESPONSE', statusCode: '404' }, { type: 'RESPONSE', path: '/', method: '*', statusCode: '404' }],
        [{ type: 'RESPONSE_HEADER', name: 'Content-Type' }, { type: 'RESPONSE_HEADER', path: '/', method: '*', statusCode: '*', name: 'Content-Type' }],
        [{ type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'page' }, { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'page' }],
        [{ type: 'MODEL', name: 'Pet' }, { type: 'MODEL', name: 'Pet' }],
        [{ type: 'AUTHORIZER', name: 'auth' }, { type: 'AUTHORIZER', name: 'auth' }],
      ];
      for (const [sent, expected] of cases) {
        const part = await createPart(id, sent);
        assert.deepEqual(part.location, expected, `location of ${JSON.stringify(sent)}`);
      }
      assert.equal((await listParts(id)).length, cases.length);
    });

    it('keeps one part per location, defaults included', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' });
      await createPart(id, { type: 'RESOURCE' });
      const before = await documentationOf(id);
      await rejectsWith(createPart(id, { type: 'API' }), 'ConflictException', "Documentation part already exists for the specified location: type 'API'.");
      await rejectsWith(
        createPart(id, { type: 'RESOURCE', path: '/' }),
        'ConflictException',
        "Documentation part already exists for the specified location: type 'RESOURCE', path '/'.",
      );
      assert.deepEqual(await documentationOf(id), before);
      // The same path under another type is another entity.
      await createPart(id, { type: 'METHOD', path: '/' });
    });

    it('refuses malformed locations and content, changing nothing', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' });
      const before = await documentationOf(id);
      const refused: [DocumentationPartLocation, unknown, string, string | RegExp][] = [
        [
          { type: 'NOPE' as never },
          {},
          'ValidationException',
          "1 validation error detected: Value 'NOPE' at 'createDocumentationPartInput.location.type' failed to satisfy constraint: Member must satisfy enum value set: [RESPONSE_BODY, RESPONSE, METHOD, MODEL, AUTHORIZER, RESPONSE_HEADER, RESOURCE, PATH_PARAMETER, REQUEST_BODY, QUERY_PARAMETER, API, REQUEST_HEADER]",
        ],
        [{ type: 'METHOD', statusCode: '200' }, {}, 'BadRequestException', /statusCode is not a valid field for a location of type METHOD/],
        [{ type: 'API', path: '/pets' }, {}, 'BadRequestException', /path is not a valid field for a location of type API/],
        [{ type: 'PATH_PARAMETER', path: '/pets/{id}' }, {}, 'BadRequestException', /name is required for a location of type PATH_PARAMETER/],
        [{ type: 'MODEL' }, {}, 'BadRequestException', /name is required for a location of type MODEL/],
        [{ type: 'RESPONSE', statusCode: '20x' }, {}, 'ValidationException', /at 'createDocumentationPartInput.location.statusCode' failed to satisfy constraint/],
        [{ type: 'RESOURCE', path: 'pets' }, {}, 'BadRequestException', /must start with '\/'/],
        [{ type: 'METHOD', method: 'FETCH' }, {}, 'BadRequestException', /must be an HTTP method or '\*'/],
        [{ type: 'RESOURCE', path: '/x' }, 'not json', 'BadRequestException', /must be valid JSON/],
        [{ type: 'RESOURCE', path: '/x' }, '[1, 2]', 'BadRequestException', /must be a JSON object/],
      ];
      for (const [location, properties, name, message] of refused) {
        await rejectsWith(createPart(id, location, properties), name, message);
      }
      await rejectsWith(
        h.v1.send(new CreateDocumentationPartCommand({ restApiId: id, location: { type: 'RESOURCE', path: '/y' }, properties: undefined as never })),
        'ValidationException',
        "1 validation error detected: Value null at 'createDocumentationPartInput.properties' failed to satisfy constraint: Member must not be null",
      );
      assert.deepEqual(await documentationOf(id), before);
    });

    it('refuses bad updates and leaves the part as it was', async () => {
      const { id } = await newApi();
      const part = await createPart(id, { type: 'API' }, { description: 'kept' });
      const update = (op: string, path: string, value?: string) =>
        h.v1.send(
          new UpdateDocumentationPartCommand({
            restApiId: id,
            documentationPartId: part.id,
            patchOperations: [{ op: op as 'replace', path, ...(value === undefined ? {} : { value }) }],
          }),
        );
      await rejectsWith(update('add', '/properties', '{}'), 'BadRequestException', "Invalid patch path  '/properties' specified for op 'add'. Please choose supported operations");
      await rejectsWith(update('replace', '/location', '{}'), 'BadRequestException', "Invalid patch path  '/location' specified for op 'replace'. Must be one of: [/properties]");
      await rejectsWith(update('replace', '/properties', '{oops'), 'BadRequestException', /must be valid JSON/);
      await rejectsWith(update('replace', '/properties'), 'BadRequestException', /must be valid JSON/);
      const got = await h.v1.send(new GetDocumentationPartCommand({ restApiId: id, documentationPartId: part.id }));
      assert.equal(got.properties, JSON.stringify({ description: 'kept' }));
      await rejectsWith(
        h.v1.send(new UpdateDocumentationPartCommand({ restApiId: id, documentationPartId: 'nope00', patchOperations: [] })),
        'NotFoundException',
        'Invalid Documentation part identifier specified',
      );
    });

    it('answers AWS’s errors for missing APIs and parts', async () => {
      const { id } = await newApi();
      const part = await createPart(id, { type: 'API' });
      const invalidApi = /^Invalid API identifier specified \d{12}:missing$/;
      await rejectsWith(createPart('missing', { type: 'API' }), 'NotFoundException', invalidApi);
      await rejectsWith(h.v1.send(new GetDocumentationPartsCommand({ restApiId: 'missing' })), 'NotFoundException', invalidApi);
      await rejectsWith(
        h.v1.send(new GetDocumentationPartCommand({ restApiId: 'missing', documentationPartId: part.id })),
        'NotFoundException',
        'Invalid Documentation part identifier specified',
      );
      await rejectsWith(h.v1.send(new DeleteDocumentationPartCommand({ restApiId: 'missing', documentationPartId: part.id })), 'NotFoundException', invalidApi);
      await rejectsWith(
        h.v1.send(new DeleteDocumentationPartCommand({ restApiId: id, documentationPartId: 'nope00' })),
        'NotFoundException',
        'Invalid Documentation part identifier specified',
      );
    });

    it('filters the list by type, path and name', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' });
      await createPart(id, { type: 'RESOURCE', path: '/pets' });
      await createPart(id, { type: 'METHOD', path: '/pets', method: 'GET' });
      await createPart(id, { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'page' });
      await createPart(id, { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'pageSize' });
      await createPart(id, { type: 'MODEL', name: 'Pet' });
      const types = (parts: DocumentationPart[]) => parts.map((p) => `${p.location!.type}:${p.location!.path ?? ''}:${p.location!.name ?? ''}`);

      assert.deepEqual(types(await listParts(id, { type: 'QUERY_PARAMETER' })), ['QUERY_PARAMETER:/pets:page', 'QUERY_PARAMETER:/pets:pageSize']);
      assert.deepEqual(types(await listParts(id, { path: '/pets' })), [
        'RESOURCE:/pets:',
        'METHOD:/pets:',
        'QUERY_PARAMETER:/pets:page',
        'QUERY_PARAMETER:/pets:pageSize',
      ]);
      assert.deepEqual(types(await listParts(id, { nameQuery: 'Size' })), ['QUERY_PARAMETER:/pets:pageSize']);
      assert.deepEqual(types(await listParts(id, { type: 'MODEL', nameQuery: 'Pet' })), ['MODEL::Pet']);
      assert.deepEqual(types(await listParts(id, { locationStatus: 'DOCUMENTED', type: 'API' })), ['API::']);
      await rejectsWith(listParts(id, { type: 'WHATEVER' }), 'ValidationException', /Value 'WHATEVER' at 'type' failed to satisfy constraint/);
      await rejectsWith(listParts(id, { locationStatus: 'SOMETIMES' }), 'ValidationException', /Value 'SOMETIMES' at 'locationStatus'/);
    });

    it('lists the undocumented entities of the API as parts without content', async () => {
      const { id, root } = await newApi();
      const pets = await h.v1.send(new CreateResourceCommand({ restApiId: id, parentId: root, pathPart: 'pets' }));
      await h.v1.send(
        new PutMethodCommand({
          restApiId: id,
          resourceId: pets.id,
          httpMethod: 'GET',
          authorizationType: 'NONE',
          requestParameters: { 'method.request.querystring.page': false, 'method.request.header.x-trace': false },
        }),
      );
      await h.v1.send(new PutMethodResponseCommand({ restApiId: id, resourceId: pets.id, httpMethod: 'GET', statusCode: '200' }));
      await createPart(id, { type: 'API' });
      await createPart(id, { type: 'METHOD', path: '/pets', method: 'GET' });

      const undocumented = await listParts(id, { locationStatus: 'UNDOCUMENTED' });
      for (const item of undocumented) {
        assert.equal(item.id, undefined);
        assert.equal(item.properties, undefined);
      }
      const locations = undocumented.map((p) => p.location);
      assert.deepEqual(locations, [
        { type: 'RESOURCE', path: '/' },
        { type: 'RESOURCE', path: '/pets' },
        { type: 'REQUEST_HEADER', path: '/pets', method: 'GET', name: 'x-trace' },
        { type: 'QUERY_PARAMETER', path: '/pets', method: 'GET', name: 'page' },
        { type: 'RESPONSE', path: '/pets', method: 'GET', statusCode: '200' },
        { type: 'MODEL', name: 'Empty' },
        { type: 'MODEL', name: 'Error' },
      ]);
      assert.deepEqual(
        (await listParts(id, { locationStatus: 'UNDOCUMENTED', type: 'MODEL', nameQuery: 'Err' })).map((p) => p.location),
        [{ type: 'MODEL', name: 'Error' }],
      );
    });

    it('pages through parts with limit and position', async () => {
      const { id } = await newApi();
      const ids: string[] = [];
      for (let i = 0; i < 7; i++) ids.push((await createPart(id, { type: 'RESOURCE', path: `/r${i}` })).id!);
      const seen: string[] = [];
      let position: string | undefined;
      let pages = 0;
      do {
        const page = await h.v1.send(new GetDocumentationPartsCommand({ restApiId: id, limit: 3, ...(position ? { position } : {}) }));
        assert.ok((page.items ?? []).length <= 3);
        seen.push(...(page.items ?? []).map((p) => p.id!));
        position = page.position;
        pages++;
      } while (position && pages < 10);
      assert.equal(pages, 3);
      assert.deepEqual(seen, ids);
      await rejectsWith(h.v1.send(new GetDocumentationPartsCommand({ restApiId: id, limit: 501 })), 'BadRequestException', /limit/);
    });

    it('parts and versions vanish with their API', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' });
      await h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: '1' }));
      await h.v1.send(new DeleteRestApiCommand({ restApiId: id }));
      assert.equal(await h.portico.store.getApi(id), undefined);
      await rejectsWith(h.v1.send(new GetDocumentationPartsCommand({ restApiId: id })), 'NotFoundException', /Invalid API identifier specified/);
      await rejectsWith(h.v1.send(new GetDocumentationVersionsCommand({ restApiId: id })), 'NotFoundException', /Invalid API identifier specified/);
    });
  });

  describe('ImportDocumentationParts', () => {
    const importParts = (restApiId: string, doc: unknown, options: { mode?: 'merge' | 'overwrite'; failOnWarnings?: boolean } = {}) =>
      h.v1.send(new ImportDocumentationPartsCommand({ restApiId, body: bytes(doc), ...options }));

    it('merges: adds new parts and lays imported content over the part at the same location', async () => {
      const { id } = await newApi();
      const api = await createPart(id, { type: 'API' }, { description: 'old', contact: 'me' });
      const model = await createPart(id, { type: 'MODEL', name: 'Pet' }, { title: 'Pet' });
      const out = await importParts(
        id,
        openApiWith([
          { location: { type: 'API' }, properties: { description: 'new' } },
          { location: { type: 'METHOD', method: 'GET' }, properties: { summary: 'root' } },
        ]),
      );
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.warnings, undefined);
      assert.equal(out.ids!.length, 2);
      assert.equal(out.ids![0], api.id);
      const parts = await listParts(id);
      assert.deepEqual(
        parts.map((p) => p.id),
        [api.id, model.id, out.ids![1]],
      );
      assert.deepEqual(JSON.parse(parts[0]!.properties!), { description: 'new', contact: 'me' });
      assert.equal(parts[1]!.properties, JSON.stringify({ title: 'Pet' }));
      assert.deepEqual(parts[2]!.location, { type: 'METHOD', path: '/', method: 'GET' });
    });

    it('overwrites: the collection becomes the document’s parts, with new ids', async () => {
      const { id } = await newApi();
      const old = await createPart(id, { type: 'API' }, { description: 'old' });
      await createPart(id, { type: 'MODEL', name: 'Pet' });
      const out = await importParts(id, openApiWith([{ location: { type: 'API' }, properties: { description: 'new' } }]), { mode: 'overwrite' });
      assert.equal(out.ids!.length, 1);
      assert.notEqual(out.ids![0], old.id);
      const parts = await listParts(id);
      assert.deepEqual(parts.map((p) => [p.id, p.location, JSON.parse(p.properties!)]), [[out.ids![0], { type: 'API' }, { description: 'new' }]]);
      // A document without documentation overwrites with nothing.
      assert.deepEqual((await importParts(id, openApiWith(undefined), { mode: 'overwrite' })).ids, []);
      assert.deepEqual(await listParts(id), []);
    });

    it('skips unusable entries with warnings, or fails on them when asked, changing nothing', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' });
      const before = await documentationOf(id);
      const doc = openApiWith([
        { location: { type: 'MODEL' }, properties: { title: 'no name' } },
        { location: { type: 'RESOURCE', path: '/a' }, properties: { description: 'fine' } },
        'not a part',
      ]);
      const failed = await rejectsWith(importParts(id, doc, { mode: 'overwrite', failOnWarnings: true }), 'BadRequestException', /^Warnings found during import:/);
      assert.match(failed.message, /documentationParts\[0\] was skipped: Invalid location: name is required/);
      assert.deepEqual(await documentationOf(id), before);

      const out = await importParts(id, doc, { mode: 'merge' });
      assert.equal(out.ids!.length, 1);
      assert.equal(out.warnings!.length, 2);
      assert.deepEqual((await listParts(id)).map((p) => p.location!.type), ['API', 'RESOURCE']);
    });

    it('refuses what is not an OpenAPI document and a bad mode, changing nothing', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' });
      const before = await documentationOf(id);
      for (const body of ["{'key:value}", 'a: [b', '{"not": "openapi"}', '']) {
        await rejectsWith(importParts(id, body, { mode: 'overwrite' }), 'BadRequestException', 'Unable to build importer with provided input.');
      }
      await rejectsWith(importParts(id, openApiWith([]), { mode: 'replace' as never }), 'ValidationException', /Value 'replace' at 'mode'/);
      await rejectsWith(importParts('missing', openApiWith([])), 'NotFoundException', /Invalid API identifier specified/);
      assert.deepEqual(await documentationOf(id), before);
    });

    it('imports the parts of a document given to ImportRestApi, unless told to ignore them', async () => {
      const doc = openApiWith([
        { location: { type: 'API' }, properties: { description: 'imported' } },
        { location: { type: 'RESPONSE', method: 'GET', statusCode: '200' }, properties: { description: 'ok' } },
      ]);
      const api = await h.v1.send(new ImportRestApiCommand({ body: bytes(doc), failOnWarnings: true }));
      assert.deepEqual(
        (await listParts(api.id!)).map((p) => p.location),
        [{ type: 'API' }, { type: 'RESPONSE', path: '/', method: 'GET', statusCode: '200' }],
      );
      const ignored = await h.v1.send(new ImportRestApiCommand({ body: bytes(doc), parameters: { ignore: 'documentation' } }));
      assert.deepEqual(await listParts(ignored.id!), []);

      const bad = openApiWith([{ location: { type: 'BAD' }, properties: {} }]);
      const countBefore = (await h.portico.store.listApis()).length;
      await rejectsWith(h.v1.send(new ImportRestApiCommand({ body: bytes(bad), failOnWarnings: true })), 'BadRequestException', /Warnings found during import/);
      assert.equal((await h.portico.store.listApis()).length, countBefore);
    });

    it('keeps versions and merges or replaces parts on PutRestApi', async () => {
      const api = await h.v1.send(new ImportRestApiCommand({ body: bytes(openApiWith([{ location: { type: 'API' }, properties: { a: 1 } }])) }));
      const id = api.id!;
      await createPart(id, { type: 'MODEL', name: 'Empty' }, { title: 'Empty' });
      await h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: 'v1' }));

      await h.v1.send(new PutRestApiCommand({ restApiId: id, mode: 'merge', body: bytes(openApiWith([{ location: { type: 'API' }, properties: { b: 2 } }])) }));
      let parts = await listParts(id);
      assert.deepEqual(parts.map((p) => p.location!.type), ['API', 'MODEL']);
      assert.deepEqual(JSON.parse(parts[0]!.properties!), { a: 1, b: 2 });

      // Without the extension, an overwrite leaves the documentation alone.
      await h.v1.send(new PutRestApiCommand({ restApiId: id, mode: 'overwrite', body: bytes(openApiWith(undefined)) }));
      assert.equal((await listParts(id)).length, 2);

      await h.v1.send(new PutRestApiCommand({ restApiId: id, mode: 'overwrite', body: bytes(openApiWith([{ location: { type: 'RESOURCE' }, properties: { c: 3 } }])) }));
      parts = await listParts(id);
      assert.deepEqual(parts.map((p) => p.location), [{ type: 'RESOURCE', path: '/' }]);
      const versions = await h.v1.send(new GetDocumentationVersionsCommand({ restApiId: id }));
      assert.deepEqual(versions.items!.map((v) => v.version), ['v1']);
    });
  });

  describe('versions', () => {
    it('creates, reads, lists, updates and deletes versions', async () => {
      const { id } = await newApi();
      await createPart(id, { type: 'API' }, { description: 'v1 text' });
      const created = await h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0', description: 'first' }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.equal(created.version, '1.0');
      assert.equal(created.description, 'first');
      assert.ok(created.createdDate instanceof Date && Math.abs(created.createdDate.getTime() - Date.now()) < 60_000);

      const got = await h.v1.send(new GetDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0' }));
      assert.deepEqual([got.version, got.description, got.createdDate?.getTime()], ['1.0', 'first', created.createdDate.getTime()]);

      const updated = await h.v1.send(
        new UpdateDocumentationVersionCommand({
          restApiId: id,
          documentationVersion: '1.0',
          patchOperations: [{ op: 'replace', path: '/description', value: 'renamed' }],
        }),
      );
      assert.equal(updated.description, 'renamed');
      await rejectsWith(
        h.v1.send(new UpdateDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0', patchOperations: [{ op: 'replace', path: '/version', value: '2' }] })),
        'BadRequestException',
        "Invalid patch path  '/version' specified for op 'replace'. Must be one of: [/description]",
      );
      assert.equal((await h.v1.send(new GetDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0' }))).description, 'renamed');

      const deleted = await h.v1.send(new DeleteDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0' }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      await rejectsWith(
        h.v1.send(new GetDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0' })),
        'NotFoundException',
        'Invalid Documentation version identifier specified',
      );
      await rejectsWith(
        h.v1.send(new DeleteDocumentationVersionCommand({ restApiId: id, documentationVersion: '1.0' })),
        'NotFoundException',
        'Invalid Documentation version identifier specified',
      );
    });

    it('snapshots the parts, keeps versions unique and pages through them', async () => {
      const { id } = await newApi();
      const part = await createPart(id, { type: 'API' }, { description: 'then' });
      await h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: 'a' }));
      await h.v1.send(
        new UpdateDocumentationPartCommand({
          restApiId: id,
          documentationPartId: part.id,
          patchOperations: [{ op: 'replace', path: '/properties', value: '{"description":"now"}' }],
        }),
      );
      const snapshot = (await stored(id)).documentationVersions!.find((v) => v.version === 'a')!;
      assert.deepEqual(snapshot.parts.map((p) => [p.id, p.properties]), [[part.id, JSON.stringify({ description: 'then' })]]);

      const before = await documentationOf(id);
      await rejectsWith(h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: 'a' })), 'ConflictException', /already exists/);
      await rejectsWith(
        h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: undefined as never })),
        'ValidationException',
        "1 validation error detected: Value null at 'createDocumentationVersionInput.documentationVersion' failed to satisfy constraint: Member must not be null",
      );
      assert.deepEqual(await documentationOf(id), before);

      for (const v of ['b', 'c', 'd']) await h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: v }));
      const first = await h.v1.send(new GetDocumentationVersionsCommand({ restApiId: id, limit: 3 }));
      assert.deepEqual(first.items!.map((v) => v.version), ['a', 'b', 'c']);
      assert.ok(first.position);
      const second = await h.v1.send(new GetDocumentationVersionsCommand({ restApiId: id, limit: 3, position: first.position }));
      assert.deepEqual(second.items!.map((v) => v.version), ['d']);
      assert.equal(second.position, undefined);
    });

    it('makes a new version a stage’s documentation version, or changes nothing when the stage is missing', async () => {
      const { id, root } = await newApi();
      await h.v1.send(new PutMethodCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
      await h.v1.send(new PutIntegrationCommand({ restApiId: id, resourceId: root, httpMethod: 'GET', type: 'MOCK' }));
      await h.v1.send(new CreateDeploymentCommand({ restApiId: id, stageName: 'dev' }));
      await createPart(id, { type: 'API' });

      await h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: 'v1', stageName: 'dev' }));
      const stage = (await h.portico.store.getStage(id, 'dev')) as unknown as Json;
      assert.equal(stage.documentationVersion, 'v1');

      const before = await documentationOf(id);
      await rejectsWith(
        h.v1.send(new CreateDocumentationVersionCommand({ restApiId: id, documentationVersion: 'v2', stageName: 'prod' })),
        'NotFoundException',
        'Invalid stage identifier specified',
      );
      assert.deepEqual(await documentationOf(id), before);
      await rejectsWith(h.v1.send(new CreateDocumentationVersionCommand({ restApiId: 'missing', documentationVersion: 'v1' })), 'NotFoundException', /Invalid API identifier specified/);
    });
  });
});
