/**
 * The Lambda API driven by the AWS CLI v2 (`/usr/bin/aws`) as a user would: create from a zip
 * file, invoke with a payload, reconfigure, list (following NextMarker) and delete.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Portico } from '../../src/portico.js';
import { AWS_CLI, awsCliEnv, awsCliMissing, tempDir } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
const HANDLER = `export const handler = async (event) => ({ got: event, greeting: process.env.GREETING ?? null });`;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

// Skipped only off CI, on a machine without the AWS CLI v2 at /usr/bin/aws (the reason is
// awsCliMissing's text); under CI a missing CLI fails this test instead.
describe('Lambda API with the AWS CLI v2', { skip: awsCliMissing }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;

  /** Runs the CLI asynchronously: Portico answers it from this same process. */
  const aws = (...args: string[]): Promise<CliResult> =>
    new Promise((resolve) => {
      const env = awsCliEnv(dir.path);
      execFile(AWS_CLI, ['--endpoint-url', portico.url, 'lambda', ...args], { env, cwd: dir.path, timeout: 60_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  const ok = async (...args: string[]): Promise<any> => {
    const r = await aws(...args);
    assert.equal(r.code, 0, `aws lambda ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout.trim() === '' ? undefined : JSON.parse(r.stdout);
  };

  before(async () => {
    dir = await tempDir('portico-lambda-cli-');
    portico = await Portico.start({ dataDir: join(dir.path, 'data'), port: 0 });
    await writeFile(join(dir.path, 'function.zip'), await handlerZip(HANDLER));
  });

  after(async () => {
    await portico.close();
    await dir.remove();
  });

  it('creates a function from --zip-file fileb://', async () => {
    const created = await ok(
      'create-function',
      '--function-name', 'cli-fn',
      '--runtime', 'nodejs20.x',
      '--role', ROLE,
      '--handler', 'index.handler',
      '--zip-file', `fileb://${join(dir.path, 'function.zip')}`,
    );
    assert.equal(created.FunctionName, 'cli-fn');
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:cli-fn');
    assert.equal(created.State, 'Active');
    assert.equal(created.CodeSize, (await readFile(join(dir.path, 'function.zip'))).length);
  });

  it('invokes with a raw JSON payload into an output file, with the log tail', async () => {
    const out = join(dir.path, 'out.json');
    const result = await ok(
      'invoke',
      '--function-name', 'cli-fn',
      '--cli-binary-format', 'raw-in-base64-out',
      '--payload', '{"a":1}',
      '--log-type', 'Tail',
      out,
    );
    assert.equal(result.StatusCode, 200);
    assert.equal(result.ExecutedVersion, '$LATEST');
    assert.equal(result.FunctionError, undefined);
    assert.match(Buffer.from(result.LogResult, 'base64').toString('utf8'), /START RequestId: [0-9a-f-]{36} Version: \$LATEST/);
    assert.deepEqual(JSON.parse(await readFile(out, 'utf8')), { got: { a: 1 }, greeting: null });
  });

  it('updates the configuration and the next invocation sees it', async () => {
    const updated = await ok('update-function-configuration', '--function-name', 'cli-fn', '--environment', 'Variables={GREETING=hello}', '--timeout', '7');
    assert.deepEqual(updated.Environment, { Variables: { GREETING: 'hello' } });
    assert.equal(updated.Timeout, 7);
    const out = join(dir.path, 'out2.json');
    await ok('invoke', '--function-name', 'cli-fn', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', out);
    assert.equal(JSON.parse(await readFile(out, 'utf8')).greeting, 'hello');
  });

  it('lists functions, following NextMarker page by page', async () => {
    for (const name of ['cli-fn-2', 'cli-fn-3']) {
      await ok('create-function', '--function-name', name, '--runtime', 'nodejs20.x', '--role', ROLE, '--handler', 'index.handler', '--zip-file', `fileb://${join(dir.path, 'function.zip')}`);
    }
    const all = await ok('list-functions');
    assert.deepEqual(all.Functions.map((f: { FunctionName: string }) => f.FunctionName), ['cli-fn', 'cli-fn-2', 'cli-fn-3']);
    // --page-size 1 makes the CLI request one function per call and follow every NextMarker.
    const paged = await ok('list-functions', '--page-size', '1');
    assert.deepEqual(paged.Functions.map((f: { FunctionName: string }) => f.FunctionName), ['cli-fn', 'cli-fn-2', 'cli-fn-3']);
  });

  it('deletes a function; afterwards the CLI reports ResourceNotFoundException', async () => {
    const deleted = await aws('delete-function', '--function-name', 'cli-fn');
    assert.equal(deleted.code, 0, deleted.stderr);
    const missing = await aws('get-function', '--function-name', 'cli-fn');
    assert.equal(missing.code, 254);
    assert.match(
      missing.stderr,
      /An error occurred \(ResourceNotFoundException\) when calling the GetFunction operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:cli-fn/,
    );
  });
});
