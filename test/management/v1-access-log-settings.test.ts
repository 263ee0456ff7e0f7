/**
 * A stage's accessLogSettings through the real AWS SDK: a format must name the request and be
 * one line, a destination must be a CloudWatch Logs log group or an `amazon-apigateway-`
 * Firehose stream; refusals are BadRequestException and leave the stage as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-api-gateway';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';
import { JSON_FORMAT } from '../../src/observability/access-log-format.js';

const GROUP_ARN = 'arn:aws:logs:us-east-1:000000000000:log-group:access-logs';

describe('apigateway stage accessLogSettings', () => {
  let h: ManagementHarness;
  let apiId: string;
  before(async () => {
    h = await startManagement();
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'access-log-settings' }));
    apiId = api.id!;
    const at = { restApiId: apiId, resourceId: api.rootResourceId!, httpMethod: 'GET' };
    await h.v1.send(new PutMethodCommand({ ...at, authorizationType: 'NONE' }));
    await h.v1.send(new PutIntegrationCommand({ ...at, type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await h.v1.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'dev' }));
  });
  after(() => h.close());

  const update = (path: string, value: string) =>
    h.v1.send(new UpdateStageCommand({ restApiId: apiId, stageName: 'dev', patchOperations: [{ op: 'replace', path, value }] }));

  it('stores a preset format and a log group ARN, and a Firehose stream named amazon-apigateway-*', async () => {
    await update('/accessLogSettings/format', `${JSON_FORMAT}\n`);
    await update('/accessLogSettings/destinationArn', GROUP_ARN);
    let stage = await h.v1.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }));
    assert.deepEqual(stage.accessLogSettings, { format: `${JSON_FORMAT}\n`, destinationArn: GROUP_ARN });
    const stream = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/amazon-apigateway-logs';
    await update('/accessLogSettings/destinationArn', stream);
    stage = await h.v1.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }));
    assert.equal(stage.accessLogSettings?.destinationArn, stream);
    await update('/accessLogSettings/destinationArn', GROUP_ARN);
  });

  it('refuses a format without the request id, or on several lines, and keeps the stored one', async () => {
    await rejectsWith(update('/accessLogSettings/format', '$context.status $context.httpMethod'), 'BadRequestException', /\$context\.requestId or \$context\.extendedRequestId/);
    // A longer name starting with requestId is another variable.
    await rejectsWith(update('/accessLogSettings/format', '$context.requestIdx'), 'BadRequestException');
    await rejectsWith(update('/accessLogSettings/format', '$context.requestId\n$context.status'), 'BadRequestException', /single line/);
    await update('/accessLogSettings/format', '$context.extendedRequestId $context.status');
    const stage = await h.v1.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }));
    assert.equal(stage.accessLogSettings?.format, '$context.extendedRequestId $context.status');
  });

  it('refuses destinations that are not log groups or amazon-apigateway- Firehose streams', async () => {
    await rejectsWith(update('/accessLogSettings/destinationArn', 'not-an-arn'), 'BadRequestException', /ARNs must start with 'arn:'/);
    await rejectsWith(update('/accessLogSettings/destinationArn', 'arn:aws:s3:::bucket'), 'BadRequestException');
    await rejectsWith(update('/accessLogSettings/destinationArn', 'arn:aws:firehose:us-east-1:000000000000:deliverystream/logs'), 'BadRequestException', /amazon-apigateway-/);
    const stage = await h.v1.send(new GetStageCommand({ restApiId: apiId, stageName: 'dev' }));
    assert.equal(stage.accessLogSettings?.destinationArn, GROUP_ARN);
  });
});
