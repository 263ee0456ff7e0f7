/**
 * The Lambda API on the wire: exact error bodies and headers, routing of names, ARNs and
 * qualifiers in the path, requests the SDK would never send, and the boundary with the data
 * plane (paths the Lambda API does not own are left to it).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Portico } from '../../src/portico.js';
import { rawRequest, tempDir, UUID, type RawResponse } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';
import { signedRequest } from '../fixtures/lambda-api/signed.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

function assertError(res: RawResponse, status: number, code: string, body: Record<string, unknown>): void {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers['x-amzn-errortype'], code);
  assert.match(String(res.headers['x-amzn-requestid']), UUID);
  assert.equal(res.headers['content-type'], 'application/json');
  assert.deepEqual(res.json(), body);
}

describe('Lambda API on the wire', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  const call = (spec: Parameters<typeof signedRequest>[1]) => signedRequest(portico.port, spec);

  before(async () => {
    dir = await tempDir('portico-lambda-wire-');
    portico = await Portico.start({ dataDir: join(dir.path, 'data'), port: 0 });
    const zip = await handlerZip(`export const handler = async (event) => event;`);
    const created = await call({
      method: 'POST',
      path: '/2015-03-31/functions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: zip.toString('base64') },
      }),
    });
    assert.equal(created.status, 201, created.text);
  });

  after(async () => {
    await portico.close();
    await dir.remove();
  });

  it('answers a missing function with Lambda\'s exact error', async () => {
    assertError(await call({ path: '/2015-03-31/functions/nope' }), 404, 'ResourceNotFoundException', {
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope',
    });
    assertError(await call({ method: 'POST', path: '/2015-03-31/functions/nope/invocations', body: '{}' }), 404, 'ResourceNotFoundException', {
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope',
    });
  });

  it('refuses malformed JSON, non-object bodies and bad base64', async () => {
    for (const body of ['{bad', '[1,2]', '"text"']) {
      const res = await call({ method: 'POST', path: '/2015-03-31/functions', body });
      assert.equal(res.status, 400);
      assert.equal(res.headers['x-amzn-errortype'], 'InvalidRequestContentException');
      assert.equal(res.json().Type, 'User');
      assert.match(res.json().message, /^Could not parse request body into json: /);
    }
    const res = await call({
      method: 'POST',
      path: '/2015-03-31/functions',
      body: JSON.stringify({ FunctionName: 'b64', Runtime: 'nodejs20.x', Role: ROLE, Handler: 'index.handler', Code: { ZipFile: 'not base64!' } }),
    });
    assert.equal(res.headers['x-amzn-errortype'], 'InvalidRequestContentException');
    const typed = await call({ method: 'PUT', path: '/2015-03-31/functions/echo/configuration', body: JSON.stringify({ Timeout: 'ten' }) });
    assert.equal(typed.status, 400);
    assert.equal(typed.headers['x-amzn-errortype'], 'InvalidRequestContentException');
  });

  it('reports several constraint violations at once, as Lambda\'s front end does', async () => {
    const res = await call({
      method: 'POST',
      path: '/2015-03-31/functions',
      body: JSON.stringify({ FunctionName: 'v', Runtime: 'nodejs20.x', Handler: 'index.handler', Code: {}, Timeout: 0 }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers['x-amzn-errortype'], 'ValidationException');
    assert.equal(res.json().message, "1 validation error detected: Value null at 'role' failed to satisfy constraint: Member must not be null");
    const two = await call({
      method: 'PUT',
      path: '/2015-03-31/functions/echo/configuration',
      body: JSON.stringify({ Timeout: 0, MemorySize: 99999 }),
    });
    assert.match(two.json().message, /^2 validation errors detected: Value '0' at 'timeout'.*; Value '99999' at 'memorySize'/);
    const list = await call({ path: '/2015-03-31/functions/', query: { MaxItems: '0' } });
    assert.equal(list.headers['x-amzn-errortype'], 'ValidationException');
  });

  it('resolves percent-encoded ARNs and qualifiers in the path and the query', async () => {
    for (const path of [
      '/2015-03-31/functions/echo%3A%24LATEST/configuration',
      '/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aecho/configuration',
      '/2015-03-31/functions/000000000000%3Afunction%3Aecho%3A%24LATEST/configuration',
    ]) {
      const res = await call({ path });
      assert.equal(res.status, 200, `${path}: ${res.text}`);
      assert.equal(res.json().FunctionName, 'echo');
    }
    assert.equal((await call({ path: '/2015-03-31/functions/echo', query: { Qualifier: '$LATEST' } })).status, 200);
    assertError(await call({ path: '/2015-03-31/functions/echo', query: { Qualifier: 'prod' } }), 404, 'ResourceNotFoundException', {
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:prod',
    });
    const mismatch = await call({ path: '/2015-03-31/functions/echo%3A%24LATEST', query: { Qualifier: '1' } });
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.headers['x-amzn-errortype'], 'InvalidParameterValueException');
    // Undecodable or impossible names are simply not found, never a crash.
    for (const path of ['/2015-03-31/functions/%E0%A4%A', '/2015-03-31/functions/a%2Fb', `/2015-03-31/functions/${'x'.repeat(65)}`]) {
      const res = await call({ path });
      assert.equal(res.status, 404, path);
      assert.equal(res.headers['x-amzn-errortype'], 'ResourceNotFoundException');
    }
  });

  it('answers Invoke with Lambda\'s headers and raw payload', async () => {
    const res = await call({ method: 'POST', path: '/2015-03-31/functions/echo/invocations', body: '{"k": [1, 2]}' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-amz-executed-version'], '$LATEST');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['x-amz-function-error'], undefined);
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
    assert.equal(res.text, '{"k":[1,2]}');

    const bad = await call({
      method: 'POST',
      path: '/2015-03-31/functions/echo/invocations',
      headers: { 'x-amz-invocation-type': 'Sometimes' },
      body: '{}',
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['x-amzn-errortype'], 'ValidationException');

    const notJson = await call({ method: 'POST', path: '/2015-03-31/functions/echo/invocations', body: 'hello' });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.headers['x-amzn-errortype'], 'InvalidRequestContentException');
    assert.match(notJson.json().message, /^Could not parse request body into json: Could not parse payload into json: /);

    const event = await call({ method: 'POST', path: '/2015-03-31/functions/echo/invocations', headers: { 'x-amz-invocation-type': 'Event' }, body: '{}' });
    assert.equal(event.status, 202);
    assert.equal(event.text, '');
    assert.match(String(event.headers['x-amzn-requestid']), UUID);
    const dry = await call({ method: 'POST', path: '/2015-03-31/functions/echo/invocations', headers: { 'x-amz-invocation-type': 'DryRun' } });
    assert.equal(dry.status, 204);
    assert.match(String(dry.headers['x-amzn-requestid']), UUID);
  });

  it('answers an oversized payload with 413 and Lambda\'s message', async () => {
    const res = await call({ method: 'POST', path: '/2015-03-31/functions/echo/invocations', body: Buffer.alloc(6_291_457, 0x20) });
    assertError(res, 413, 'RequestTooLargeException', {
      Type: 'User',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    // Exactly at the limit is still read (and here refused only because it is not JSON).
    const atLimit = await call({ method: 'POST', path: '/2015-03-31/functions/echo/invocations', body: Buffer.alloc(6_291_456, 0x61) });
    assert.equal(atLimit.headers['x-amzn-errortype'], 'InvalidRequestContentException');
  });

  it('refuses a code upload over Lambda\'s request limit', async () => {
    // Unsigned on purpose: the size is checked before the signature, which needs the whole body.
    const res = await rawRequest(portico.port, {
      method: 'POST',
      path: '/2015-03-31/functions',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(70_167_212, 0x20),
    });
    assertError(res, 413, 'RequestTooLargeException', {
      Type: 'User',
      message: 'Request must be smaller than 70167211 bytes for the CreateFunction operation',
    });
  });

  it('lets exactly one of several racing CreateFunction calls win, leaving one code directory', async () => {
    const body = async (n: number) =>
      JSON.stringify({
        FunctionName: 'racer',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: (await handlerZip(`export const handler = async () => ${n};`)).toString('base64') },
      });
    const results = await Promise.all([1, 2, 3].map(async (n) => call({ method: 'POST', path: '/2015-03-31/functions', body: await body(n) })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [201, 409, 409]);
    const entries = await readdir(join(dir.path, 'data', 'functions', 'racer'));
    assert.equal(entries.length, 2, `one directory and its zip: ${entries.join(', ')}`);

    // Racing code updates all apply, one after the other; only the last one's files remain.
    const updates = await Promise.all(
      [4, 5, 6].map(async (n) =>
        call({
          method: 'PUT',
          path: '/2015-03-31/functions/racer/code',
          body: JSON.stringify({ ZipFile: (await handlerZip(`export const handler = async () => ${n};`)).toString('base64') }),
        }),
      ),
    );
    assert.deepEqual(updates.map((r) => r.status), [200, 200, 200]);
    const after = await readdir(join(dir.path, 'data', 'functions', 'racer'));
    assert.equal(after.length, 2, `one directory and its zip: ${after.join(', ')}`);
    const current = (await call({ path: '/2015-03-31/functions/racer/configuration' })).json();
    const invoked = await call({ method: 'POST', path: '/2015-03-31/functions/racer/invocations' });
    const winner = updates.find((u) => u.json().RevisionId === current.RevisionId)!;
    assert.ok(winner, 'the stored revision is one of the updates');
    assert.ok(['4', '5', '6'].includes(invoked.text));
  });

  it('answers an unknown operation under /2015-03-31/ itself', async () => {
    for (const [method, path] of [
      ['GET', '/2015-03-31/functions/echo/aliases'],
      ['PATCH', '/2015-03-31/functions/echo'],
      ['GET', '/2015-03-31/event-source-mappings/'],
      ['GET', '/2017-10-31/functions/echo/concurrency'],
    ] as const) {
      const res = await call({ method, path });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.headers['x-amzn-errortype'], 'UnknownOperationException');
      assert.equal(res.json().Type, 'User');
    }
  });

  it('leaves paths it does not own to the data plane', async () => {
    for (const path of ['/', '/2017-03-31/tags/x', '/2015-03-31', '/functions/echo', '/_aws/execute-api/abcdefghij/dev/2015-03-31/functions']) {
      const res = await rawRequest(portico.port, { path });
      assert.equal(res.status, 404, path);
      assert.equal(res.headers['x-amzn-errortype'], 'NotFoundException', path);
    }
  });

  it('refuses unsigned requests with the authenticator\'s answer', async () => {
    const res = await rawRequest(portico.port, { path: '/2015-03-31/functions/echo' });
    assert.equal(res.status, 403);
    assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
    assert.match(String(res.headers['x-amzn-requestid']), UUID);
    assert.equal(typeof res.json().message, 'string');
  });

  it('lists with NextMarker only while more remain, from /functions and /functions/', async () => {
    const a = await call({ path: '/2015-03-31/functions' });
    const b = await call({ path: '/2015-03-31/functions/' });
    assert.equal(a.status, 200);
    assert.deepEqual(a.json(), b.json());
    assert.equal('NextMarker' in a.json(), false);
    const names = a.json().Functions.map((f: { FunctionName: string }) => f.FunctionName);
    assert.ok(names.includes('echo'));
    assert.deepEqual(names, [...names].sort());
    const first = await call({ path: '/2015-03-31/functions/', query: { MaxItems: '1' } });
    assert.equal(first.json().Functions.length, 1);
    assert.equal(typeof first.json().NextMarker, names.length > 1 ? 'string' : 'undefined');
  });

  it('rejects a code download link that has expired or was altered', async () => {
    const got = (await call({ path: '/2015-03-31/functions/echo' })).json();
    const location = new URL(got.Code.Location);
    assert.equal(location.host, `127.0.0.1:${portico.port}`);
    const ok = await rawRequest(portico.port, { path: location.pathname + location.search });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'application/zip');
    const expired = new URLSearchParams(location.search);
    expired.set('Expires', '1000');
    assert.equal((await rawRequest(portico.port, { path: `${location.pathname}?${expired}` })).status, 403);
    const other = location.pathname.replace(/[0-9a-f-]{36}\.zip$/, '00000000-0000-4000-8000-000000000000.zip');
    assert.equal((await rawRequest(portico.port, { path: other + location.search })).status, 403);
    assert.equal((await rawRequest(portico.port, { path: '/_aws/lambda/code/../../etc/passwd' })).status, 403);
  });
});
