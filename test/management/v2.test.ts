/**
 * The apigatewayv2 management API (HTTP and WebSocket APIs) driven through the real AWS SDK v3
 * client: APIs and quick create, routes, integrations and their responses, stages with
 * autoDeploy, deployments, and that a refused call changes nothing.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApiCommand,
  CreateAuthorizerCommand,
  CreateModelCommand,
  DeleteAuthorizerCommand,
  DeleteModelCommand,
  CreateDeploymentCommand,
  CreateIntegrationCommand,
  CreateIntegrationResponseCommand,
  CreateRouteCommand,
  CreateRouteResponseCommand,
  CreateStageCommand,
  DeleteApiCommand,
  DeleteDeploymentCommand,
  DeleteIntegrationCommand,
  DeleteRouteCommand,
  DeleteStageCommand,
  GetApiCommand,
  GetApisCommand,
  GetDeploymentCommand,
  GetDeploymentsCommand,
  GetIntegrationCommand,
  GetIntegrationResponsesCommand,
  GetIntegrationsCommand,
  GetRouteCommand,
  GetRouteResponsesCommand,
  GetRoutesCommand,
  GetStageCommand,
  GetStagesCommand,
  UpdateApiCommand,
  UpdateDeploymentCommand,
  UpdateIntegrationCommand,
  UpdateRouteCommand,
  UpdateStageCommand,
} from '@aws-sdk/client-apigatewayv2';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:hello';

describe('apigatewayv2 management API', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(async () => {
    await h.close();
  });

  const httpApi = async (name = 'http'): Promise<string> =>
    (await h.v2.send(new CreateApiCommand({ Name: name, ProtocolType: 'HTTP' }))).ApiId!;
  const wsApi = async (name = 'ws'): Promise<string> =>
    (await h.v2.send(new CreateApiCommand({ Name: name, ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
  const lambdaIntegration = async (ApiId: string): Promise<string> =>
    (await h.v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0' }))).IntegrationId!;
  const routeKeys = async (ApiId: string): Promise<string[]> =>
    ((await h.v2.send(new GetRoutesCommand({ ApiId }))).Items ?? []).map((r) => r.RouteKey!).sort();

  describe('APIs', () => {
    it('creates, reads, lists, updates and deletes an HTTP API', async () => {
      const created = await h.v2.send(new CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP', Description: 'd', Tags: { team: 'a' } }));
      assert.match(created.ApiId!, /^[a-z0-9]{10}$/);
      assert.equal(created.ApiEndpoint, `https://${created.ApiId}.execute-api.us-east-1.amazonaws.com`);
      assert.equal(created.RouteSelectionExpression, '${request.method} ${request.path}');
      assert.equal(created.ApiKeySelectionExpression, '$request.header.x-api-key');
      assert.equal(created.ProtocolType, 'HTTP');
      assert.equal(created.DisableExecuteApiEndpoint, false);
      assert.deepEqual(created.Tags, { team: 'a' });
      assert.ok(created.CreatedDate instanceof Date && !Number.isNaN(created.CreatedDate.getTime()));

      const got = await h.v2.send(new GetApiCommand({ ApiId: created.ApiId! }));
      assert.equal(got.Name, 'pets');
      assert.equal(got.Description, 'd');
      const listed = await h.v2.send(new GetApisCommand({}));
      assert.ok(listed.Items!.some((a) => a.ApiId === created.ApiId));

      const updated = await h.v2.send(
        new UpdateApiCommand({ ApiId: created.ApiId!, Name: 'pets2', CorsConfiguration: { AllowOrigins: ['https://a.example'], MaxAge: 60 } }),
      );
      assert.equal(updated.Name, 'pets2');
      assert.equal(updated.Description, 'd');
      assert.deepEqual(updated.CorsConfiguration, { AllowOrigins: ['https://a.example'], MaxAge: 60 });

      await h.v2.send(new DeleteApiCommand({ ApiId: created.ApiId! }));
      await rejectsWith(
        h.v2.send(new GetApiCommand({ ApiId: created.ApiId! })),
        'NotFoundException',
        `Invalid API identifier specified 000000000000:${created.ApiId}`,
      );
    });

    it('creates a WebSocket API with a wss endpoint and requires its route selection expression', async () => {
      const ws = await h.v2.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
      assert.equal(ws.ApiEndpoint, `wss://${ws.ApiId}.execute-api.us-east-1.amazonaws.com`);
      assert.equal(ws.RouteSelectionExpression, '$request.body.action');
      await rejectsWith(
        h.v2.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET' })),
        'BadRequestException',
        'A routeSelectionExpression is required for WebSocket APIs',
      );
      await rejectsWith(
        h.v2.send(new CreateApiCommand({ Name: 'chat', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action', CorsConfiguration: { AllowOrigins: ['*'] } })),
        'BadRequestException',
        'CORS configuration is supported only for HTTP APIs',
      );
    });

    it('refuses bad CreateApi input and stores nothing', async () => {
      const before = (await h.v2.send(new GetApisCommand({}))).Items!.length;
      await rejectsWith(
        h.v2.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'REST' as 'HTTP' })),
        'BadRequestException',
        "1 validation error detected: Value 'REST' at 'protocolType' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, WEBSOCKET]",
      );
      await rejectsWith(h.v2.send(new CreateApiCommand({ Name: undefined as unknown as string, ProtocolType: 'HTTP' })), 'BadRequestException', /'name'/);
      await rejectsWith(
        h.v2.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', RouteSelectionExpression: '$request.body.action' })),
        'BadRequestException',
        'The route selection expression of an HTTP API must be ${request.method} ${request.path}',
      );
      // Quick create whose target is neither a Lambda ARN nor a URL must not leave an API behind.
      await rejectsWith(
        h.v2.send(new CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', Target: 'not-a-target' })),
        'BadRequestException',
        "Invalid target 'not-a-target': quick create takes a Lambda function ARN or an http or https URL",
      );
      assert.equal((await h.v2.send(new GetApisCommand({}))).Items!.length, before);
    });

    it('quick-creates a Lambda proxy API with a $default route and an auto-deployed $default stage', async () => {
      const api = await h.v2.send(new CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: LAMBDA }));
      assert.equal(api.ApiGatewayManaged, true);
      const integrations = (await h.v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId! }))).Items!;
      assert.equal(integrations.length, 1);
      assert.equal(integrations[0]!.IntegrationType, 'AWS_PROXY');
      assert.equal(integrations[0]!.IntegrationUri, LAMBDA);
      assert.equal(integrations[0]!.PayloadFormatVersion, '2.0');
      assert.equal(integrations[0]!.TimeoutInMillis, 30000);
      const routes = (await h.v2.send(new GetRoutesCommand({ ApiId: api.ApiId! }))).Items!;
      assert.equal(routes.length, 1);
      assert.equal(routes[0]!.RouteKey, '$default');
      assert.equal(routes[0]!.Target, `integrations/${integrations[0]!.IntegrationId}`);
      const stage = await h.v2.send(new GetStageCommand({ ApiId: api.ApiId!, StageName: '$default' }));
      assert.equal(stage.AutoDeploy, true);
      assert.ok(stage.DeploymentId);
      const deployment = await h.v2.send(new GetDeploymentCommand({ ApiId: api.ApiId!, DeploymentId: stage.DeploymentId! }));
      assert.equal(deployment.AutoDeployed, true);
      assert.equal(deployment.DeploymentStatus, 'DEPLOYED');
    });

    it('quick-creates an HTTP proxy API on a given route key and updates it through UpdateApi', async () => {
      const api = await h.v2.send(new CreateApiCommand({ Name: 'proxy', ProtocolType: 'HTTP', Target: 'https://backend.example/', RouteKey: 'GET /pets' }));
      const [integration] = (await h.v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId! }))).Items!;
      assert.equal(integration!.IntegrationType, 'HTTP_PROXY');
      assert.equal(integration!.IntegrationMethod, 'ANY');
      assert.equal(integration!.PayloadFormatVersion, '1.0');
      assert.deepEqual(await routeKeys(api.ApiId!), ['GET /pets']);
      await h.v2.send(new UpdateApiCommand({ ApiId: api.ApiId!, RouteKey: 'POST /pets', Target: LAMBDA }));
      assert.deepEqual(await routeKeys(api.ApiId!), ['POST /pets']);
      const [after] = (await h.v2.send(new GetIntegrationsCommand({ ApiId: api.ApiId! }))).Items!;
      assert.equal(after!.IntegrationType, 'AWS_PROXY');
      assert.equal(after!.IntegrationMethod, undefined);
    });
  });

  describe('routes', () => {
    it('accepts valid HTTP route keys and refuses invalid ones with exact errors, changing nothing', async () => {
      const ApiId = await httpApi();
      const integrationId = await lambdaIntegration(ApiId);
      for (const key of ['$default', 'GET /', 'ANY /pets/{id}', 'POST /pets/{id}/toys/{proxy+}', 'OPTIONS /a.b/c~d']) {
        const route = await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: key, Target: `integrations/${integrationId}` }));
        assert.equal(route.RouteKey, key);
        assert.equal(route.AuthorizationType, 'NONE');
        assert.equal(route.ApiKeyRequired, false);
      }
      const cases: [string, string][] = [
        ['GET', "The route key 'GET' is invalid: a route key must be '$default' or an HTTP method and a resource path separated by one space, for example 'GET /pets'"],
        ['FETCH /pets', "The route key 'FETCH /pets' is invalid: the method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"],
        ['get /pets', "The route key 'get /pets' is invalid: the method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY"],
        ['GET pets', "The route key 'GET pets' is invalid: the resource path must start with /"],
        ['GET /pets/', "The route key 'GET /pets/' is invalid: the resource path must not contain empty segments or end with /"],
        ['GET /{proxy+}/x', "The route key 'GET /{proxy+}/x' is invalid: a greedy path variable must be the last segment of the path"],
        ['GET /a/{id}/{id}', "The route key 'GET /a/{id}/{id}' is invalid: the path variable {id} appears more than once"],
        ['$connect', "The route key '$connect' is invalid: a route key must be '$default' or an HTTP method and a resource path separated by one space, for example 'GET /pets'"],
      ];
      for (const [key, message] of cases) {
        await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: key })), 'BadRequestException', message);
      }
      await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'ANY /pets/{id}' })), 'ConflictException', 'Route with key ANY /pets/{id} already exists for this API');
      // Path variable names do not make a different route.
      await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'ANY /pets/{petId}' })), 'ConflictException', 'Route with key ANY /pets/{petId} already exists for this API');
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /x', Target: 'integrations/nope123' })),
        'NotFoundException',
        'Invalid Integration identifier specified nope123',
      );
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /x', Target: 'lambda' })),
        'BadRequestException',
        "Invalid target 'lambda': a route target must have the form integrations/{integrationId}",
      );
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /x', AuthorizationType: 'JWT' })),
        'BadRequestException',
        'An authorizerId is required when authorizationType is JWT',
      );
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /x', AuthorizationType: 'BASIC' as 'NONE' })),
        'BadRequestException',
        "1 validation error detected: Value 'BASIC' at 'authorizationType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, JWT, AWS_IAM, CUSTOM]",
      );
      await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /x', ApiKeyRequired: true })), 'BadRequestException', 'API keys are not supported for HTTP APIs');
      assert.deepEqual(await routeKeys(ApiId), ['$default', 'ANY /pets/{id}', 'GET /', 'OPTIONS /a.b/c~d', 'POST /pets/{id}/toys/{proxy+}']);
    });

    it('gets, updates and deletes routes', async () => {
      const ApiId = await httpApi();
      const route = await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /a', AuthorizationType: 'AWS_IAM' }));
      await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /b' }));
      const got = await h.v2.send(new GetRouteCommand({ ApiId, RouteId: route.RouteId! }));
      assert.equal(got.AuthorizationType, 'AWS_IAM');
      const integrationId = await lambdaIntegration(ApiId);
      const updated = await h.v2.send(new UpdateRouteCommand({ ApiId, RouteId: route.RouteId!, RouteKey: 'PUT /a', Target: `integrations/${integrationId}` }));
      assert.equal(updated.RouteKey, 'PUT /a');
      assert.equal(updated.AuthorizationType, 'AWS_IAM');
      assert.equal(updated.Target, `integrations/${integrationId}`);
      await rejectsWith(h.v2.send(new UpdateRouteCommand({ ApiId, RouteId: route.RouteId!, RouteKey: 'GET /b' })), 'ConflictException', 'Route with key GET /b already exists for this API');
      assert.equal((await h.v2.send(new GetRouteCommand({ ApiId, RouteId: route.RouteId! }))).RouteKey, 'PUT /a');
      await h.v2.send(new DeleteRouteCommand({ ApiId, RouteId: route.RouteId! }));
      await rejectsWith(h.v2.send(new GetRouteCommand({ ApiId, RouteId: route.RouteId! })), 'NotFoundException', `Invalid Route identifier specified ${route.RouteId}`);
      assert.deepEqual(await routeKeys(ApiId), ['GET /b']);
    });

    it('bounds an API to 300 routes', async () => {
      const ApiId = await httpApi();
      for (let i = 0; i < 300; i++) await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: `GET /r${i}` }));
      await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /one-more' })), 'BadRequestException', 'The API already has the maximum of 300 routes');
      assert.equal((await h.v2.send(new GetRoutesCommand({ ApiId, MaxResults: '500' }))).Items!.length, 300);
    });

    it('takes WebSocket route keys, restricts authorization to $connect and adds $default route responses', async () => {
      const ApiId = await wsApi();
      for (const key of ['$connect', '$disconnect', '$default', 'sendMessage']) await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: key }));
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: '$other' })),
        'BadRequestException',
        "The route key '$other' is invalid: route keys starting with $ are reserved; use $connect, $disconnect or $default",
      );
      await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'sendMessage' })), 'ConflictException', 'Route with key sendMessage already exists for this API');
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'join', AuthorizationType: 'AWS_IAM' })),
        'BadRequestException',
        'Currently, authorization is restricted to the $connect route only',
      );
      const send = (await h.v2.send(new GetRoutesCommand({ ApiId }))).Items!.find((r) => r.RouteKey === 'sendMessage')!;
      await rejectsWith(
        h.v2.send(new CreateRouteResponseCommand({ ApiId, RouteId: send.RouteId!, RouteResponseKey: '$other' })),
        'BadRequestException',
        "Currently, only '$default' is supported as a routeResponseKey",
      );
      const response = await h.v2.send(new CreateRouteResponseCommand({ ApiId, RouteId: send.RouteId!, RouteResponseKey: '$default' }));
      assert.equal(response.RouteResponseKey, '$default');
      await rejectsWith(
        h.v2.send(new CreateRouteResponseCommand({ ApiId, RouteId: send.RouteId!, RouteResponseKey: '$default' })),
        'ConflictException',
        'Route response with key $default already exists for this route',
      );
      assert.equal((await h.v2.send(new GetRouteResponsesCommand({ ApiId, RouteId: send.RouteId! }))).Items!.length, 1);

      const http = await httpApi();
      const route = await h.v2.send(new CreateRouteCommand({ ApiId: http, RouteKey: 'GET /' }));
      await rejectsWith(
        h.v2.send(new CreateRouteResponseCommand({ ApiId: http, RouteId: route.RouteId!, RouteResponseKey: '$default' })),
        'BadRequestException',
        'Route responses are supported only for WebSocket APIs',
      );
    });
  });

  describe('integrations', () => {
    it('applies the HTTP API integration rules', async () => {
      const ApiId = await httpApi();
      const http = await h.v2.send(
        new CreateIntegrationCommand({ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://example.com/{proxy}', IntegrationMethod: 'GET', RequestParameters: { 'append:header.x-a': 'b' } }),
      );
      assert.equal(http.TimeoutInMillis, 30000);
      assert.equal(http.ConnectionType, 'INTERNET');
      assert.equal(http.PayloadFormatVersion, '1.0');
      assert.deepEqual(http.RequestParameters, { 'append:header.x-a': 'b' });
      const refused: [CreateIntegrationCommand['input'], string][] = [
        [{ ApiId, IntegrationType: 'MOCK' }, 'Integration type MOCK is not supported for HTTP APIs; use AWS_PROXY or HTTP_PROXY'],
        [{ ApiId, IntegrationType: 'HTTP', IntegrationUri: 'https://e.example', IntegrationMethod: 'GET' }, 'Integration type HTTP is not supported for HTTP APIs; use AWS_PROXY or HTTP_PROXY'],
        [{ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://e.example' }, 'An integrationMethod is required for HTTP_PROXY integrations'],
        [{ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET' }, 'An integrationUri is required for HTTP_PROXY integrations'],
        [{ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA }, 'A payloadFormatVersion (1.0 or 2.0) is required for AWS_PROXY integrations of HTTP APIs'],
        [{ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '3.0' }, "1 validation error detected: Value '3.0' at 'payloadFormatVersion' failed to satisfy constraint: Member must satisfy enum value set: [1.0, 2.0]"],
        [{ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0', TimeoutInMillis: 30001 }, "1 validation error detected: Value '30001' at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 30000 and greater than or equal to 50"],
        [{ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0', TimeoutInMillis: 49 }, "1 validation error detected: Value '49' at 'timeoutInMillis' failed to satisfy constraint: Member must have value less than or equal to 30000 and greater than or equal to 50"],
        [{ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0', RequestTemplates: { a: 'b' } }, 'requestTemplates is not supported for HTTP APIs'],
        [{ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationUri: 'https://e.example', IntegrationMethod: 'GET', PayloadFormatVersion: '2.0' }, 'HTTP_PROXY integrations support only payloadFormatVersion 1.0'],
      ];
      for (const [input, message] of refused) await rejectsWith(h.v2.send(new CreateIntegrationCommand(input)), 'BadRequestException', message);
      assert.equal((await h.v2.send(new GetIntegrationsCommand({ ApiId }))).Items!.length, 1);

      const lambda = await h.v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '1.0', TimeoutInMillis: 30000 }));
      const updated = await h.v2.send(new UpdateIntegrationCommand({ ApiId, IntegrationId: lambda.IntegrationId!, PayloadFormatVersion: '2.0', Description: 'x' }));
      assert.equal(updated.PayloadFormatVersion, '2.0');
      assert.equal(updated.Description, 'x');
      assert.equal(updated.IntegrationUri, LAMBDA);
      await rejectsWith(
        h.v2.send(new UpdateIntegrationCommand({ ApiId, IntegrationId: lambda.IntegrationId!, IntegrationType: 'MOCK' })),
        'BadRequestException',
        'An integrationUri must not be set for MOCK integrations',
      );
      assert.equal((await h.v2.send(new GetIntegrationCommand({ ApiId, IntegrationId: lambda.IntegrationId! }))).IntegrationType, 'AWS_PROXY');
    });

    it('refuses to delete an integration a route targets', async () => {
      const ApiId = await httpApi();
      const IntegrationId = await lambdaIntegration(ApiId);
      const route = await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /', Target: `integrations/${IntegrationId}` }));
      await rejectsWith(
        h.v2.send(new DeleteIntegrationCommand({ ApiId, IntegrationId })),
        'ConflictException',
        `Integration ${IntegrationId} cannot be deleted because it is the target of route(s): GET /`,
      );
      await h.v2.send(new DeleteRouteCommand({ ApiId, RouteId: route.RouteId! }));
      await h.v2.send(new DeleteIntegrationCommand({ ApiId, IntegrationId }));
      await rejectsWith(h.v2.send(new GetIntegrationCommand({ ApiId, IntegrationId })), 'NotFoundException', `Invalid Integration identifier specified ${IntegrationId}`);
    });

    it('applies the WebSocket integration rules and takes integration responses', async () => {
      const ApiId = await wsApi();
      const mock = await h.v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'MOCK', RequestTemplates: { $default: '{"statusCode": 200}' }, TemplateSelectionExpression: '\\$default' }));
      assert.equal(mock.TimeoutInMillis, 29000);
      assert.equal(mock.PassthroughBehavior, 'WHEN_NO_MATCH');
      await rejectsWith(
        h.v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'MOCK', TimeoutInMillis: 29001 })),
        'BadRequestException',
        'Timeout must be between 50 and 29000 milliseconds for WebSocket APIs',
      );
      await rejectsWith(
        h.v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'HTTP', IntegrationUri: 'https://e.example' })),
        'BadRequestException',
        'An integrationMethod is required for HTTP integrations',
      );
      await rejectsWith(
        h.v2.send(new CreateIntegrationCommand({ ApiId, IntegrationType: 'AWS_PROXY', IntegrationUri: LAMBDA, PayloadFormatVersion: '2.0' })),
        'BadRequestException',
        'WebSocket APIs support only payloadFormatVersion 1.0',
      );
      const response = await h.v2.send(new CreateIntegrationResponseCommand({ ApiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '/2\\d\\d/' }));
      assert.equal(response.IntegrationResponseKey, '/2\\d\\d/');
      await rejectsWith(
        h.v2.send(new CreateIntegrationResponseCommand({ ApiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '2xx' })),
        'BadRequestException',
        "Invalid integrationResponseKey '2xx': use $default or a regular expression between slashes, for example /4\\d\\d/",
      );
      await rejectsWith(
        h.v2.send(new CreateIntegrationResponseCommand({ ApiId, IntegrationId: mock.IntegrationId!, IntegrationResponseKey: '/2\\d\\d/' })),
        'ConflictException',
        'Integration response with key /2\\d\\d/ already exists for this integration',
      );
      assert.equal((await h.v2.send(new GetIntegrationResponsesCommand({ ApiId, IntegrationId: mock.IntegrationId! }))).Items!.length, 1);
    });
  });

  describe('stages and deployments', () => {
    it('deploys by hand, refuses APIs without routes and protects deployments in use', async () => {
      const ApiId = await httpApi();
      await rejectsWith(h.v2.send(new CreateDeploymentCommand({ ApiId })), 'BadRequestException', 'Unable to deploy API because no routes exist in this API');
      assert.equal((await h.v2.send(new GetDeploymentsCommand({ ApiId }))).Items?.length ?? 0, 0);
      await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /' }));
      await h.v2.send(new CreateStageCommand({ ApiId, StageName: 'prod', StageVariables: { v: 'one' } }));
      await rejectsWith(h.v2.send(new CreateDeploymentCommand({ ApiId, StageName: 'beta' })), 'NotFoundException', 'Invalid stage identifier specified');
      const deployment = await h.v2.send(new CreateDeploymentCommand({ ApiId, StageName: 'prod', Description: 'first' }));
      assert.equal(deployment.AutoDeployed, false);
      assert.equal(deployment.Description, 'first');
      const stage = await h.v2.send(new GetStageCommand({ ApiId, StageName: 'prod' }));
      assert.equal(stage.DeploymentId, deployment.DeploymentId);
      assert.deepEqual(stage.StageVariables, { v: 'one' });
      const renamed = await h.v2.send(new UpdateDeploymentCommand({ ApiId, DeploymentId: deployment.DeploymentId!, Description: 'renamed' }));
      assert.equal(renamed.Description, 'renamed');
      assert.equal(renamed.DeploymentId, deployment.DeploymentId);
      await rejectsWith(
        h.v2.send(new DeleteDeploymentCommand({ ApiId, DeploymentId: deployment.DeploymentId! })),
        'BadRequestException',
        'Active stages pointing to this deployment must be moved or deleted',
      );
      await h.v2.send(new DeleteStageCommand({ ApiId, StageName: 'prod' }));
      await h.v2.send(new DeleteDeploymentCommand({ ApiId, DeploymentId: deployment.DeploymentId! }));
      await rejectsWith(h.v2.send(new GetDeploymentCommand({ ApiId, DeploymentId: deployment.DeploymentId! })), 'NotFoundException', `Invalid Deployment identifier specified ${deployment.DeploymentId}`);
    });

    it('validates stages and answers conflicts without changing anything', async () => {
      const ApiId = await httpApi();
      await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /pets' }));
      const created = await h.v2.send(
        new CreateStageCommand({ ApiId, StageName: '$default', RouteSettings: { 'GET /pets': { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 } }, Tags: { a: 'b' } }),
      );
      assert.equal(created.StageName, '$default');
      assert.equal(created.AutoDeploy, false);
      assert.deepEqual(created.RouteSettings, { 'GET /pets': { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 } });
      await rejectsWith(h.v2.send(new CreateStageCommand({ ApiId, StageName: '$default' })), 'ConflictException', 'Stage $default already exists');
      await rejectsWith(
        h.v2.send(new CreateStageCommand({ ApiId, StageName: 'bad name' })),
        'BadRequestException',
        "Stage name 'bad name' is invalid: use $default or 1 to 128 letters, digits, hyphens and underscores",
      );
      await rejectsWith(
        h.v2.send(new CreateStageCommand({ ApiId, StageName: 'x', RouteSettings: { 'GET /nope': {} } })),
        'BadRequestException',
        'Unable to find Route by key GET /nope within the provided RouteSettings',
      );
      await rejectsWith(
        h.v2.send(new CreateStageCommand({ ApiId, StageName: 'x', DefaultRouteSettings: { LoggingLevel: 'INFO' } })),
        'BadRequestException',
        'Execution logs are not supported on protocolType HTTP',
      );
      await rejectsWith(h.v2.send(new CreateStageCommand({ ApiId, StageName: 'x', DeploymentId: 'abc123' })), 'NotFoundException', 'Invalid Deployment identifier specified abc123');
      await rejectsWith(h.v2.send(new UpdateStageCommand({ ApiId, StageName: '$default', StageVariables: { 'bad-name': 'v' } })), 'BadRequestException', /Stage variable name 'bad-name'/);
      const stages = (await h.v2.send(new GetStagesCommand({ ApiId }))).Items!;
      assert.deepEqual(stages.map((s) => s.StageName), ['$default']);
      assert.equal(stages[0]!.StageVariables, undefined);

      const ws = await wsApi();
      await rejectsWith(h.v2.send(new CreateStageCommand({ ApiId: ws, StageName: '$default' })), 'BadRequestException', 'The $default stage is supported only for HTTP APIs');
      const wsStage = await h.v2.send(new CreateStageCommand({ ApiId: ws, StageName: 'prod', DefaultRouteSettings: { LoggingLevel: 'INFO', DataTraceEnabled: true } }));
      assert.equal(wsStage.DefaultRouteSettings!.LoggingLevel, 'INFO');
    });

    it('redeploys autoDeploy stages in the same transaction as each change, and not after a refused one', async () => {
      const ApiId = await httpApi();
      const stage = await h.v2.send(new CreateStageCommand({ ApiId, StageName: 'live', AutoDeploy: true }));
      assert.equal(stage.DeploymentId, undefined, 'an API without routes cannot be deployed yet');
      assert.match(stage.LastDeploymentStatusMessage!, /no routes exist/);
      await h.v2.send(new CreateStageCommand({ ApiId, StageName: 'manual' }));

      const integrationId = await lambdaIntegration(ApiId);
      await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /a', Target: `integrations/${integrationId}` }));
      const first = (await h.v2.send(new GetStageCommand({ ApiId, StageName: 'live' }))).DeploymentId!;
      assert.ok(first);
      assert.equal((await h.v2.send(new GetDeploymentCommand({ ApiId, DeploymentId: first }))).AutoDeployed, true);
      assert.equal((await h.v2.send(new GetStageCommand({ ApiId, StageName: 'manual' }))).DeploymentId, undefined);

      const count = (await h.v2.send(new GetDeploymentsCommand({ ApiId }))).Items!.length;
      await rejectsWith(h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /a' })), 'ConflictException');
      assert.equal((await h.v2.send(new GetDeploymentsCommand({ ApiId }))).Items!.length, count);
      assert.equal((await h.v2.send(new GetStageCommand({ ApiId, StageName: 'live' }))).DeploymentId, first);

      await h.v2.send(new UpdateIntegrationCommand({ ApiId, IntegrationId: integrationId, TimeoutInMillis: 1000 }));
      const second = (await h.v2.send(new GetStageCommand({ ApiId, StageName: 'live' }))).DeploymentId!;
      assert.notEqual(second, first);
      assert.equal((await h.v2.send(new GetDeploymentsCommand({ ApiId }))).Items!.length, count + 1);
      await rejectsWith(
        h.v2.send(new CreateDeploymentCommand({ ApiId, StageName: 'live' })),
        'BadRequestException',
        'Stage live has autoDeploy enabled; it is deployed automatically when the API changes',
      );

      // Turning autoDeploy on deploys at once.
      const manual = await h.v2.send(new UpdateStageCommand({ ApiId, StageName: 'manual', AutoDeploy: true }));
      assert.ok(manual.DeploymentId);
    });

    it('deletes an API with its stages and deployments', async () => {
      const ApiId = (await h.v2.send(new CreateApiCommand({ Name: 'gone', ProtocolType: 'HTTP', Target: LAMBDA }))).ApiId!;
      await h.v2.send(new DeleteApiCommand({ ApiId }));
      await rejectsWith(h.v2.send(new GetStagesCommand({ ApiId })), 'NotFoundException', `Invalid API identifier specified 000000000000:${ApiId}`);
      await rejectsWith(h.v2.send(new DeleteApiCommand({ ApiId })), 'NotFoundException');
      assert.ok(!(await h.v2.send(new GetApisCommand({}))).Items!.some((a) => a.ApiId === ApiId));
    });
  });

  describe('authorizers and models', () => {
    it('checks JWT authorizers and keeps one a route uses', async () => {
      const ApiId = await httpApi();
      await rejectsWith(
        h.v2.send(new CreateAuthorizerCommand({ ApiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example' } })),
        'BadRequestException',
        'A JWT authorizer requires at least one jwtConfiguration.audience',
      );
      const jwt = await h.v2.send(
        new CreateAuthorizerCommand({ ApiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: 'https://issuer.example', Audience: ['app'] } }),
      );
      assert.deepEqual(jwt.JwtConfiguration, { Issuer: 'https://issuer.example', Audience: ['app'] });
      const lambda = await h.v2.send(
        new CreateAuthorizerCommand({ ApiId, Name: 'fn', AuthorizerType: 'REQUEST', AuthorizerUri: LAMBDA, AuthorizerPayloadFormatVersion: '2.0', EnableSimpleResponses: true, IdentitySource: ['$request.header.x-token'] }),
      );
      await rejectsWith(
        h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /', AuthorizationType: 'JWT', AuthorizerId: lambda.AuthorizerId! })),
        'BadRequestException',
        `authorizationType JWT requires an authorizer of type JWT; authorizer ${lambda.AuthorizerId} is REQUEST`,
      );
      const route = await h.v2.send(new CreateRouteCommand({ ApiId, RouteKey: 'GET /', AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId!, AuthorizationScopes: ['read'] }));
      assert.deepEqual(route.AuthorizationScopes, ['read']);
      await rejectsWith(
        h.v2.send(new DeleteAuthorizerCommand({ ApiId, AuthorizerId: jwt.AuthorizerId! })),
        'ConflictException',
        `Authorizer ${jwt.AuthorizerId} cannot be deleted because route(s) use it: GET /`,
      );
      await h.v2.send(new DeleteAuthorizerCommand({ ApiId, AuthorizerId: lambda.AuthorizerId! }));
    });

    it('keeps models to WebSocket APIs with unique names', async () => {
      const ws = await wsApi();
      const model = await h.v2.send(new CreateModelCommand({ ApiId: ws, Name: 'Message', Schema: '{"type":"object"}', ContentType: 'application/json' }));
      await rejectsWith(h.v2.send(new CreateModelCommand({ ApiId: ws, Name: 'Message', Schema: '{}' })), 'ConflictException', 'Model name already exists for this API: Message');
      await rejectsWith(h.v2.send(new CreateModelCommand({ ApiId: ws, Name: 'Bad', Schema: '{' })), 'BadRequestException', 'Invalid model schema specified: the schema must be a JSON document');
      await h.v2.send(new CreateRouteCommand({ ApiId: ws, RouteKey: 'send', RequestModels: { $default: 'Message' }, ModelSelectionExpression: '$request.body.action' }));
      await rejectsWith(h.v2.send(new DeleteModelCommand({ ApiId: ws, ModelId: model.ModelId! })), 'ConflictException', 'Model Message cannot be deleted because route(s) use it: send');
      await rejectsWith(h.v2.send(new CreateModelCommand({ ApiId: await httpApi(), Name: 'M', Schema: '{}' })), 'BadRequestException', 'Models are supported only for WebSocket APIs');
    });
  });
});
