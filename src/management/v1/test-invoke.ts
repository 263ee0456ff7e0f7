/**
 * apigateway (v1) TestInvokeMethod and TestInvokeAuthorizer: the operations that run part of an
 * API as it is now, without a deployment, and answer the outcome with its execution log. The
 * runs themselves live in test-invoke-method.ts and test-invoke-authorizer.ts.
 */
import type { HandlerTable, OperationHandler } from '../operation.js';
import { notFound } from '../errors.js';
import { findMethod, findResource, readStructure } from './structure-checks.js';
import { readRestApi } from './api-document.js';
import { readSimulatedRequest, stringMap } from './test-invoke-request.js';
import { testInvokeMethod } from './test-invoke-method.js';
import { testInvokeAuthorizer } from './test-invoke-authorizer.js';

const testInvokeMethodHandler: OperationHandler = async (ctx, req) => {
  const api = await readStructure(ctx, req.path.restApiId!);
  const doc = api.document;
  const resource = findResource(doc, req.path.resourceId!);
  const httpMethod = req.path.httpMethod!;
  const method = findMethod(resource, httpMethod);
  const sim = readSimulatedRequest(req.body, httpMethod, resource.path);
  return { body: await testInvokeMethod(ctx, doc, resource, method, sim) };
};

const testInvokeAuthorizerHandler: OperationHandler = async (ctx, req) => {
  const api = await readRestApi(ctx, ctx.store, req.path.restApiId!);
  const doc = api.document;
  const id = req.path.authorizerId!;
  const authorizer = Object.hasOwn(doc.authorizers, id) ? doc.authorizers[id] : undefined;
  if (!authorizer) throw notFound('Invalid Authorizer identifier specified');
  // The authorizer call has no method of its own: AWS describes it as a GET.
  const sim = readSimulatedRequest(req.body, 'GET', '/');
  const additionalContext = stringMap(req.body.additionalContext, 'additionalContext');
  return { body: await testInvokeAuthorizer(ctx, doc, authorizer, sim, additionalContext) };
};

export const TEST_INVOKE_HANDLERS: HandlerTable = {
  TestInvokeMethod: testInvokeMethodHandler,
  TestInvokeAuthorizer: testInvokeAuthorizerHandler,
};
