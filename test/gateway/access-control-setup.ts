/**
 * Shared setup for tests that drive access control through a real Portico: a Node TOKEN
 * authorizer function installed in Portico's function runtime, OpenAPI pieces for Lambda and
 * Cognito authorizers, API keys and source-address resource policies, and a loopback HTTP
 * backend that counts the requests reaching it. Importing this module starts nothing and
 * registers no tests (`node --test` loads every file under dist/test).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Portico } from '../../src/portico.js';
import { lambdaUri, listen, writeHandler } from '../helpers.js';

/**
 * A TOKEN authorizer whose token picks the answer; every call is appended to the file named by
 * SEEN_FILE (when set), so a test can count the calls.
 * - `allow` / `deny`: a policy allowing / denying execute-api:Invoke on the whole API;
 * - `unauthorized`: throws "Unauthorized", AWS's way for a function to answer 401;
 * - `crash`: throws another error;
 * - `malformed`: a policy statement whose Effect is neither Allow nor Deny;
 * - `text`: a bare string instead of an authorizer response.
 */
export const TOKEN_AUTHORIZER_SOURCE = `
import { appendFileSync } from 'node:fs';
const policy = (effect, resource) => ({ Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] });
export const handler = async (event) => {
  if (process.env.SEEN_FILE) appendFileSync(process.env.SEEN_FILE, JSON.stringify(event) + '\\n');
  const apiWide = event.methodArn.split('/')[0] + '/*';
  switch (event.authorizationToken) {
    case 'allow': return { principalId: 'ann', policyDocument: policy('Allow', apiWide) };
    case 'deny': return { principalId: 'eve', policyDocument: policy('Deny', apiWide) };
    case 'unauthorized': throw new Error('Unauthorized');
    case 'crash': throw new Error('database unavailable');
    case 'malformed': return { principalId: 'ann', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 'execute-api:Invoke', Resource: '*' }] } };
    case 'text': return 'Allow';
    default: throw new Error('unexpected token');
  }
};`;

/** Writes a Node function under `codeRoot` and registers it with Portico's function runtime. */
export async function installNodeFunction(
  portico: Portico,
  codeRoot: string,
  functionName: string,
  source: string,
  environment: Record<string, string> = {},
): Promise<void> {
  const codeDirectory = await writeHandler(codeRoot, functionName, source);
  await portico.putFunction({ functionName, runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory, timeout: 10, memorySize: 128, environment });
}

/**
 * An OpenAPI security scheme for a TOKEN authorizer reading the Authorization header. TTL 0:
 * the function is called for every request, so each request's answer is its own and calls can
 * be counted per request.
 */
export const tokenAuthorizerScheme = (functionName: string): object => ({
  type: 'apiKey',
  name: 'Authorization',
  in: 'header',
  'x-amazon-apigateway-authtype': 'custom',
  'x-amazon-apigateway-authorizer': { type: 'token', authorizerUri: lambdaUri(functionName), authorizerResultTtlInSeconds: 0 },
});

/** An OpenAPI security scheme for a Cognito user pool authorizer reading the Authorization header. */
export const cognitoScheme = (poolArn: string): object => ({
  type: 'apiKey',
  name: 'Authorization',
  in: 'header',
  'x-amazon-apigateway-authtype': 'cognito_user_pools',
  'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [poolArn] },
});

/** The API key requirement: `x-api-key`, API Gateway's HEADER key source. */
export const API_KEY_SCHEME = { type: 'apiKey', name: 'x-api-key', in: 'header' };

/** A GET that a MOCK integration answers 200 `{"ok":true}`. */
export const mockOperation = (security?: object[]): object => ({
  ...(security ? { security } : {}),
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } } },
  },
});

/** A resource policy statement on execute-api:Invoke for everyone, optionally limited to source addresses. */
export const invokeStatement = (effect: 'Allow' | 'Deny', resource: string, sourceIp?: string): object => ({
  Effect: effect,
  Principal: '*',
  Action: 'execute-api:Invoke',
  Resource: resource,
  ...(sourceIp === undefined ? {} : { Condition: { IpAddress: { 'aws:SourceIp': sourceIp } } }),
});

/** Lines in a file the authorizer appends to; 0 before the first call creates it. */
export function linesIn(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').length;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

export interface HitCounter {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The path of every request received, in order. */
  readonly paths: readonly string[];
  close(): Promise<void>;
}

/** A loopback backend answering 200 `{"backend":true}` and recording each request's path. */
export async function startHitCounter(): Promise<HitCounter> {
  const paths: string[] = [];
  const server = await listen((req, res) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"backend":true}'));
  });
  return { origin: `http://127.0.0.1:${server.port}`, paths, close: () => server.close() };
}

/** Where a function's calls are recorded inside `dir`. */
export const seenFile = (dir: string, functionName: string): string => join(dir, `${functionName}.jsonl`);

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One GET to 127.0.0.1:port, sent from `localAddress` (another loopback address stands for another client). */
export function getFrom(port: number, path: string, headers: Record<string, string>, localAddress = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
