/**
 * Access logs as a user sets them up: each of the console's four formats (CLF, JSON, XML, CSV)
 * put on a stage with UpdateStage through the real AWS SDK, real requests against a real
 * Portico (a 200, a 403 for a path no resource matches, a 403 for a missing API key, a 500
 * from a backend that cannot be reached), then the log file read back and parsed line by line:
 * every field is checked against what the client saw.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutIntegrationResponseCommand,
  PutMethodCommand,
  PutMethodResponseCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { CLF_FORMAT, CSV_FORMAT, JSON_FORMAT, XML_FORMAT } from '../../src/observability/access-log-format.js';
import { logFilePath } from '../../src/observability/log-sinks.js';
import { call, mockApi, setStage, startPortico, STAGE, type TrafficHarness } from '../gateway/traffic-setup.js';
import { listen, type RawResponse } from '../helpers.js';

const REQUEST_TIME = /^\d{2}\/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;
const arnOf = (group: string): string => `arn:aws:logs:us-east-1:000000000000:log-group:${group}`;

/** The fields every preset logs, by the JSON preset's names. */
interface Fields {
  requestId: string;
  extendedRequestId: string;
  ip: string;
  caller: string;
  user: string;
  requestTime: string;
  httpMethod: string;
  resourcePath: string;
  status: string;
  protocol: string;
  responseLength: string;
}

const PARSERS: Record<string, (line: string) => Fields> = {
  JSON: (line) => JSON.parse(line) as Fields,
  CLF: (line) => {
    const m = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\S+) (\S+) (\S+) (\S+)$/.exec(line);
    assert.ok(m, `CLF line: ${line}`);
    const [, ip, caller, user, requestTime, httpMethod, resourcePath, protocol, status, responseLength, requestId, extendedRequestId] = m;
    return { ip, caller, user, requestTime, httpMethod, resourcePath, protocol, status, responseLength, requestId, extendedRequestId } as Fields;
  },
  XML: (line) => {
    const root = /^<request id="([^"]*)">(.*)<\/request>$/.exec(line);
    assert.ok(root, `XML line: ${line}`);
    const fields: Record<string, string> = { requestId: root[1]! };
    for (const m of root[2]!.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) fields[m[1]!] = m[2]!;
    return fields as unknown as Fields;
  },
  CSV: (line) => {
    const cells = line.split(',');
    assert.equal(cells.length, 11, `CSV line: ${line}`);
    const [ip, caller, user, requestTime, httpMethod, resourcePath, protocol, status, responseLength, requestId, extendedRequestId] = cells;
    return { ip, caller, user, requestTime, httpMethod, resourcePath, protocol, status, responseLength, requestId, extendedRequestId } as Fields;
  },
};

const PRESETS: Record<string, string> = { CLF: CLF_FORMAT, JSON: JSON_FORMAT, XML: XML_FORMAT, CSV: CSV_FORMAT };

async function readLines(h: TrafficHarness, group: string): Promise<string[]> {
  await h.portico.observability.logs?.flush();
  const text = await readFile(logFilePath(join(h.dataDir, 'logs'), group), 'utf8');
  assert.ok(text.endsWith('\n'), 'every event ends its line');
  return text.slice(0, -1).split('\n');
}

describe('access log presets', () => {
  let h: TrafficHarness;
  before(async () => {
    h = await startPortico();
  });
  after(() => h?.remove());

  for (const [name, format] of Object.entries(PRESETS)) {
    it(`writes the ${name} preset with the values the client saw`, async () => {
      const api = await mockApi(h, `preset-${name}`, [{ path: 'pets' }, { path: 'keyed', keyed: true }]);
      const group = `/aws/apigateway/presets-${name}`;
      await setStage(h, api, { '/accessLogSettings/format': format, '/accessLogSettings/destinationArn': arnOf(group) });

      const ok = await call(h, api, 'pets');
      const unmatched = await call(h, api, 'nowhere');
      const keyless = await call(h, api, 'keyed');
      assert.equal(ok.status, 200);
      assert.equal(unmatched.status, 403);
      assert.equal(keyless.status, 403);

      const lines = await readLines(h, group);
      assert.equal(lines.length, 3, lines.join('\n'));
      const [first, second, third] = lines.map((line) => PARSERS[name]!(line));

      const expectCommon = (fields: Fields, res: RawResponse, why: string): void => {
        assert.equal(fields.requestId, res.headers['x-amzn-requestid'], `${why}: requestId`);
        assert.equal(fields.extendedRequestId, res.headers['x-amz-apigw-id'], `${why}: extendedRequestId`);
        assert.equal(fields.status, String(res.status), `${why}: status`);
        assert.equal(fields.responseLength, String(res.body.length), `${why}: responseLength`);
        assert.equal(fields.httpMethod, 'GET', `${why}: httpMethod`);
        assert.match(fields.requestTime, REQUEST_TIME, `${why}: requestTime`);
        assert.equal(fields.caller, '-', `${why}: no IAM caller`);
        assert.equal(fields.user, '-', `${why}: no IAM user`);
      };
      expectCommon(first!, ok, '200');
      assert.equal(first!.ip, '127.0.0.1');
      assert.equal(first!.resourcePath, '/pets');
      assert.equal(first!.protocol, 'HTTP/1.1');

      expectCommon(second!, unmatched, 'unmatched path');
      // No method matched: what only a matched method knows prints as absent.
      assert.equal(second!.resourcePath, '-');
      assert.equal(second!.ip, '127.0.0.1');
      assert.equal(second!.protocol, 'HTTP/1.1');

      expectCommon(third!, keyless, 'missing API key');
      assert.equal(third!.resourcePath, '/keyed');
      assert.equal(third!.ip, '127.0.0.1');
    });
  }

  it('logs the error, integration and timing variables of a failing backend, and stops logging when the settings are removed', async () => {
    const api = await mockApi(h, 'custom-format', [{ path: 'pets' }]);
    // A backend port that refuses connections: open one, then close it.
    const closed = await listen((_req, res) => res.end());
    const deadPort = closed.port;
    await closed.close();
    const resources = await h.v1.send(new GetResourcesCommand({ restApiId: api }));
    const root = resources.items!.find((r) => r.path === '/')!;
    const down = await h.v1.send(new CreateResourceCommand({ restApiId: api, parentId: root.id, pathPart: 'down' }));
    await h.v1.send(new PutMethodCommand({ restApiId: api, resourceId: down.id, httpMethod: 'GET', authorizationType: 'NONE' }));
    await h.v1.send(
      new PutIntegrationCommand({
        restApiId: api,
        resourceId: down.id,
        httpMethod: 'GET',
        type: 'HTTP_PROXY',
        integrationHttpMethod: 'GET',
        uri: `http://127.0.0.1:${deadPort}/`,
      }),
    );
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: STAGE }));
    const format =
      '{"id":"$context.requestId","status":"$context.status","message":"$context.error.message",' +
      '"type":"$context.error.responseType","integrationStatus":"$context.integration.status","integrationError":"$context.integration.error",' +
      '"integrationLatency":"$context.integrationLatency","latency":"$context.responseLatency","path":"$context.path","stage":"$context.stage",' +
      '"apiId":"$context.apiId","resourceId":"$context.resourceId","epoch":"$context.requestTimeEpoch","trace":"$context.xrayTraceId",' +
      '"domain":"$context.domainName","waf":"$context.wafResponseCode","unknown":"$context.noSuchVariable","input":"$input.body","principal":"$context.authorizer.principalId"}';
    await setStage(h, api, { '/accessLogSettings/format': format, '/accessLogSettings/destinationArn': `${arnOf('custom')}:*` });

    const failed = await call(h, api, 'down');
    const ok = await call(h, api, 'pets');
    assert.equal(failed.status, 500);
    assert.equal(ok.status, 200);

    const [bad, good] = (await readLines(h, 'custom')).map((line) => JSON.parse(line) as Record<string, string>);
    assert.equal(bad!.id, failed.headers['x-amzn-requestid']);
    assert.equal(bad!.status, '500');
    assert.equal(bad!.message, 'Internal server error');
    assert.equal(bad!.type, 'INTEGRATION_FAILURE');
    assert.equal(bad!.integrationStatus, '-', 'the backend never answered');
    assert.equal(bad!.integrationError, 'Internal server error');
    assert.match(bad!.integrationLatency!, /^\d+$/);
    assert.match(bad!.latency!, /^\d+$/);
    assert.equal(bad!.path, `/${STAGE}/down`);
    assert.equal(bad!.stage, STAGE);
    assert.equal(bad!.apiId, api);
    assert.equal(bad!.resourceId, down.id);
    assert.equal(bad!.domain, '127.0.0.1', 'the Host header without its port');
    assert.equal(bad!.waf, '-');
    assert.equal(bad!.unknown, '-');
    assert.equal(bad!.input, '$input.body', 'only $context is substituted');
    assert.equal(bad!.principal, '-');
    assert.ok(Math.abs(Number(bad!.epoch) - Date.now()) < 60_000, `requestTimeEpoch ${bad!.epoch}`);
    assert.match(bad!.trace!, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);

    assert.equal(good!.id, ok.headers['x-amzn-requestid']);
    assert.equal(good!.status, '200');
    assert.equal(good!.message, '-');
    assert.equal(good!.integrationStatus, '200');
    assert.equal(good!.integrationError, '-');

    // Without a destination the stage writes nothing more.
    await h.v1.send(
      new UpdateStageCommand({
        restApiId: api,
        stageName: STAGE,
        patchOperations: [{ op: 'remove', path: '/accessLogSettings' }],
      }),
    );
    await h.portico.registry.settled();
    await call(h, api, 'pets');
    assert.equal((await readLines(h, 'custom')).length, 2);
  });

  it('shows mapping templates the same request time as the access log', async () => {
    // The observation's clock reading is the request's arrival for both, so the two agree to
    // the millisecond (they were read separately before, and could differ by one).
    const created = await h.v1.send(new CreateRestApiCommand({ name: 'request-time' }));
    const api = created.id!;
    const resource = await h.v1.send(new CreateResourceCommand({ restApiId: api, parentId: created.rootResourceId, pathPart: 'time' }));
    const at = { restApiId: api, resourceId: resource.id, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE' }));
    await h.v1.send(new PutMethodResponseCommand({ ...at, statusCode: '200' }));
    await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(
      new PutIntegrationResponseCommand({
        ...at,
        statusCode: '200',
        responseTemplates: { 'application/json': '{"id":"$context.requestId","epoch":$context.requestTimeEpoch,"time":"$context.requestTime"}' },
      }),
    );
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api, stageName: STAGE }));
    await h.portico.registry.settled();
    await setStage(h, api, {
      '/accessLogSettings/format': '$context.requestId $context.requestTimeEpoch [$context.requestTime]',
      '/accessLogSettings/destinationArn': arnOf('request-time'),
    });
    const seen = new Map<string, { epoch: number; time: string }>();
    for (let i = 0; i < 40; i++) {
      const res = await call(h, api, 'time');
      assert.equal(res.status, 200);
      const body = JSON.parse(res.body.toString()) as { id: string; epoch: number; time: string };
      seen.set(body.id, body);
    }
    const lines = await readLines(h, 'request-time');
    assert.equal(lines.length, 40);
    for (const line of lines) {
      const m = /^(\S+) (\d+) \[([^\]]+)\]$/.exec(line);
      assert.ok(m, line);
      const template = seen.get(m[1]!);
      assert.ok(template, `a response for ${m[1]}`);
      assert.equal(Number(m[2]), template.epoch, 'requestTimeEpoch');
      assert.equal(m[3], template.time, 'requestTime');
    }
  });
});
