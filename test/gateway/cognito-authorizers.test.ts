/**
 * COGNITO_USER_POOLS authorizers through a real Portico: a real OpenID provider (oidc-provider)
 * issues Cognito-shaped tokens under a user pool's issuer and serves the pool's JWKS, reached
 * through the `cognitoJwks` override, and requests go through the listener to a MOCK
 * integration and to a Lambda proxy function that echoes its event's authorizer.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, type JWTPayload } from 'jose';
import { Portico } from '../../src/portico.js';
import { cognitoJwksOverrides } from '../../src/auth/cognito-authorizer.js';
import { generateSigningKey, startOidcProvider, CLIENTS, type RunningProvider, type SigningKey } from '../auth/oidc-provider-harness.js';
import { lambdaUri, listen, rawRequest, tempDir, writeHandler, type RawResponse } from '../helpers.js';

const POOL_ID = 'us-east-1_Portico01';
const POOL_ARN = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL_ID}`;
const POOL_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;
/** A user pool whose key set cannot be fetched. */
const DOWN_ARN = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Portico02';
const DOWN_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Portico02';
/** A user pool no authorizer of the API names. */
const OTHER_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Portico03';

const CLAIMS_TEMPLATE =
  '{"email":"$context.authorizer.claims.email","sub":"$context.authorizer.claims.sub","aud":"$context.authorizer.claims.aud",' +
  '"exp":"$context.authorizer.claims.exp","scope":"$context.authorizer.claims.scope","principalId":"$context.authorizer.principalId"}';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function mock(security: object[]): object {
  return {
    security,
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': CLAIMS_TEMPLATE } } },
    },
  };
}

const pool = (providerARNs: string[], extra: Record<string, unknown> = {}, header = 'Authorization'): object => ({
  type: 'apiKey',
  name: header,
  in: 'header',
  'x-amazon-apigateway-authtype': 'cognito_user_pools',
  'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs, ...extra },
});

describe('COGNITO_USER_POOLS authorizers', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let provider: RunningProvider;
  let rsa: SigningKey;
  let rogue: SigningKey;
  let down: Awaited<ReturnType<typeof listen>>;
  let downHits = 0;
  let portico: Portico;
  let apiId: string;

  before(async () => {
    dir = await tempDir('portico-cognito-');
    rsa = await generateSigningKey('RS256', 'pool-rsa');
    const ec = await generateSigningKey('ES256', 'pool-ec');
    rogue = await generateSigningKey('RS256', 'rogue');
    provider = await startOidcProvider({ keys: [rsa, ec], issuer: () => POOL_ISSUER, accessTokenClaims: { token_use: 'access' } });
    down = await listen((_req, res) => {
      downHits++;
      res.writeHead(503).end();
    });
    portico = await Portico.start({
      port: 0,
      dataDir: dir.path,
      // One key by user pool ARN, one by issuer: both forms are accepted.
      cognitoJwks: { [POOL_ARN]: provider.jwksUrl, [DOWN_ISSUER]: `http://127.0.0.1:${down.port}/jwks` },
    });
    const code = await writeHandler(dir.path, 'claims-echo', 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event.requestContext.authorizer) });');
    await portico.putFunction({ functionName: 'claims-echo', runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory: code, timeout: 10, memorySize: 128, environment: {} });
    const deployed = await portico.deployOpenApi({
      openapi: '3.0.1',
      info: { title: 'cognito', version: '1' },
      components: {
        securitySchemes: {
          pool: pool([POOL_ARN]),
          esOnly: pool([POOL_ARN], { identityValidationExpression: CLIENTS.ES256 }),
          token: pool([POOL_ARN], {}, 'X-Id-Token'),
          downPool: pool([DOWN_ARN]),
        },
      },
      paths: {
        '/claims': { get: mock([{ pool: [] }]) },
        '/event': {
          get: { security: [{ pool: [] }], responses: {}, 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('claims-echo') } },
        },
        '/scoped': { get: mock([{ pool: ['pets.write'] }]) },
        '/es-only': { get: mock([{ esOnly: [] }]) },
        '/own-header': { get: mock([{ token: [] }]) },
        '/down': { get: mock([{ downPool: [] }]) },
      },
    });
    apiId = deployed.api.id;
  });

  after(async () => {
    await portico?.close();
    await provider?.stop();
    await down?.close();
    await dir?.remove();
  });

  const call = (path: string, headers: Record<string, string> = {}): Promise<RawResponse> =>
    rawRequest(portico.port, { path: `/_aws/execute-api/${apiId}/dev/${path}`, headers });

  const assertUnauthorized = (res: RawResponse, why: string, message = 'Unauthorized'): void => {
    assert.equal(res.status, 401, `${why}: ${res.text}`);
    assert.deepEqual(res.json(), { message }, why);
    assert.equal(res.headers['x-amzn-errortype'], 'UnauthorizedException', why);
  };

  const idToken = (claims: Record<string, unknown> = {}, options: { alg?: 'RS256' | 'ES256'; expiresAt?: number } = {}): Promise<string> =>
    provider.issueIdToken({ sub: 'ann-sub', claims: { token_use: 'id', email: 'ann@example.com', ...claims }, ...options });

  const selfSigned = (key: SigningKey, payload: JWTPayload): Promise<string> =>
    new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);

  it("admits a valid ID token and puts its claims in $context.authorizer.claims, AWS's way", async () => {
    const res = await call('claims', { authorization: await idToken() });
    assert.equal(res.status, 200, res.text);
    const body = res.json();
    assert.equal(body.email, 'ann@example.com');
    assert.equal(body.sub, 'ann-sub');
    assert.equal(body.aud, CLIENTS.RS256);
    // AWS writes the date claims as Java dates, not epoch seconds.
    assert.match(body.exp, /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    assert.equal(body.principalId, '');
  });

  it('accepts the token with a Bearer prefix too', async () => {
    assert.equal((await call('claims', { authorization: `Bearer ${await idToken()}` })).status, 200);
  });

  it('hands the claims, as strings, to a Lambda proxy function in requestContext.authorizer.claims', async () => {
    const res = await call('event', { authorization: await idToken({ 'cognito:groups': ['admins', 'staff'], email_verified: true }) });
    assert.equal(res.status, 200, res.text);
    const authorizer = res.json();
    assert.deepEqual(Object.keys(authorizer), ['claims']);
    assert.equal(authorizer.claims.email, 'ann@example.com');
    assert.equal(authorizer.claims.token_use, 'id');
    assert.equal(authorizer.claims['cognito:groups'], 'admins,staff');
    assert.equal(authorizer.claims.email_verified, 'true');
    assert.equal(authorizer.claims.iss, POOL_ISSUER);
  });

  it('refuses a request without a token, never reaching the integration', async () => {
    assertUnauthorized(await call('claims'), 'no header');
    assertUnauthorized(await call('event', { authorization: 'Bearer' }), 'empty bearer');
  });

  it('refuses an expired token', async () => {
    // AWS words this refusal apart (reported by many clients as 401 "The incoming token has expired").
    assertUnauthorized(await call('claims', { authorization: await idToken({}, { expiresAt: nowSeconds() - 120 }) }), 'expired', 'The incoming token has expired');
  });

  it("refuses a token for another client when identityValidationExpression names the client", async () => {
    assertUnauthorized(await call('es-only', { authorization: await idToken() }), 'client portico-rs');
    assert.equal((await call('es-only', { authorization: await idToken({}, { alg: 'ES256' }) })).status, 200);
  });

  it('refuses a tampered token, an unsigned one (alg none) and one from a user pool the authorizer does not name', async () => {
    const token = await idToken();
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
    const tampered = `${header}.${b64url({ ...claims, email: 'mallory@example.com' })}.${signature}`;
    assertUnauthorized(await call('claims', { authorization: tampered }), 'tampered');
    const none = `${b64url({ alg: 'none', kid: rsa.kid, typ: 'JWT' })}.${b64url(claims)}.`;
    assertUnauthorized(await call('claims', { authorization: none }), 'alg none');
    const elsewhere = await selfSigned(rsa, { ...claims, iss: OTHER_ISSUER });
    assertUnauthorized(await call('claims', { authorization: elsewhere }), 'other user pool');
  });

  it('accepts a token signed by a key of the pool and refuses one signed by a key it does not publish', async () => {
    const claims = { iss: POOL_ISSUER, token_use: 'id', aud: 'app-client', sub: 'self', email: 'self@example.com', exp: nowSeconds() + 300 };
    assert.equal((await call('claims', { authorization: await selfSigned(rsa, claims) })).status, 200);
    assertUnauthorized(await call('claims', { authorization: await selfSigned(rogue, claims) }), 'unknown kid');
    // The pool's kid on a key the pool does not hold.
    const impostor = { ...rogue, kid: rsa.kid };
    assertUnauthorized(await call('claims', { authorization: await selfSigned(impostor, claims) }), 'wrong key under a known kid');
  });

  it('fails closed when the user pool key set cannot be fetched', async () => {
    const token = await selfSigned(rsa, { iss: DOWN_ISSUER, token_use: 'id', aud: 'app-client', sub: 'x', exp: nowSeconds() + 300 });
    assertUnauthorized(await call('down', { authorization: token }), 'JWKS unavailable');
    assert.ok(downHits > 0, 'the key set was asked for');
  });

  it("enforces the method's authorization scopes: access tokens carrying one of them only", async () => {
    const write = await provider.issueAccessToken({ scope: 'pets.write' });
    const res = await call('scoped', { authorization: write });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().scope, 'pets.write');
    assertUnauthorized(await call('scoped', { authorization: await provider.issueAccessToken({ scope: 'pets.read' }) }), 'wrong scope');
    assertUnauthorized(await call('scoped', { authorization: await idToken() }), 'ID token on a scoped method');
    // Without method scopes, an access token is as good as an ID token.
    assert.equal((await call('claims', { authorization: write })).status, 200);
  });

  it("reads the token from the header the authorizer's identity source names", async () => {
    const token = await idToken();
    assert.equal((await call('own-header', { 'x-id-token': token })).status, 200);
    assertUnauthorized(await call('own-header', { authorization: token }), 'token in the wrong header');
  });

  it('takes the JWKS overrides from PORTICO_COGNITO_JWKS and the option, by issuer or user pool ARN', () => {
    const env = { PORTICO_COGNITO_JWKS: JSON.stringify({ [POOL_ARN]: 'http://127.0.0.1:1/a', [OTHER_ISSUER]: 'http://127.0.0.1:1/b' }) };
    assert.deepEqual(cognitoJwksOverrides(env, { [POOL_ISSUER]: 'http://127.0.0.1:1/c' }), {
      [POOL_ISSUER]: 'http://127.0.0.1:1/c',
      [OTHER_ISSUER]: 'http://127.0.0.1:1/b',
    });
    assert.deepEqual(cognitoJwksOverrides({}, undefined), {});
    assert.throws(() => cognitoJwksOverrides({ PORTICO_COGNITO_JWKS: '{' }, undefined), /PORTICO_COGNITO_JWKS is not JSON/);
    assert.throws(() => cognitoJwksOverrides({ PORTICO_COGNITO_JWKS: '["x"]' }, undefined), /must be an object/);
    assert.throws(() => cognitoJwksOverrides({}, { 'arn:aws:s3:::bucket': 'http://x/' }), /not a user pool ARN/);
    assert.throws(() => cognitoJwksOverrides({}, { [POOL_ISSUER]: 'file:///etc/passwd' }), /http\(s\) URL/);
  });
});
