/**
 * GetSdk through the real AWS SDK v3 client: an API built with the SDK, deployed, its
 * JavaScript client downloaded as a ZIP, unpacked with yauzl (a reader independent of the
 * writer), loaded into Node and used to call the deployed stage on Portico's data plane. Also
 * the ZIP writer on its own, signed requests checked by Portico's SigV4 verifier, that the
 * archive follows the deployment rather than later edits, and the errors for unknown stages
 * and SDK types.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import yauzl from 'yauzl';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  DeleteMethodCommand,
  GetSdkCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
} from '@aws-sdk/client-api-gateway';
import { writeZip, ZIP_LIMITS } from '../../src/management/v1/zip-writer.js';
import { sdkMethodName } from '../../src/management/v1/sdk-javascript.js';
import { verifySigV4 } from '../../src/auth/sigv4.js';
import { listen, tempDir } from '../helpers.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const UNZIP = '/usr/bin/unzip';

interface ZipRead {
  data: Buffer;
  compressionMethod: number;
  modified: Date;
  mode: number;
}

/** Every entry of an archive, by name, read with yauzl. */
function readZip(buffer: Buffer): Promise<Map<string, ZipRead>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, ZipRead>();
      zip.on('error', reject);
      zip.on('end', () => resolve(out));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (streamErr, stream) => {
          if (streamErr || !stream) return reject(streamErr ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            out.set(entry.fileName, {
              data: Buffer.concat(chunks),
              compressionMethod: entry.compressionMethod,
              modified: entry.getLastModDate({ forceDosFormat: true, timezone: 'UTC' }),
              mode: entry.externalFileAttributes >>> 16,
            });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** `unzip -t` as a second, independent reader of the archive, where it is installed. */
async function unzipTest(buffer: Buffer, dir: string): Promise<void> {
  if (!existsSync(UNZIP)) return;
  const file = join(dir, `check-${randomBytes(4).toString('hex')}.zip`);
  await writeFile(file, buffer);
  const { stdout } = await promisify(execFile)(UNZIP, ['-t', file]);
  assert.match(stdout, /No errors detected/);
}

type Client = Record<string, (params?: object, body?: unknown, additionalParams?: object) => Promise<any>>;
interface Factory {
  newClient(config?: Record<string, unknown>): Client;
}

describe('ZIP writer', () => {
  it('writes archives two independent readers accept: text, binary data, UTF-8 names, times and modes', async () => {
    const dir = await tempDir('portico-zip-');
    try {
      const text = 'the same line again\n'.repeat(500);
      const noise = randomBytes(4096);
      const modified = new Date(Date.UTC(2024, 4, 17, 13, 45, 30));
      const zip = await writeZip([
        { name: 'folder/text.txt', data: text, modified },
        { name: 'folder/noise.bin', data: noise, mode: 0o755 },
        { name: 'ñandú/empty', data: '' },
      ]);
      const entries = await readZip(zip);
      assert.deepEqual([...entries.keys()], ['folder/text.txt', 'folder/noise.bin', 'ñandú/empty']);
      assert.equal(entries.get('folder/text.txt')!.data.toString('utf8'), text);
      assert.equal(entries.get('folder/text.txt')!.compressionMethod, 8, 'compressible data is deflated');
      assert.deepEqual(entries.get('folder/noise.bin')!.data, noise);
      assert.equal(entries.get('ñandú/empty')!.data.length, 0);
      assert.equal(entries.get('folder/text.txt')!.modified.toISOString(), '2024-05-17T13:45:30.000Z');
      assert.equal(entries.get('folder/noise.bin')!.modified.toISOString(), '1980-01-01T00:00:00.000Z');
      assert.equal(entries.get('folder/noise.bin')!.mode, 0o100755);
      assert.equal(entries.get('folder/text.txt')!.mode, 0o100644);
      assert.ok(zip.length < text.length, 'the archive is smaller than the text it deflated');
      await unzipTest(zip, dir.path);
    } finally {
      await dir.remove();
    }
  });

  it('refuses names that leave the archive, duplicates, and more entries than its bound', async () => {
    for (const name of ['../x', '/abs', 'a/../../b', 'a\\b', 'dir/', '', 'a//b']) {
      await assert.rejects(writeZip([{ name, data: 'x' }]), RangeError, `name ${JSON.stringify(name)}`);
    }
    await assert.rejects(writeZip([{ name: 'a', data: '1' }, { name: 'a', data: '2' }]), RangeError);
    const many = Array.from({ length: ZIP_LIMITS.maxEntries + 1 }, (_, i) => ({ name: `f${i}`, data: '' }));
    await assert.rejects(writeZip(many), RangeError);
    await assert.rejects(writeZip([{ name: 'big', data: Buffer.alloc(ZIP_LIMITS.maxTotalBytes + 1) }]), RangeError);
  });
});

describe('JavaScript SDK method names', () => {
  it('camel-cases the path words, path parameters included, and appends the HTTP method', () => {
    assert.equal(sdkMethodName('/', 'GET'), 'rootGet');
    assert.equal(sdkMethodName('/', 'POST'), 'rootPost');
    assert.equal(sdkMethodName('/{a}/{b}/{op}', 'GET'), 'aBOpGet');
    assert.equal(sdkMethodName('/pets/{petId}', 'GET'), 'petsPetIdGet');
    assert.equal(sdkMethodName('/pets/{petId}', 'DELETE'), 'petsPetIdDelete');
    assert.equal(sdkMethodName('/my-items/{item_id}', 'OPTIONS'), 'myItemsItemIdOptions');
    assert.equal(sdkMethodName('/files/{proxy+}', 'GET'), 'filesProxyGet');
    assert.equal(sdkMethodName('/2fa', 'PUT'), '_2faPut');
  });
});

describe('apigateway GetSdk (javascript)', () => {
  let h: ManagementHarness;
  let dir: { path: string; remove(): Promise<void> };
  let apiId: string;
  let rootId: string;
  let petsId: string;
  let petIdId: string;
  let loadCount = 0;

  before(async () => {
    h = await startManagement();
    dir = await tempDir('portico-sdk-');
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'Pet Shop' }));
    apiId = api.id!;
    rootId = api.rootResourceId!;
    petsId = (await resource(rootId, 'pets')).id!;
    petIdId = (await resource(petsId, '{petId}')).id!;
    const filesId = (await resource(rootId, 'files')).id!;
    const proxyId = (await resource(filesId, '{proxy+}')).id!;
    const itemsId = (await resource(rootId, 'my-items')).id!;
    const anyId = (await resource(rootId, 'anything')).id!;

    await mockMethod(rootId, 'GET', '{"root": true}');
    await mockMethod(
      petsId,
      'GET',
      `{"type": "$input.params('type')", "page": "$input.params('page')", "trace": "$input.params('x-trace')", ` +
        `"key": "$input.params('x-api-key')", "extraQuery": "$input.params('debug')", "extraHeader": "$input.params('x-extra')", ` +
        `"accept": "$input.params('Accept')"}`,
      {
        'method.request.querystring.type': true,
        'method.request.querystring.page': false,
        'method.request.header.x-trace': false,
      },
    );
    await mockMethod(petIdId, 'GET', `{"petId": "$input.params('petId')"}`, { 'method.request.path.petId': true });
    await mockMethod(petIdId, 'DELETE', `{"deleted": "$input.params('petId')"}`, { 'method.request.path.petId': true });
    await mockMethod(proxyId, 'GET', `{"proxy": "$input.params('proxy')"}`, { 'method.request.path.proxy': true });
    await mockMethod(itemsId, 'GET', '{"items": []}');
    await mockMethod(anyId, 'ANY', '{"any": true}');

    // POST /pets answers the status its body names: 200 by default, 404 as a modeled error.
    await h.v1.send(new PutMethodCommand({ restApiId: apiId, resourceId: petsId, httpMethod: 'POST', authorizationType: 'NONE' }));
    await h.v1.send(
      new PutIntegrationCommand({
        restApiId: apiId,
        resourceId: petsId,
        httpMethod: 'POST',
        type: 'MOCK',
        requestTemplates: { 'application/json': `{"statusCode": $input.json('$.code')}` },
      }),
    );
    for (const [status, pattern, template] of [
      ['200', undefined, `{"created": true, "contentType": "$input.params('Content-Type')"}`],
      ['404', '404', '{"message": "no such pet"}'],
    ] as const) {
      await h.v1.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId: petsId, httpMethod: 'POST', statusCode: status }));
      await h.v1.send(
        new PutIntegrationResponseCommand({
          restApiId: apiId,
          resourceId: petsId,
          httpMethod: 'POST',
          statusCode: status,
          ...(pattern ? { selectionPattern: pattern } : {}),
          responseTemplates: { 'application/json': template },
        }),
      );
    }
    await deploy();
  });
  after(async () => {
    await h.close();
    await dir.remove();
  });

  async function resource(parentId: string, pathPart: string) {
    return h.v1.send(new CreateResourceCommand({ restApiId: apiId, parentId, pathPart }));
  }

  async function mockMethod(resourceId: string, httpMethod: string, template: string, requestParameters: Record<string, boolean> = {}) {
    const common = { restApiId: apiId, resourceId, httpMethod };
    await h.v1.send(new PutMethodCommand({ ...common, authorizationType: 'NONE', requestParameters }));
    await h.v1.send(new PutIntegrationCommand({ ...common, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new PutMethodResponseCommand({ ...common, statusCode: '200' }));
    await h.v1.send(new PutIntegrationResponseCommand({ ...common, statusCode: '200', responseTemplates: { 'application/json': template } }));
  }

  async function deploy(stageName = 'test') {
    await h.v1.send(new CreateDeploymentCommand({ restApiId: apiId, stageName }));
    await h.portico.registry.settled();
  }

  const getSdk = (stageName = 'test', sdkType = 'javascript', restApiId = apiId) =>
    h.v1.send(new GetSdkCommand({ restApiId, stageName, sdkType }));

  /** Downloads the stage's SDK and returns its files' text. */
  async function download(stageName = 'test') {
    const out = await getSdk(stageName);
    const zip = Buffer.from(out.body!);
    const entries = await readZip(zip);
    const text = (name: string) => entries.get(`apiGateway-js-sdk/${name}`)?.data.toString('utf8');
    return { out, zip, entries, client: text('apigClient.js')!, readme: text('README.md')! };
  }

  /** Writes a client's source to its own file and loads it the way a Node.js application would. */
  async function load(source: string): Promise<Factory> {
    const file = join(dir.path, `client-${++loadCount}`, 'apigClient.js');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, source);
    const mod = (await import(pathToFileURL(file).href)) as { apigClientFactory: Factory };
    return mod.apigClientFactory;
  }

  const invokeUrl = (stageName = 'test') => `${h.endpoint}/_aws/execute-api/${apiId}/${stageName}`;

  it('answers a ZIP download named like AWS names it, with the client and a README', async () => {
    const { out, zip, entries, client, readme } = await download();
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.equal(out.contentType, 'application/octet-stream');
    assert.match(out.contentDisposition!, /^attachment; filename="javascript_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}Z\.zip"$/);
    assert.deepEqual([...entries.keys()].sort(), ['apiGateway-js-sdk/README.md', 'apiGateway-js-sdk/apigClient.js']);
    assert.ok(client.includes(JSON.stringify(invokeUrl())), 'the stage invoke URL is baked in');
    assert.match(readme, /petsPetIdGet/);
    assert.ok(readme.includes(invokeUrl()));
    await unzipTest(zip, dir.path);
  });

  it('generates one method per resource and verb, named as AWS names them, without ANY methods', async () => {
    const factory = await load((await download()).client);
    const client = factory.newClient();
    assert.deepEqual(Object.keys(client).sort(), [
      'filesProxyGet',
      'myItemsGet',
      'petsGet',
      'petsPetIdDelete',
      'petsPetIdGet',
      'petsPost',
      'rootGet',
    ]);
    for (const fn of Object.values(client)) assert.equal(typeof fn, 'function');
  });

  it('also runs as a classic script, as a <script> tag loads it, defining apigClientFactory globally', async () => {
    const { client: source } = await download();
    // A fresh realm with only what a browser page would offer the script: no module, no require.
    const page: Record<string, any> = { fetch, URL, TextEncoder, crypto: globalThis.crypto };
    runInNewContext(source, page, { filename: 'apigClient.js' });
    assert.equal(typeof page.apigClientFactory?.newClient, 'function');
    const out = await page.apigClientFactory.newClient().rootGet();
    // The data was parsed in the other realm, so compare it as JSON rather than by prototype.
    assert.equal(JSON.stringify(out.data), '{"root":true}');
  });

  it('calls the deployed stage: root, path, greedy path, query and header parameters, bodies', async () => {
    const client = (await load((await download()).client)).newClient();
    const root = await client.rootGet!();
    assert.equal(root.status, 200);
    assert.deepEqual(root.data, { root: true });
    assert.match(root.headers['content-type'], /application\/json/);

    const pets = await client.petsGet!({ type: 'cat & dog', page: 2, 'x-trace': 'trace-1' });
    assert.deepEqual(pets.data, {
      type: 'cat & dog',
      page: '2',
      trace: 'trace-1',
      key: '',
      extraQuery: '',
      extraHeader: '',
      accept: 'application/json',
    });

    // Mapping templates see path parameters as sent; the wire encoding is checked in the signing test.
    assert.deepEqual((await client.petsPetIdGet!({ petId: 'rex-2' })).data, { petId: 'rex-2' });
    assert.deepEqual((await client.petsPetIdDelete!({ petId: 'rex' })).data, { deleted: 'rex' });
    assert.deepEqual((await client.filesProxyGet!({ proxy: 'docs/2024/readme.txt' })).data, { proxy: 'docs/2024/readme.txt' });
    assert.deepEqual((await client.myItemsGet!()).data, { items: [] });

    const created = await client.petsPost!({}, { code: 200, name: 'rex' });
    assert.equal(created.status, 200);
    assert.deepEqual(created.data, { created: true, contentType: 'application/json' });
  });

  it('rejects non-2xx answers with the status and the parsed body', async () => {
    const client = (await load((await download()).client)).newClient();
    await assert.rejects(client.petsPost!({}, { code: 404 }), (err: any) => {
      assert.equal(Object.prototype.toString.call(err), '[object Error]');
      assert.equal(err.status, 404);
      assert.deepEqual(err.data, { message: 'no such pet' });
      assert.equal(err.response.status, 404);
      return true;
    });
  });

  it('sends the API key as x-api-key, and unmodeled headers and query parameters from additionalParams', async () => {
    const client = (await load((await download()).client)).newClient({ apiKey: 'key-123', defaultAcceptType: 'application/json' });
    const out = await client.petsGet!({ type: 'cat' }, undefined, { headers: { 'x-extra': 'yes' }, queryParams: { debug: 'on' } });
    assert.equal(out.data.key, 'key-123');
    assert.equal(out.data.extraHeader, 'yes');
    assert.equal(out.data.extraQuery, 'on');
    assert.equal(out.data.page, '', 'an optional parameter may be left out');
  });

  it('rejects a call missing a required parameter before sending anything', async () => {
    let sent = 0;
    const counting = (url: string, init: object) => {
      sent++;
      return fetch(url, init);
    };
    const client = (await load((await download()).client)).newClient({ fetch: counting });
    await assert.rejects(client.petsGet!({ page: 1 }), { name: 'TypeError', message: 'Missing required parameter: type' });
    await assert.rejects(client.petsPetIdGet!(), { name: 'TypeError', message: 'Missing required parameter: petId' });
    assert.equal(sent, 0);
    await client.petsGet!({ type: 'cat' });
    assert.equal(sent, 1, 'the fetch given in the config is the one used');
  });

  it('signs requests with SigV4 when given credentials, as Portico\'s verifier checks them', async () => {
    const credential = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
    const seen: Array<{ url: string; verified: boolean; body: string }> = [];
    const server = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const result = verifySigV4(
          { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body },
          { lookup: (id) => (id === credential.accessKeyId ? credential : undefined), service: 'execute-api', region: 'eu-west-1' },
        );
        seen.push({ url: req.url ?? '', verified: result.ok, body: body.toString('utf8') });
        res.writeHead(result.ok ? 200 : 403, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result.ok ? { ok: true } : { message: result.message }));
      });
    });
    try {
      const { client: source } = await download();
      // The same generated client, pointed at a server that verifies signatures instead of the stage.
      const local = `http://127.0.0.1:${server.port}/_aws/execute-api/${apiId}/test`;
      assert.ok(source.includes(JSON.stringify(invokeUrl())));
      const factory = await load(source.replace(JSON.stringify(invokeUrl()), JSON.stringify(local)));
      const signed = factory.newClient({
        accessKey: credential.accessKeyId,
        secretKey: credential.secretAccessKey,
        sessionToken: credential.sessionToken,
        region: 'eu-west-1',
        apiKey: 'key-1',
      });
      const got = await signed.petsGet!({ type: "a b*c!~'é", 'x-trace': '  spaced   value ' }, undefined, { queryParams: { tag: ['z', 'a'], empty: '' } });
      assert.deepEqual(got.data, { ok: true });
      assert.equal(seen.at(-1)!.url, `/_aws/execute-api/${apiId}/test/pets?type=a%20b%2Ac%21~%27%C3%A9&tag=z&tag=a&empty=`);
      assert.deepEqual((await signed.filesProxyGet!({ proxy: 'a b/c.txt' })).data, { ok: true });
      assert.equal(seen.at(-1)!.url, `/_aws/execute-api/${apiId}/test/files/a%20b/c.txt`);
      assert.deepEqual((await signed.petsPost!({}, { code: 200, name: 'ünïcode' })).data, { ok: true });
      assert.equal(seen.at(-1)!.body, '{"code":200,"name":"ünïcode"}');

      const wrong = factory.newClient({ accessKey: credential.accessKeyId, secretKey: 'not-the-secret', sessionToken: credential.sessionToken, region: 'eu-west-1' });
      await assert.rejects(wrong.rootGet!(), (err: any) => err.status === 403 && /signature/.test(err.data.message));
      assert.equal(seen.at(-1)!.verified, false);

      const unsigned = factory.newClient();
      await assert.rejects(unsigned.rootGet!(), (err: any) => err.status === 403 && err.data.message === 'Missing Authentication Token');
    } finally {
      await server.close();
    }
  });

  it('follows the deployed API, not later edits, until the API is deployed again', async () => {
    const laterId = (await resource(rootId, 'later')).id!;
    await mockMethod(laterId, 'GET', '{"later": true}');
    await h.v1.send(new DeleteMethodCommand({ restApiId: apiId, resourceId: petIdId, httpMethod: 'DELETE' }));

    const deployed = (await load((await download()).client)).newClient();
    assert.equal(deployed.laterGet, undefined, 'an undeployed method is not in the client');
    assert.equal(typeof deployed.petsPetIdDelete, 'function', 'a method deleted since the deployment is still in the client');
    assert.deepEqual((await deployed.petsPetIdDelete!({ petId: 'rex' })).data, { deleted: 'rex' });

    await deploy('next');
    const next = await download('next');
    assert.ok(next.client.includes(JSON.stringify(invokeUrl('next'))), 'each stage bakes in its own URL');
    const redeployed = (await load(next.client)).newClient();
    assert.equal(redeployed.petsPetIdDelete, undefined);
    assert.deepEqual((await redeployed.laterGet!()).data, { later: true });
    assert.equal((await download('test')).client.includes('laterGet'), false, 'the first stage still has its deployment');
  });

  it('answers NotFoundException for an unknown API, stage or SDK type', async () => {
    await rejectsWith(getSdk('nope'), 'NotFoundException', 'Invalid stage identifier specified');
    await rejectsWith(getSdk('test', 'javascript', 'abcdefghij'), 'NotFoundException', /^Invalid API identifier specified \d{12}:abcdefghij$/);
    await rejectsWith(getSdk('test', 'cobol'), 'NotFoundException', 'Invalid SDK type specified: cobol');
  });

  it('answers BadRequestException for SDK types Portico does not generate', async () => {
    for (const type of ['android', 'java', 'objectivec', 'swift', 'ruby']) {
      const err = await rejectsWith(getSdk('test', type), 'BadRequestException');
      assert.equal(err.$metadata?.httpStatusCode, 400);
      assert.ok(err.message.includes(`'${type}'`) && err.message.includes('not generated by Portico'), err.message);
    }
  });
});
