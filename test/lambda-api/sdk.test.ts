/**
 * The Lambda API driven by the real AWS SDK v3 LambdaClient against a real Portico: the
 * function life cycle, Invoke in its three types, concurrency, and Lambda's errors as the SDK
 * surfaces them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  PutFunctionConcurrencyCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  paginateListFunctions,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { Portico } from '../../src/portico.js';
import { tempDir, writeHandler, UUID } from '../helpers.js';
import { buildZip, handlerZip, symlinkZip, zipDeclaringSize, zipWithEntryName } from '../fixtures/lambda-api/zips.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const ECHO = `export const handler = async (event, context) => ({ version: 1, event, greeting: process.env.GREETING ?? null, requestId: context.awsRequestId });`;
const ECHO_V2 = `export const handler = async (event) => ({ version: 2, event });`;
const THROWER = `export const handler = async () => { throw new TypeError('boom'); };`;
const LOGGER = `export const handler = async (event) => { console.log('hello from the handler'); return 'logged'; };`;
const WRITER = `import { writeFileSync } from 'node:fs'; export const handler = async (event) => { writeFileSync(event.file, 'ran:' + event.n); return null; };`;

const decode = (payload: Uint8Array | undefined): unknown => JSON.parse(Buffer.from(payload ?? []).toString('utf8'));

async function rejectsWith(promise: Promise<unknown>, name: string, message?: RegExp): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    const e = err as Error & { $metadata?: { httpStatusCode?: number } };
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}

describe('Lambda API with the AWS SDK v3', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  let client: LambdaClient;
  let codeRoot: string;

  const create = async (name: string, source: string, extra: Partial<CreateFunctionCommandInput> = {}) =>
    client.send(
      new CreateFunctionCommand({
        FunctionName: name,
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { ZipFile: await handlerZip(source) },
        ...extra,
      }),
    );

  before(async () => {
    dir = await tempDir('portico-lambda-sdk-');
    portico = await Portico.start({ dataDir: join(dir.path, 'data'), port: 0 });
    codeRoot = join(dir.path, 'data', 'functions');
    client = new LambdaClient({
      endpoint: portico.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      // Throttling tests must see the first 429, not a retried one.
      maxAttempts: 1,
    });
  });

  after(async () => {
    client.destroy();
    await portico.close();
    await dir.remove();
  });

  it('creates a function from a zip and describes it as Lambda does', async () => {
    const zip = await handlerZip(ECHO);
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: 'echo',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Description: 'echoes',
        Timeout: 10,
        MemorySize: 256,
        Code: { ZipFile: zip },
        Tags: { team: 'api' },
      }),
    );
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.equal(created.FunctionName, 'echo');
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:echo');
    assert.equal(created.Runtime, 'nodejs20.x');
    assert.equal(created.Role, ROLE);
    assert.equal(created.Handler, 'index.handler');
    assert.equal(created.Description, 'echoes');
    assert.equal(created.Timeout, 10);
    assert.equal(created.MemorySize, 256);
    assert.equal(created.CodeSize, zip.length);
    const { createHash } = await import('node:crypto');
    assert.equal(created.CodeSha256, createHash('sha256').update(zip).digest('base64'));
    assert.equal(created.Version, '$LATEST');
    assert.match(created.LastModified ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    assert.match(created.RevisionId ?? '', UUID);
    assert.equal(created.State, 'Active');
    assert.equal(created.LastUpdateStatus, 'Successful');
    assert.equal(created.PackageType, 'Zip');
    assert.deepEqual(created.Architectures, ['x86_64']);
    assert.deepEqual(created.EphemeralStorage, { Size: 512 });
    assert.deepEqual(created.TracingConfig, { Mode: 'PassThrough' });
    assert.deepEqual(created.SnapStart, { ApplyOn: 'None', OptimizationStatus: 'Off' });
    assert.deepEqual(created.LoggingConfig, { LogFormat: 'Text', LogGroup: '/aws/lambda/echo' });
    assert.equal(created.Environment, undefined);

    const got = await client.send(new GetFunctionCommand({ FunctionName: 'echo' }));
    assert.equal(got.Configuration?.RevisionId, created.RevisionId);
    assert.equal(got.Code?.RepositoryType, 'S3');
    assert.deepEqual(got.Tags, { team: 'api' });
    // The location is a working download link for the very zip uploaded.
    const download = await fetch(got.Code!.Location!);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), zip);
    // Change the signature's first character to a different one (a fixed replacement would leave
    // the link unchanged whenever the signature already starts with it).
    const tampered = await fetch(got.Code!.Location!.replace(/Signature=(.)/, (_, c: string) => `Signature=${c === 'A' ? 'B' : 'A'}`));
    assert.equal(tampered.status, 403);

    const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    assert.deepEqual(config.FunctionArn, created.FunctionArn);
  });

  it('addresses a function by name, partial ARN, full ARN and the $LATEST qualifier', async () => {
    for (const FunctionName of [
      'echo',
      '000000000000:function:echo',
      'arn:aws:lambda:us-east-1:000000000000:function:echo',
      'arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST',
      'echo:$LATEST',
    ]) {
      const got = await client.send(new GetFunctionConfigurationCommand({ FunctionName }));
      assert.equal(got.FunctionName, 'echo', FunctionName);
    }
    const byQuery = await client.send(new GetFunctionCommand({ FunctionName: 'echo', Qualifier: '$LATEST' }));
    assert.equal(byQuery.Configuration?.FunctionName, 'echo');
    await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: 'echo', Qualifier: '1' })), 'ResourceNotFoundException', /function:echo:1$/);
    await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: 'echo:prod' })), 'ResourceNotFoundException');
  });

  it('invokes synchronously and returns the payload, the executed version and the log tail', async () => {
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from(JSON.stringify({ a: 1 })), LogType: 'Tail' }),
    );
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, undefined);
    assert.equal(out.ExecutedVersion, '$LATEST');
    const payload = decode(out.Payload) as { version: number; event: unknown; requestId: string };
    assert.equal(payload.version, 1);
    assert.deepEqual(payload.event, { a: 1 });
    // The function sees the request id the response carries.
    assert.equal(payload.requestId, out.$metadata.requestId);
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    assert.match(log, new RegExp(`^START RequestId: ${out.$metadata.requestId} Version: \\$LATEST`));
    assert.match(log, /REPORT RequestId:/);
    const empty = await client.send(new InvokeCommand({ FunctionName: 'echo' }));
    assert.deepEqual((decode(empty.Payload) as { event: unknown }).event, {});
  });

  it('returns the log tail of a handler that logs only when asked', async () => {
    await create('logger', LOGGER);
    const out = await client.send(new InvokeCommand({ FunctionName: 'logger', LogType: 'Tail' }));
    assert.equal(decode(out.Payload), 'logged');
    const log = Buffer.from(out.LogResult ?? '', 'base64').toString('utf8');
    assert.match(log, /START RequestId:/);
    assert.match(log, /hello from the handler/);
    const none = await client.send(new InvokeCommand({ FunctionName: 'logger' }));
    assert.equal(none.LogResult, undefined);
  });

  it('reports a thrown error as an Unhandled function error with Lambda\'s payload', async () => {
    await create('thrower', THROWER);
    const out = await client.send(new InvokeCommand({ FunctionName: 'thrower', Payload: Buffer.from('{}') }));
    assert.equal(out.StatusCode, 200);
    assert.equal(out.FunctionError, 'Unhandled');
    assert.equal(out.ExecutedVersion, '$LATEST');
    const payload = decode(out.Payload) as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual(Object.keys(payload), ['errorType', 'errorMessage', 'trace']);
    assert.equal(payload.errorType, 'TypeError');
    assert.equal(payload.errorMessage, 'boom');
    assert.ok(Array.isArray(payload.trace) && payload.trace[0]!.includes('TypeError: boom'));
  });

  it('runs an Event invocation in the background (202) and a DryRun only checks (204)', async () => {
    await create('writer', WRITER);
    const file = join(dir.path, 'event-ran.txt');
    const out = await client.send(
      new InvokeCommand({ FunctionName: 'writer', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ file, n: 7 })) }),
    );
    assert.equal(out.StatusCode, 202);
    assert.equal(Buffer.from(out.Payload ?? []).length, 0);
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(50);
    assert.equal(await readFile(file, 'utf8'), 'ran:7');

    const dry = await client.send(new InvokeCommand({ FunctionName: 'writer', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'missing', InvocationType: 'DryRun' })), 'ResourceNotFoundException');
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'missing', InvocationType: 'Event' })), 'ResourceNotFoundException');
  });

  it('rejects a payload that is not JSON, or larger than 6 MB', async () => {
    await rejectsWith(
      client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{not json') })),
      'InvalidRequestContentException',
      /^Could not parse request body into json/,
    );
    const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(6_291_456) }));
    const err = await rejectsWith(
      client.send(new InvokeCommand({ FunctionName: 'echo', Payload: big })),
      'RequestTooLargeException',
      /^Request must be smaller than 6291456 bytes for the InvokeFunction operation$/,
    );
    assert.equal(err.$metadata?.httpStatusCode, 413);
  });

  it('replaces the code with UpdateFunctionCode and removes the old archive', async () => {
    const before = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'echo' }));
    const dirsBefore = await readdir(join(codeRoot, 'echo'));
    const zip = await handlerZip(ECHO_V2);
    const updated = await client.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: zip }));
    assert.equal(updated.CodeSize, zip.length);
    assert.notEqual(updated.CodeSha256, before.CodeSha256);
    assert.notEqual(updated.RevisionId, before.RevisionId);
    assert.equal(updated.Timeout, 10, 'configuration is kept');
    const out = await client.send(new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from('{"b":2}') }));
    assert.deepEqual(decode(out.Payload), { version: 2, event: { b: 2 } });
    const dirsAfter = await readdir(join(codeRoot, 'echo'));
    assert.equal(dirsAfter.length, dirsBefore.length, 'one unpacked directory and its zip, old ones gone');
    for (const name of dirsBefore) assert.ok(!dirsAfter.includes(name), `${name} should have been removed`);

    // A stale RevisionId is refused and changes nothing.
    await rejectsWith(
      client.send(new UpdateFunctionCodeCommand({ FunctionName: 'echo', ZipFile: await handlerZip(ECHO), RevisionId: before.RevisionId })),
      'PreconditionFailedException',
    );
    assert.deepEqual(await readdir(join(codeRoot, 'echo')), dirsAfter);
  });

  it('applies UpdateFunctionConfiguration to the next invocation', async () => {
    await create('configured', ECHO);
    const updated = await client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Environment: { Variables: { GREETING: 'hola' } }, Timeout: 30 }),
    );
    assert.deepEqual(updated.Environment, { Variables: { GREETING: 'hola' } });
    assert.equal(updated.Timeout, 30);
    const out = await client.send(new InvokeCommand({ FunctionName: 'configured' }));
    assert.equal((decode(out.Payload) as { greeting: string }).greeting, 'hola');

    await rejectsWith(
      client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Environment: { Variables: { AWS_REGION: 'x' } } })),
      'InvalidParameterValueException',
      /reserved keys.*AWS_REGION/,
    );
    await rejectsWith(
      client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', MemorySize: 64 })),
      'ValidationException',
      /Value '64' at 'memorySize' failed to satisfy constraint/,
    );
    await rejectsWith(
      client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'configured', Description: 'x', RevisionId: '00000000-0000-4000-8000-000000000000' })),
      'PreconditionFailedException',
    );
  });

  it('puts, gets and deletes reserved concurrency; zero throttles every invocation', async () => {
    const put = await client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'configured', ReservedConcurrentExecutions: 5 }));
    assert.equal(put.ReservedConcurrentExecutions, 5);
    const got = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'configured' }));
    assert.equal(got.ReservedConcurrentExecutions, 5);
    const fn = await client.send(new GetFunctionCommand({ FunctionName: 'configured' }));
    assert.deepEqual(fn.Concurrency, { ReservedConcurrentExecutions: 5 });

    await client.send(new PutFunctionConcurrencyCommand({ FunctionName: 'configured', ReservedConcurrentExecutions: 0 }));
    const throttled = await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'configured' })), 'TooManyRequestsException', /^Rate Exceeded\.$/);
    assert.equal((throttled as unknown as { Reason: string }).Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
    assert.equal(throttled.$metadata?.httpStatusCode, 429);

    const deleted = await client.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'configured' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    const after = await client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'configured' }));
    assert.equal(after.ReservedConcurrentExecutions, undefined);
    const out = await client.send(new InvokeCommand({ FunctionName: 'configured' }));
    assert.equal(out.StatusCode, 200);
    await rejectsWith(client.send(new GetFunctionConcurrencyCommand({ FunctionName: 'missing' })), 'ResourceNotFoundException');
  });

  it('lists functions a page at a time', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await create(n, ECHO);
    const all = (await client.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName!);
    assert.ok(all.length >= 7);
    assert.deepEqual(all, [...all].sort());
    assert.equal((await client.send(new ListFunctionsCommand({}))).NextMarker, undefined);

    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      assert.ok(page.Functions!.length <= 2);
      seen.push(...page.Functions!.map((f) => f.FunctionName!));
      marker = page.NextMarker;
      pages++;
    } while (marker);
    assert.deepEqual(seen, all);
    assert.equal(pages, Math.ceil(all.length / 2));

    const paginated: string[] = [];
    for await (const page of paginateListFunctions({ client, pageSize: 3 }, {})) paginated.push(...page.Functions!.map((f) => f.FunctionName!));
    assert.deepEqual(paginated, all);
  });

  it('deletes a function with its unpacked code', async () => {
    await create('doomed', ECHO);
    await client.send(new InvokeCommand({ FunctionName: 'doomed' }));
    const deleted = await client.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }));
    assert.equal(deleted.$metadata.httpStatusCode, 204);
    const err = await rejectsWith(
      client.send(new GetFunctionCommand({ FunctionName: 'doomed' })),
      'ResourceNotFoundException',
      /^Function not found: arn:aws:lambda:us-east-1:000000000000:function:doomed$/,
    );
    assert.equal(err.$metadata?.httpStatusCode, 404);
    assert.equal(existsSync(join(codeRoot, 'doomed')), false);
    await rejectsWith(client.send(new InvokeCommand({ FunctionName: 'doomed' })), 'ResourceNotFoundException');
    await rejectsWith(client.send(new DeleteFunctionCommand({ FunctionName: 'doomed' })), 'ResourceNotFoundException');
  });

  it('refuses a second function of the same name', async () => {
    await rejectsWith(create('echo', ECHO), 'ResourceConflictException', /^Function already exist: echo$/);
  });

  it('refuses bad settings with Lambda\'s errors', async () => {
    await rejectsWith(create('bad-runtime', ECHO, { Runtime: 'java21' }), 'InvalidParameterValueException', /runtime parameter of java21 is not supported/);
    await rejectsWith(create('bad-timeout', ECHO, { Timeout: 901 }), 'ValidationException', /at 'timeout'/);
    await rejectsWith(create('bad-role', ECHO, { Role: 'not-a-role' }), 'ValidationException', /at 'role'/);
    await rejectsWith(create('bad name!', ECHO), 'ValidationException', /at 'functionName'/);
    await rejectsWith(create('no-handler', ECHO, { Handler: undefined }), 'InvalidParameterValueException', /Runtime and Handler are mandatory/);
    await rejectsWith(
      create('from-s3', ECHO, { Code: { S3Bucket: 'my-bucket', S3Key: 'code.zip' } }),
      'InvalidParameterValueException',
      /cannot fetch code from S3 bucket 'my-bucket'/,
    );
    await rejectsWith(create('image', ECHO, { Code: { ImageUri: 'x/y:1' }, PackageType: 'Image' }), 'InvalidParameterValueException', /Zip functions only/);
    for (const name of ['bad-runtime', 'bad-timeout', 'bad-role', 'no-handler', 'from-s3', 'image']) {
      assert.equal(existsSync(join(codeRoot, name)), false, `${name} wrote nothing`);
    }
  });

  it('refuses zip-slip and absolute entries, symlinks, zip bombs and corrupt zips, writing nothing', async () => {
    const cases: [string, Buffer, RegExp][] = [
      ['slip', await zipWithEntryName('../escaped.txt'), /outside the function's code directory/],
      ['slip-deep', await zipWithEntryName('a/../../escaped.txt'), /outside the function's code directory/],
      ['absolute', await zipWithEntryName('/tmp/escaped.txt'), /outside the function's code directory/],
      ['bomb', await zipDeclaringSize(262_144_001), /^Unzipped size must be smaller than 262144000 bytes$/],
      ['symlink', await symlinkZip(), /symbolic link/],
      ['corrupt', Buffer.from('PK\u0003\u0004 definitely not a zip'), /^Could not unzip uploaded file\. Please check your file, then try to upload again\.$/],
    ];
    for (const [name, zip, message] of cases) {
      await rejectsWith(create(name, '', { Code: { ZipFile: zip } }), 'InvalidParameterValueException', message);
      assert.equal(existsSync(join(codeRoot, name)), false, `${name}: nothing unpacked`);
      await rejectsWith(client.send(new GetFunctionCommand({ FunctionName: name })), 'ResourceNotFoundException');
    }
    assert.equal(existsSync(join(codeRoot, 'escaped.txt')), false);
    assert.equal(existsSync(join(dir.path, 'data', 'escaped.txt')), false);
    assert.equal(existsSync('/tmp/escaped.txt'), false);
  });

  it('keeps the executable bit of a bootstrap', async () => {
    const zip = await buildZip([
      { name: 'bootstrap', content: '#!/bin/sh\necho hi\n', mode: 0o100755 },
      { name: 'lib/data.txt', content: 'data', mode: 0o100644 },
    ]);
    await client.send(
      new CreateFunctionCommand({ FunctionName: 'custom', Runtime: 'provided.al2023', Role: ROLE, Handler: 'bootstrap', Code: { ZipFile: zip } }),
    );
    const [unpacked] = (await readdir(join(codeRoot, 'custom'))).filter((n) => !n.endsWith('.zip'));
    const bootstrap = await stat(join(codeRoot, 'custom', unpacked!, 'bootstrap'));
    assert.equal(bootstrap.mode & 0o111, 0o111);
    const data = await stat(join(codeRoot, 'custom', unpacked!, 'lib', 'data.txt'));
    assert.equal(data.mode & 0o111, 0);
  });

  it('serves a local directory in place with S3Bucket portico-local, and never deletes it', async () => {
    const code = await writeHandler(dir.path, 'local-code', `export const handler = async () => ({ local: true });`);
    const created = await client.send(
      new CreateFunctionCommand({
        FunctionName: 'local',
        Runtime: 'nodejs20.x',
        Role: ROLE,
        Handler: 'index.handler',
        Code: { S3Bucket: 'portico-local', S3Key: code },
      }),
    );
    const { createHash } = await import('node:crypto');
    assert.equal(created.CodeSha256, createHash('sha256').update(code).digest('base64'));
    const out = await client.send(new InvokeCommand({ FunctionName: 'local' }));
    assert.deepEqual(decode(out.Payload), { local: true });
    const got = await client.send(new GetFunctionCommand({ FunctionName: 'local' }));
    assert.match(got.Code!.Location!, /^file:\/\//);

    await rejectsWith(
      create('local-missing', ECHO, { Code: { S3Bucket: 'hot-reload', S3Key: join(dir.path, 'nope') } }),
      'InvalidParameterValueException',
      /does not exist/,
    );
    await client.send(new DeleteFunctionCommand({ FunctionName: 'local' }));
    assert.equal(existsSync(join(code, 'index.mjs')), true);
  });

  it('lists functions declared outside the Lambda API with Lambda defaults', async () => {
    const code = await writeHandler(dir.path, 'declared-code', `export const handler = async () => 'declared';`);
    await portico.putFunction({
      functionName: 'declared',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      codeDirectory: code,
      timeout: 3,
      memorySize: 128,
      environment: {},
    });
    const config = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'declared' }));
    assert.equal(config.Role, 'arn:aws:iam::000000000000:role/portico-local');
    assert.match(config.RevisionId ?? '', UUID);
    assert.equal(config.Description, '');
    assert.equal(config.CodeSize, 0);
    // The derived RevisionId is stable, so it works as a precondition.
    const again = await client.send(new GetFunctionConfigurationCommand({ FunctionName: 'declared' }));
    assert.equal(again.RevisionId, config.RevisionId);
    const updated = await client.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: 'declared', Description: 'now managed', RevisionId: config.RevisionId }),
    );
    assert.equal(updated.Description, 'now managed');
    const out = await client.send(new InvokeCommand({ FunctionName: 'declared' }));
    assert.equal(decode(out.Payload), 'declared');
    const listed = (await client.send(new ListFunctionsCommand({}))).Functions!.map((f) => f.FunctionName);
    assert.ok(listed.includes('declared'));
  });
});
