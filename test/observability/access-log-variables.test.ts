/**
 * Access log variables and substitution rules: a stage behind a real Lambda TOKEN authorizer
 * (a Node function run by Portico's runtime, created through the Lambda API), a format set with
 * UpdateStage, real requests, and the log line read back. Covers the authorizer's variables
 * (principalId, context entries, latency, status, error), error.messageString, the longest-name
 * rule, unknown names, text that only looks like a variable, and the escaping of control
 * characters that keeps one event on one line. The format compiler's pure parts (destination
 * ARNs, the presets, the variables a format uses) are checked directly.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateAuthorizerCommand,
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  accessLogVariables,
  ACCESS_LOG_FORMATS,
  compileAccessLogFormat,
  logGroupOfArn,
} from '../../src/observability/access-log-format.js';
import { logFilePath } from '../../src/observability/log-sinks.js';
import { startPortico, type TrafficHarness } from '../gateway/traffic-setup.js';
import { lambdaUri, rawRequest, type RawResponse } from '../helpers.js';
import { handlerZip } from '../fixtures/lambda-api/zips.js';

const AUTHORIZER = `
const policy = (effect, resource) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] });
export const handler = async (event) => {
  const apiWide = event.methodArn.split('/')[0] + '/*';
  if (event.authorizationToken === 'unauthorized') throw new Error('Unauthorized');
  return { principalId: 'user-7', policyDocument: policy('Allow', apiWide), context: { tier: 'gold', n: 7, note: 'line1\\nline2\\ttab' } };
};`;

const FORMAT = [
  'rid=$context.requestId',
  'pid=$context.authorizer.principalId',
  'tier=$context.authorizer.tier',
  'n=$context.authorizer.n',
  'note=$context.authorizer.note',
  'alat=$context.authorizer.latency',
  'astat=$context.authorizer.status',
  'aerr=$context.authorizer.error',
  'ilat=$context.authorizer.integrationLatency',
  'claims=$context.authorizer.claims',
  'claim=$context.authorizer.claims.sub',
  'ua=$context.identity.userAgent',
  'ip=$context.identity.sourceIp',
  'msg=$context.error.messageString',
  'type=$context.error.responseType',
  'unknown=$context.nope.deeper',
  'known=$context.stage.suffix',
  'bare=$context.',
  "input=$input.params('x')",
  'util=$util.escapeJavaScript($context.stage)',
].join('|');

/** The `name=value` fields of a line in FORMAT. */
function fieldsOf(line: string): Record<string, string> {
  return Object.fromEntries(
    line.split('|').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq), part.slice(eq + 1)];
    }),
  );
}

describe('access log variables', () => {
  let h: TrafficHarness;
  let lambda: LambdaClient;
  let api: string;
  const group = 'variables-test';

  const call = (path: string, headers: Record<string, string>): Promise<RawResponse> =>
    rawRequest(h.portico.port, { path: `/_aws/execute-api/${api}/dev/${path}`, headers });

  before(async () => {
    h = await startPortico();
    lambda = new LambdaClient({ endpoint: `http://127.0.0.1:${h.portico.port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
    await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'access-log-authorizer',
        Runtime: 'nodejs20.x',
        Role: 'arn:aws:iam::000000000000:role/lambda-role',
        Handler: 'index.handler',
        Code: { ZipFile: await handlerZip(AUTHORIZER) },
      }),
    );
    const rest = await h.v1.send(new CreateRestApiCommand({ name: 'access-log-variables' }));
    api = rest.id!;
    const authorizer = await h.v1.send(
      new CreateAuthorizerCommand({
        restApiId: api,
        name: 'token',
        type: 'TOKEN',
        authorizerUri: lambdaUri('access-log-authorizer'),
        identitySource: 'method.request.header.Authorization',
        authorizerResultTtlInSeconds: 0,
      }),
    );
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api, parentId: rest.rootResourceId, pathPart: 'me' }));
    const at = { restApiId: api, resourceId: resource.id, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'CUSTOM', authorizerId: authorizer.id }));
    await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
    await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new PutIntegrationResponseCommand({ ...at, statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }));
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: 'dev' }));
    await h.v1.send(
      new UpdateStageCommand({
        restApiId: api,
        stageName: 'dev',
        patchOperations: [
          { op: 'replace', path: '/accessLogSettings/format', value: FORMAT },
          { op: 'replace', path: '/accessLogSettings/destinationArn', value: `arn:aws:logs:us-east-1:000000000000:log-group:${group}` },
        ],
      }),
    );
    await h.portico.registry.settled();
  });
  after(async () => {
    lambda?.destroy();
    await h?.remove();
  });

  it('substitutes the authorizer variables, escapes control characters, and follows the naming rules', async () => {
    const allowed = await call('me', { authorization: 'allow', 'user-agent': 'probe\tv1' });
    const refused = await call('me', { authorization: 'unauthorized' });
    assert.equal(allowed.status, 200, allowed.text);
    assert.equal(refused.status, 401, refused.text);

    await h.portico.observability.logs?.flush();
    const text = await readFile(logFilePath(join(h.dataDir, 'logs'), group), 'utf8');
    const lines = text.split('\n').filter((line) => line !== '');
    assert.equal(lines.length, 2, `one line per event, however many line breaks the values hold:\n${text}`);
    const ok = fieldsOf(lines[0]!);
    const denied = fieldsOf(lines[1]!);

    assert.equal(ok.rid, allowed.headers['x-amzn-requestid']);
    assert.equal(ok.pid, 'user-7');
    assert.equal(ok.tier, 'gold');
    assert.equal(ok.n, '7', 'context values are logged as strings');
    assert.equal(ok.note, 'line1\\nline2\\ttab', 'control characters are escaped');
    assert.match(ok.alat!, /^\d+$/);
    assert.equal(ok.astat, '200');
    assert.equal(ok.aerr, '-');
    assert.match(ok.ilat!, /^\d+$/);
    assert.equal(ok.claims, '-', '$context.authorizer.claims is null');
    assert.equal(ok.claim, '-', 'no Cognito claims on a Lambda-authorized request');
    assert.equal(ok.ua, 'probe\\tv1');
    assert.equal(ok.ip, '127.0.0.1');
    assert.equal(ok.msg, '-');
    assert.equal(ok.type, '-');
    assert.equal(ok.unknown, '-', 'an unknown name prints as absent, all of it');
    assert.equal(ok.known, 'dev.suffix', 'the longest known name is substituted, the rest is text');
    assert.equal(ok.bare, '$context.');
    assert.equal(ok.input, "$input.params('x')", 'only $context is substituted');
    assert.equal(ok.util, '$util.escapeJavaScript(dev)');

    assert.equal(denied.rid, refused.headers['x-amzn-requestid']);
    assert.equal(denied.pid, '-');
    assert.equal(denied.astat, '401');
    assert.equal(denied.aerr, 'Unauthorized');
    assert.equal(denied.msg, '"Unauthorized"', 'error.messageString is the message quoted');
    assert.equal(denied.type, 'UNAUTHORIZED');
  });
});

describe('access log format compiler', () => {
  it('names the log group of a CloudWatch Logs ARN, and of a Firehose stream', () => {
    assert.equal(logGroupOfArn('arn:aws:logs:us-east-1:123456789012:log-group:my-group'), 'my-group');
    assert.equal(logGroupOfArn('arn:aws:logs:eu-west-1:123456789012:log-group:/aws/api/access:*'), '/aws/api/access');
    assert.equal(logGroupOfArn('arn:aws-cn:logs:cn-north-1:123456789012:log-group:cn'), 'cn');
    assert.equal(logGroupOfArn('arn:aws:firehose:us-east-1:123456789012:deliverystream/amazon-apigateway-logs'), 'firehose/amazon-apigateway-logs');
    assert.equal(logGroupOfArn('arn:aws:s3:::bucket'), undefined);
    assert.equal(logGroupOfArn('my-group'), undefined);
    assert.equal(logGroupOfArn('arn:aws:logs:us-east-1:123456789012:log-group:'), undefined);
  });

  it('offers the console presets on one line, each with the request ids', () => {
    for (const [name, format] of Object.entries(ACCESS_LOG_FORMATS)) {
      assert.ok(!/[\r\n]/.test(format), `${name} is one line`);
      const names = accessLogVariables(format);
      assert.ok(names.includes('requestId') && names.includes('extendedRequestId'), `${name}: ${names.join(', ')}`);
      assert.deepEqual(
        [...new Set(names)].sort(),
        [
          'extendedRequestId',
          'httpMethod',
          'identity.caller',
          'identity.sourceIp',
          'identity.user',
          'protocol',
          'requestId',
          'requestTime',
          'resourcePath',
          'responseLength',
          'status',
        ],
        name,
      );
    }
  });

  it('reads names longest first', () => {
    assert.deepEqual(accessLogVariables('$context.authorizer.principalId $context.authorizer.claims.email $context.requestId.x $context.integration.latency'), [
      'authorizer.principalId',
      'authorizer.claims.email',
      'requestId',
      'integration.latency',
    ]);
    assert.deepEqual(accessLogVariables('$context $context. $input.body $stageVariables.x'), []);
  });

  it('prints every request its own values while reusing the unchanged end of the line before', () => {
    // Values change in every position and in runs, so the kept tail grows, shrinks and is
    // rebuilt; each line must still equal plain substitution.
    const format = compileAccessLogFormat('$context.requestId [$context.status] $context.httpMethod $context.resourcePath x$context.responseLength y $context.protocol z');
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(options: T[]): T => options[Math.floor(random() * options.length)]!;
    for (let i = 0; i < 5000; i++) {
      const runOfSame = i % 50 < 25;
      const obs = {
        requestId: pick(['a', 'b', 'c']),
        status: runOfSame ? 200 : pick([200, 0, 404]),
        httpMethod: runOfSame ? 'GET' : pick(['GET', 'POST']),
        method: runOfSame || random() < 0.5 ? { resourcePath: runOfSame ? '/p' : pick(['/p', '/q']) } : undefined,
        responseLength: runOfSame ? 5 : pick([-1, 5, 70, 123456]),
        req: { httpVersion: runOfSame ? '1.1' : pick(['1.1', '1.0', '2.0']), headers: {}, socket: {} },
        stage: {},
      };
      const expected =
        `${obs.requestId} [${obs.status > 0 ? obs.status : '-'}] ${obs.httpMethod} ${obs.method?.resourcePath ?? '-'} ` +
        `x${obs.responseLength < 0 ? '-' : obs.responseLength} y HTTP/${obs.req.httpVersion} z`;
      assert.equal(format(obs as never), expected, `line ${i}`);
    }
  });

  it('compiles a format without variables to its text', () => {
    const format = compileAccessLogFormat('static text');
    assert.equal(format(undefined as never), 'static text');
  });
});
