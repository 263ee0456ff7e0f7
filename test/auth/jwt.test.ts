/**
 * JWT verification for Cognito user pool authorizers and HTTP API JWT authorizers, against a
 * real OpenID provider on 127.0.0.1 that signs with RSA and EC keys: what is accepted, every
 * way a token is refused, the JWKS cache's refetch, rotation, rate bound, shared fetches and
 * fail-closed behaviour, and how claims are shaped for integrations.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, decodeJwt, exportSPKI, type JWTPayload } from 'jose';
import { JwksCache } from '../../src/auth/jwks-cache.js';
import {
  JwtVerifier,
  cognitoIssuerFromProviderArn,
  headerNameFromIdentitySource,
  tokenFromHeader,
  type JwtVerifyResult,
} from '../../src/auth/jwt-verifier.js';
import {
  httpApiJwtAuthorizerContext,
  httpApiJwtClaims,
  httpApiV1JwtAuthorizerContext,
  restAuthorizerClaims,
  restCognitoAuthorizerContext,
} from '../../src/auth/claims.js';
import {
  CLIENTS,
  RESOURCE,
  generateSigningKey,
  startOidcProvider,
  type RunningProvider,
  type SigningKey,
} from './oidc-provider-harness.js';

const POOL_ID = 'us-east-1_PorticoT1';
const POOL_ARN = `arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL_ID}`;
const POOL_ISSUER = `https://cognito-idp.us-east-1.amazonaws.com/${POOL_ID}`;

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function assertOk(result: JwtVerifyResult): asserts result is Extract<JwtVerifyResult, { ok: true }> {
  assert.equal(result.ok, true, result.ok ? '' : `expected acceptance, got ${result.reason}: ${result.detail}`);
}

function assertDenied(result: JwtVerifyResult, reason: 'unauthorized' | 'forbidden', detail?: RegExp): void {
  assert.equal(result.ok, false, 'expected the token to be refused');
  if (result.ok) return;
  assert.equal(result.reason, reason, result.detail);
  if (detail) assert.match(result.detail, detail);
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Replaces the payload of a signed token, keeping header and signature. */
function withPayload(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url(payload)}.${signature}`;
}

/** A token signed by the test itself with one of the provider's own keys. */
function selfSigned(key: SigningKey, payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header }).sign(key.privateKey);
}

describe('JWT verification against a real OpenID provider', () => {
  let rsa: SigningKey;
  let ec: SigningKey;
  let foreign: SigningKey;
  /** Emulates a Cognito user pool: Cognito issuer, `token_use` claims, JWKS reached through an override. */
  let pool: RunningProvider;
  /** A plain OpenID provider whose issuer is its own origin, reached through discovery. */
  let oidc: RunningProvider;

  const poolCache = (options: ConstructorParameters<typeof JwksCache>[0] = {}): JwksCache =>
    new JwksCache({ jwksUrlOverrides: { [POOL_ISSUER]: pool.jwksUrl }, ...options });
  const poolVerifier = (options: ConstructorParameters<typeof JwksCache>[0] = {}, skew?: number): JwtVerifier =>
    new JwtVerifier({ jwks: poolCache(options), ...(skew === undefined ? {} : { clockSkewSeconds: skew }) });
  const cognito = { providerArns: [POOL_ARN] };

  before(async () => {
    rsa = await generateSigningKey('RS256', 'rsa-1');
    ec = await generateSigningKey('ES256', 'ec-1');
    foreign = await generateSigningKey('RS256', 'rsa-1');
    pool = await startOidcProvider({
      keys: [rsa, ec],
      issuer: () => POOL_ISSUER,
      accessTokenClaims: { token_use: 'access' },
    });
    oidc = await startOidcProvider({ keys: [rsa, ec], accessTokenAlg: 'ES256' });
  });

  after(async () => {
    await pool?.stop();
    await oidc?.stop();
  });

  describe('Cognito user pool authorizer', () => {
    it('derives the user pool issuer from the provider ARN', () => {
      assert.equal(cognitoIssuerFromProviderArn(POOL_ARN), POOL_ISSUER);
      assert.equal(
        cognitoIssuerFromProviderArn('arn:aws-cn:cognito-idp:cn-north-1:123456789012:userpool/cn-north-1_abc'),
        'https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_abc',
      );
      assert.equal(cognitoIssuerFromProviderArn('arn:aws:cognito-idp:us-east-1:123456789012:identitypool/x'), undefined);
    });

    it('accepts an ID token and returns its claims', async () => {
      const token = await pool.issueIdToken({
        claims: { token_use: 'id', email: 'ana@example.com', 'cognito:groups': ['admins', 'staff'] },
      });
      const result = await poolVerifier().verifyCognito(tokenFromHeader(token), cognito);
      assertOk(result);
      assert.equal(result.claims.iss, POOL_ISSUER);
      assert.equal(result.claims.aud, CLIENTS.RS256);
      assert.equal(result.claims.sub, 'user-1');
      assert.equal(result.claims.email, 'ana@example.com');
      assert.deepEqual(result.claims['cognito:groups'], ['admins', 'staff']);
      assert.deepEqual(result.scopes, []);
    });

    it('accepts the token with a Bearer prefix too', async () => {
      const token = await pool.issueIdToken({ claims: { token_use: 'id' } });
      assertOk(await poolVerifier().verifyCognito(tokenFromHeader(`Bearer ${token}`), cognito));
    });

    it('accepts ES256 and PS256 signed ID tokens', async () => {
      const verifier = poolVerifier();
      for (const alg of ['ES256', 'PS256'] as const) {
        const token = await pool.issueIdToken({ alg, claims: { token_use: 'id' } });
        assert.equal(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg, alg);
        const result = await verifier.verifyCognito(token, cognito);
        assertOk(result);
        assert.equal(result.claims.aud, CLIENTS[alg]);
      }
    });

    it('accepts an access token from the client_credentials grant on a method without scopes', async () => {
      const token = await pool.issueAccessToken({ scope: 'pets.read' });
      const result = await poolVerifier().verifyCognito(token, cognito);
      assertOk(result);
      assert.equal(result.claims.token_use, 'access');
      assert.equal(result.claims.client_id, CLIENTS.RS256);
      assert.deepEqual(result.scopes, ['pets.read']);
    });

    it('requires one of the method scopes in an access token, and refuses ID tokens on scoped methods', async () => {
      const verifier = poolVerifier();
      const access = await pool.issueAccessToken({ scope: 'pets.read pets.write' });
      const id = await pool.issueIdToken({ claims: { token_use: 'id' } });

      const granted = await verifier.verifyCognito(access, cognito, ['pets.admin', 'pets.write']);
      assertOk(granted);
      assert.deepEqual(granted.scopes, ['pets.read', 'pets.write']);
      assertDenied(await verifier.verifyCognito(access, cognito, ['pets.admin']), 'unauthorized', /none of the method scopes/);
      assertDenied(await verifier.verifyCognito(id, cognito, ['pets.read']), 'unauthorized', /id token/);
    });

    it('requires token_use id or access', async () => {
      const verifier = poolVerifier();
      assertDenied(await verifier.verifyCognito(await pool.issueIdToken(), cognito), 'unauthorized', /token_use/);
      const refresh = await pool.issueIdToken({ claims: { token_use: 'refresh' } });
      assertDenied(await verifier.verifyCognito(refresh, cognito), 'unauthorized', /token_use/);
    });

    it('matches aud against identityValidationExpression, which shuts out access tokens', async () => {
      const verifier = poolVerifier();
      const id = await pool.issueIdToken({ claims: { token_use: 'id' } });
      // Shaped like a Cognito access token, which has client_id and no aud (the provider's carry one).
      const access = await selfSigned(rsa, { iss: POOL_ISSUER, token_use: 'access', client_id: 'portico-rs', scope: 'pets.read', exp: nowSeconds() + 600 });
      assertOk(await verifier.verifyCognito(access, cognito, ['pets.read']));
      assertOk(await verifier.verifyCognito(id, { ...cognito, identityValidationExpression: 'portico-(rs|es)' }));
      assertDenied(await verifier.verifyCognito(id, { ...cognito, identityValidationExpression: 'portico' }), 'unauthorized', /identityValidationExpression/);
      assertDenied(await verifier.verifyCognito(access, { ...cognito, identityValidationExpression: '.*' }), 'unauthorized', /no aud/);
      assertDenied(await verifier.verifyCognito(id, { ...cognito, identityValidationExpression: '(' }), 'unauthorized', /configuration/);
    });

    it('refuses a token from a different user pool without fetching any key', async () => {
      const cache = poolCache();
      const verifier = new JwtVerifier({ jwks: cache });
      const other = { providerArns: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Other'] };
      const token = await pool.issueIdToken({ claims: { token_use: 'id' } });
      assertDenied(await verifier.verifyCognito(token, other), 'unauthorized', /issuer/);
      const fromOidc = await oidc.issueIdToken({ claims: { token_use: 'id' } });
      assertDenied(await verifier.verifyCognito(fromOidc, cognito), 'unauthorized', /issuer/);
      assert.equal(cache.fetches, 0);
    });

    it('fails closed on a configuration it cannot read', async () => {
      const token = await pool.issueIdToken({ claims: { token_use: 'id' } });
      assertDenied(await poolVerifier().verifyCognito(token, { providerArns: ['not-an-arn'] }), 'unauthorized', /configuration/);
      assertDenied(await poolVerifier().verifyCognito(token, { providerArns: [] }), 'unauthorized', /configuration/);
    });
  });

  describe('HTTP API JWT authorizer', () => {
    const jwtVerifier = (options: ConstructorParameters<typeof JwksCache>[0] = {}): JwtVerifier =>
      new JwtVerifier({ jwks: new JwksCache(options) });

    it('finds the keys through the discovery document and accepts an ID token for a configured audience', async () => {
      const before = { ...oidc.hits };
      const token = await oidc.issueIdToken({ claims: { email: 'bo@example.com' } });
      const result = await jwtVerifier().verifyJwtAuthorizer(token, { issuer: oidc.issuer, audience: ['x', CLIENTS.RS256] });
      assertOk(result);
      assert.equal(result.claims.email, 'bo@example.com');
      assert.equal(oidc.hits.discovery - before.discovery, 1);
      assert.equal(oidc.hits.jwks - before.jwks, 1);
    });

    it('accepts an ES256 access token whose aud is the configured audience, and checks route scopes (403 on mismatch)', async () => {
      const verifier = jwtVerifier();
      const config = { issuer: oidc.issuer, audience: [RESOURCE] };
      const token = await oidc.issueAccessToken({ scope: 'pets.read' });
      const result = await verifier.verifyJwtAuthorizer(token, config, ['pets.read']);
      assertOk(result);
      assert.deepEqual(result.scopes, ['pets.read']);
      assertDenied(await verifier.verifyJwtAuthorizer(token, config, ['pets.write']), 'forbidden', /route scopes/);
      const id = await oidc.issueIdToken();
      assertDenied(await verifier.verifyJwtAuthorizer(id, { issuer: oidc.issuer, audience: [CLIENTS.RS256] }, ['pets.read']), 'forbidden');
    });

    it('reads scopes from scp as well, string or array', async () => {
      const verifier = jwtVerifier();
      const config = { issuer: oidc.issuer, audience: ['api'] };
      const exp = nowSeconds() + 600;
      const asArray = await selfSigned(ec, { iss: oidc.issuer, aud: 'api', exp, scp: ['pets.write', 'x'] });
      const asString = await selfSigned(rsa, { iss: oidc.issuer, aud: 'api', exp, scp: 'a pets.write' });
      for (const token of [asArray, asString]) {
        const result = await verifier.verifyJwtAuthorizer(token, config, ['pets.write']);
        assertOk(result);
        assert.ok(result.scopes.includes('pets.write'));
      }
    });

    it('refuses a wrong audience', async () => {
      const token = await oidc.issueIdToken();
      assertDenied(
        await jwtVerifier().verifyJwtAuthorizer(token, { issuer: oidc.issuer, audience: ['someone-else'] }),
        'unauthorized',
        /valid audience/,
      );
      assertDenied(await jwtVerifier().verifyJwtAuthorizer(token, { issuer: oidc.issuer, audience: [] }), 'unauthorized', /no audience/);
    });

    it('uses client_id as the audience only when the token has no aud', async () => {
      const verifier = jwtVerifier();
      const config = { issuer: oidc.issuer, audience: ['app-client'] };
      const exp = nowSeconds() + 600;
      assertOk(await verifier.verifyJwtAuthorizer(await selfSigned(rsa, { iss: oidc.issuer, exp, client_id: 'app-client' }), config));
      assertOk(await verifier.verifyJwtAuthorizer(await selfSigned(rsa, { iss: oidc.issuer, exp, aud: ['z', 'app-client'] }), config));
      const mismatched = await selfSigned(rsa, { iss: oidc.issuer, exp, aud: 'other', client_id: 'app-client' });
      assertDenied(await verifier.verifyJwtAuthorizer(mismatched, config), 'unauthorized', /audience/);
    });

    it('refuses a wrong issuer without contacting either issuer', async () => {
      const cache = new JwksCache();
      const verifier = new JwtVerifier({ jwks: cache });
      const before = { ...oidc.hits };
      const token = await oidc.issueIdToken();
      for (const issuer of [`${oidc.issuer}/`, `${oidc.issuer}/tenant`, pool.issuer]) {
        assertDenied(await verifier.verifyJwtAuthorizer(token, { issuer, audience: [CLIENTS.RS256] }), 'unauthorized', /issuer/);
      }
      assert.deepEqual(oidc.hits, before);
      assert.equal(cache.fetches, 0);
    });
  });

  describe('time claims', () => {
    it('refuses an expired token and honours the clock skew at the boundary', async () => {
      const longGone = await pool.issueIdToken({ claims: { token_use: 'id' }, expiresAt: nowSeconds() - 3600 });
      assertDenied(await poolVerifier().verifyCognito(longGone, cognito), 'unauthorized', /expired/);

      const justGone = await pool.issueIdToken({ claims: { token_use: 'id' }, expiresAt: nowSeconds() - 2 });
      assertOk(await poolVerifier({}, 5).verifyCognito(justGone, cognito));
      assertDenied(await poolVerifier({}, 0).verifyCognito(justGone, cognito), 'unauthorized', /expired/);
    });

    it('refuses a token that is not yet valid, with the same skew', async () => {
      const later = await pool.issueIdToken({ claims: { token_use: 'id', nbf: nowSeconds() + 3600 } });
      assertDenied(await poolVerifier().verifyCognito(later, cognito), 'unauthorized', /not yet valid/);

      const soon = await pool.issueIdToken({ claims: { token_use: 'id', nbf: nowSeconds() + 2 } });
      assertOk(await poolVerifier({}, 5).verifyCognito(soon, cognito));
      assertDenied(await poolVerifier({}, 0).verifyCognito(soon, cognito), 'unauthorized', /not yet valid/);
    });

    it('refuses a token issued in the future or without exp', async () => {
      const verifier = poolVerifier();
      const future = await selfSigned(rsa, { iss: POOL_ISSUER, token_use: 'id', aud: 'c', iat: nowSeconds() + 600, exp: nowSeconds() + 1200 });
      assertDenied(await verifier.verifyCognito(future, cognito), 'unauthorized', /future/);
      const endless = await selfSigned(rsa, { iss: POOL_ISSUER, token_use: 'id', aud: 'c' });
      assertDenied(await verifier.verifyCognito(endless, cognito), 'unauthorized', /exp/);
      // The same key and claims with an exp verify, so the refusals above are about the claims.
      assertOk(await verifier.verifyCognito(await selfSigned(rsa, { iss: POOL_ISSUER, token_use: 'id', aud: 'c', exp: nowSeconds() + 60 }), cognito));
    });
  });

  describe('forged and damaged tokens', () => {
    it('refuses a tampered payload and a tampered signature', async () => {
      const verifier = poolVerifier();
      const token = await pool.issueIdToken({ claims: { token_use: 'id', email: 'ana@example.com' } });
      assertOk(await verifier.verifyCognito(token, cognito));

      const elevated = withPayload(token, { ...decodeJwt(token), email: 'root@example.com' });
      assertDenied(await verifier.verifyCognito(elevated, cognito), 'unauthorized', /signature/);

      const [h, p, s] = token.split('.');
      const sig = Buffer.from(s, 'base64url');
      sig[10] ^= 0x01;
      assertDenied(await verifier.verifyCognito(`${h}.${p}.${sig.toString('base64url')}`, cognito), 'unauthorized', /signature/);
      assertDenied(await verifier.verifyCognito(`${h}.${p}.`, cognito), 'unauthorized');
    });

    it('refuses alg none before fetching any key', async () => {
      const cache = poolCache();
      const verifier = new JwtVerifier({ jwks: cache });
      const claims = decodeJwt(await pool.issueIdToken({ claims: { token_use: 'id' } }));
      for (const alg of ['none', 'None', 'NONE']) {
        const token = `${b64url({ alg, kid: rsa.kid })}.${b64url(claims)}.`;
        assertDenied(await verifier.verifyCognito(token, cognito), 'unauthorized', /not accepted/);
      }
      assert.equal(cache.fetches, 0);
    });

    it('refuses HMAC tokens, whether signed with a guessed secret or with the public key as the secret', async () => {
      const verifier = poolVerifier();
      const claims = decodeJwt(await pool.issueIdToken({ claims: { token_use: 'id' } }));
      const pem = await exportSPKI(rsa.publicKey);
      const secrets = [new TextEncoder().encode('secret'), new TextEncoder().encode(pem)];
      for (const alg of ['HS256', 'HS384', 'HS512']) {
        for (const secret of secrets) {
          const token = await new SignJWT(claims).setProtectedHeader({ alg, kid: rsa.kid }).sign(secret);
          assertDenied(await verifier.verifyCognito(token, cognito), 'unauthorized', /not accepted/);
        }
      }
    });

    it('refuses a token whose key is not in the JWKS, or that a different key signed under a known kid', async () => {
      const verifier = poolVerifier();
      const exp = nowSeconds() + 600;
      const stranger = await generateSigningKey('ES256', 'not-published');
      const unknownKid = await selfSigned(stranger, { iss: POOL_ISSUER, token_use: 'id', aud: 'c', exp });
      assertDenied(await verifier.verifyCognito(unknownKid, cognito), 'unauthorized', /unknown-kid/);
      const impostor = await selfSigned(foreign, { iss: POOL_ISSUER, token_use: 'id', aud: 'c', exp });
      assertDenied(await verifier.verifyCognito(impostor, cognito), 'unauthorized', /signature/);
      const noKid = await new SignJWT({ iss: POOL_ISSUER, token_use: 'id', aud: 'c', exp }).setProtectedHeader({ alg: 'RS256' }).sign(rsa.privateKey);
      assertDenied(await verifier.verifyCognito(noKid, cognito), 'unauthorized', /kid/);
      // An RSA kid named in an EC token: the key set has the kid but not for that algorithm.
      const crossed = await selfSigned(ec, { iss: POOL_ISSUER, token_use: 'id', aud: 'c', exp }, { kid: rsa.kid });
      assertDenied(await verifier.verifyCognito(crossed, cognito), 'unauthorized', /unsupported-key/);
    });

    it('refuses missing, empty, oversized and malformed tokens', async () => {
      const verifier = poolVerifier();
      for (const token of [undefined, '', 'abc', 'a.b.c', 'x'.repeat(20_000)]) {
        assertDenied(await verifier.verifyCognito(token, cognito), 'unauthorized');
      }
    });
  });

  describe('JWKS cache', () => {
    it('shares one fetch among concurrent verifications', async () => {
      const before = { ...pool.hits };
      const verifier = poolVerifier();
      const tokens = await Promise.all(Array.from({ length: 5 }, () => pool.issueIdToken({ claims: { token_use: 'id' } })));
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => verifier.verifyCognito(tokens[i % 5], cognito)));
      results.forEach(assertOk);
      assert.equal(pool.hits.jwks - before.jwks, 1);

      const oidcBefore = { ...oidc.hits };
      const jwt = new JwtVerifier({ jwks: new JwksCache() });
      const idToken = await oidc.issueIdToken();
      const more = await Promise.all(Array.from({ length: 40 }, () => jwt.verifyJwtAuthorizer(idToken, { issuer: oidc.issuer, audience: [CLIENTS.RS256] })));
      more.forEach(assertOk);
      assert.equal(oidc.hits.discovery - oidcBefore.discovery, 1);
      assert.equal(oidc.hits.jwks - oidcBefore.jwks, 1);
    });

    it('serves from cache within the TTL and fetches again after it', async () => {
      const clock = { t: Date.now() };
      const before = pool.hits.jwks;
      const verifier = poolVerifier({ now: () => clock.t, ttlMs: 60_000 });
      const token = await pool.issueIdToken({ claims: { token_use: 'id' } });
      for (let i = 0; i < 5; i++) assertOk(await verifier.verifyCognito(token, cognito));
      assert.equal(pool.hits.jwks - before, 1);
      clock.t += 60_001;
      assertOk(await verifier.verifyCognito(token, cognito));
      assert.equal(pool.hits.jwks - before, 2);
    });

    it('bounds refetches triggered by unknown kids', async () => {
      const clock = { t: Date.now() };
      const cache = poolCache({ now: () => clock.t, minRefetchIntervalMs: 30_000 });
      const verifier = new JwtVerifier({ jwks: cache });
      const exp = nowSeconds() + 600;
      const forged = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => selfSigned(await generateSigningKey('ES256', `forged-${i}`), { iss: POOL_ISSUER, token_use: 'id', aud: 'c', exp })),
      );
      const before = pool.hits.jwks;
      assertOk(await verifier.verifyCognito(await pool.issueIdToken({ claims: { token_use: 'id' } }), cognito));
      assert.equal(pool.hits.jwks - before, 1);

      // Inside the interval: no forged kid reaches the provider.
      for (const token of forged) assertDenied(await verifier.verifyCognito(token, cognito), 'unauthorized', /unknown-kid/);
      assert.equal(pool.hits.jwks - before, 1);

      // Once the interval has passed, a burst of unknown kids costs exactly one fetch.
      clock.t += 30_000;
      for (const token of forged) assertDenied(await verifier.verifyCognito(token, cognito), 'unauthorized', /unknown-kid/);
      await Promise.all(forged.map((token) => verifier.verifyCognito(token, cognito)));
      assert.equal(pool.hits.jwks - before, 2);
      assert.equal(cache.fetches, 2);
    });

    it('picks up a rotated key after a provider restart, and refuses the retired kid', async () => {
      const clock = { t: Date.now() };
      const oldKey = await generateSigningKey('RS256', 'gen-1');
      const newKey = await generateSigningKey('RS256', 'gen-2');
      const rotating = await startOidcProvider({ keys: [oldKey] });
      try {
        const cache = new JwksCache({ now: () => clock.t, minRefetchIntervalMs: 30_000 });
        const verifier = new JwtVerifier({ jwks: cache });
        const config = { issuer: rotating.issuer, audience: [CLIENTS.RS256] };
        const oldToken = await rotating.issueIdToken();
        assertOk(await verifier.verifyJwtAuthorizer(oldToken, config));
        assert.equal(rotating.hits.jwks, 1);

        await rotating.restart([newKey]);
        const newToken = await rotating.issueIdToken();
        assert.equal(JSON.parse(Buffer.from(newToken.split('.')[0], 'base64url').toString()).kid, 'gen-2');

        // Too soon after the last fetch: the new kid is unknown and may not trigger a fetch yet.
        assertDenied(await verifier.verifyJwtAuthorizer(newToken, config), 'unauthorized', /unknown-kid/);
        assert.equal(rotating.hits.jwks, 1);
        // The old key is still cached and unexpired, so the old token still verifies for now.
        assertOk(await verifier.verifyJwtAuthorizer(oldToken, config));

        clock.t += 30_000;
        assertOk(await verifier.verifyJwtAuthorizer(newToken, config));
        assert.equal(rotating.hits.jwks, 2);
        assertDenied(await verifier.verifyJwtAuthorizer(oldToken, config), 'unauthorized', /unknown-kid/);
        clock.t += 30_000;
        assertDenied(await verifier.verifyJwtAuthorizer(oldToken, config), 'unauthorized', /unknown-kid/);
        assert.equal(rotating.hits.jwks, 3);
      } finally {
        await rotating.stop();
      }
    });

    it('fails closed when the provider is stopped: no keys yet, or cached keys past their TTL', async () => {
      const clock = { t: Date.now() };
      const key = await generateSigningKey('ES256', 'short-lived');
      const doomed = await startOidcProvider({ keys: [key] });
      const config = { issuer: doomed.issuer, audience: [CLIENTS.ES256] };
      const token = await doomed.issueIdToken({ alg: 'ES256' });
      const warm = new JwtVerifier({ jwks: new JwksCache({ now: () => clock.t, ttlMs: 60_000 }) });
      assertOk(await warm.verifyJwtAuthorizer(token, config));
      await doomed.stop();

      const cold = new JwtVerifier({ jwks: new JwksCache() });
      assertDenied(await cold.verifyJwtAuthorizer(token, config), 'unauthorized', /unavailable/);

      assertOk(await warm.verifyJwtAuthorizer(token, config));
      clock.t += 60_000;
      assertDenied(await warm.verifyJwtAuthorizer(token, config), 'unauthorized', /unavailable/);
    });

    it('fails closed when the key set does not arrive within the timeout', async () => {
      // Accepts connections and never answers.
      const sockets = new Set<import('node:net').Socket>();
      const silent: Server = createServer(() => undefined);
      silent.on('connection', (s) => sockets.add(s));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks`;
        const verifier = new JwtVerifier({ jwks: new JwksCache({ jwksUrlOverrides: { [POOL_ISSUER]: url }, fetchTimeoutMs: 300 }) });
        const token = await pool.issueIdToken({ claims: { token_use: 'id' } });
        const started = Date.now();
        assertDenied(await verifier.verifyCognito(token, cognito), 'unauthorized', /unavailable/);
        const elapsed = Date.now() - started;
        assert.ok(elapsed >= 250 && elapsed < 3_000, `gave up after ${elapsed} ms`);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      }
    });

    it('fails closed on a key set larger than the response limit', async () => {
      const token = await pool.issueIdToken({ claims: { token_use: 'id' } });
      assertDenied(await poolVerifier({ maxResponseBytes: 200 }).verifyCognito(token, cognito), 'unauthorized', /larger than/);
      assertOk(await poolVerifier({ maxResponseBytes: 64 * 1024 }).verifyCognito(token, cognito));
    });

    it('keeps at most maxKeysPerIssuer keys of a key set', async () => {
      const verifier = poolVerifier({ maxKeysPerIssuer: 1 });
      const first = await pool.issueIdToken({ claims: { token_use: 'id' } });
      const second = await pool.issueIdToken({ alg: 'ES256', claims: { token_use: 'id' } });
      assertOk(await verifier.verifyCognito(first, cognito));
      assertDenied(await verifier.verifyCognito(second, cognito), 'unauthorized', /unknown-kid/);
      assertOk(await poolVerifier().verifyCognito(second, cognito));
    });

    it('keeps at most maxIssuers issuers', async () => {
      const cache = new JwksCache({ maxIssuers: 2 });
      const verifier = new JwtVerifier({ jwks: cache });
      const providers = [oidc];
      const extra = await Promise.all([0, 1].map(async () => startOidcProvider({ keys: [rsa] })));
      providers.push(...extra);
      try {
        for (const p of providers) {
          assertOk(await verifier.verifyJwtAuthorizer(await p.issueIdToken(), { issuer: p.issuer, audience: [CLIENTS.RS256] }));
        }
        assert.equal(cache.size, 2);
      } finally {
        await Promise.all(extra.map((p) => p.stop()));
      }
    });

    it('rejects option combinations that could never renew keys', () => {
      assert.throws(() => new JwksCache({ ttlMs: 1_000, minRefetchIntervalMs: 30_000 }), RangeError);
      assert.throws(() => new JwksCache({ jwksUrlOverrides: { [POOL_ISSUER]: 'file:///etc/passwd' } }), TypeError);
      assert.throws(() => new JwtVerifier({ jwks: new JwksCache(), clockSkewSeconds: -1 }), RangeError);
    });

    it('chooses the key source by issuer', () => {
      const cache = new JwksCache({ jwksUrlOverrides: { 'https://idp.example/': 'http://127.0.0.1:1/keys' } });
      assert.deepEqual(cache.sourceFor(POOL_ISSUER), { kind: 'jwks', url: `${POOL_ISSUER}/.well-known/jwks.json` });
      assert.deepEqual(cache.sourceFor('https://login.example.com/tenant/'), {
        kind: 'discovery',
        url: 'https://login.example.com/tenant/.well-known/openid-configuration',
      });
      assert.deepEqual(cache.sourceFor('https://idp.example/'), { kind: 'jwks', url: 'http://127.0.0.1:1/keys' });
    });
  });

  describe('token extraction', () => {
    it('reads the token alone or after Bearer, and nothing else', () => {
      assert.equal(tokenFromHeader('aaa.bbb.ccc'), 'aaa.bbb.ccc');
      assert.equal(tokenFromHeader('Bearer aaa.bbb.ccc'), 'aaa.bbb.ccc');
      assert.equal(tokenFromHeader('bearer  aaa.bbb.ccc '), 'aaa.bbb.ccc');
      assert.equal(tokenFromHeader(['Bearer aaa.bbb.ccc']), 'aaa.bbb.ccc');
      assert.equal(tokenFromHeader(['a.b.c', 'd.e.f']), undefined);
      assert.equal(tokenFromHeader('Bearer '), undefined);
      assert.equal(tokenFromHeader('Bearer'), undefined);
      assert.equal(tokenFromHeader('Basic dXNlcjpwYXNz'), undefined);
      assert.equal(tokenFromHeader(undefined), undefined);
    });

    it('names the header an identity source reads', () => {
      assert.equal(headerNameFromIdentitySource('method.request.header.Authorization'), 'authorization');
      assert.equal(headerNameFromIdentitySource('$request.header.X-Id-Token'), 'x-id-token');
      assert.equal(headerNameFromIdentitySource('$request.querystring.token'), undefined);
      assert.equal(headerNameFromIdentitySource('method.request.header.'), undefined);
    });
  });

  describe('claims for integrations', () => {
    it('writes every REST claim as a string, dates and lists the way API Gateway does', async () => {
      const token = await pool.issueIdToken({
        claims: { token_use: 'id', email_verified: true, 'cognito:groups': ['admins', 'staff'], 'custom:tier': 3, address: { country: 'PT' } },
      });
      const verified = await poolVerifier().verifyCognito(token, cognito);
      assertOk(verified);
      const claims = restAuthorizerClaims(verified.claims);
      for (const value of Object.values(claims)) assert.equal(typeof value, 'string');
      assert.equal(claims.email_verified, 'true');
      assert.equal(claims['cognito:groups'], 'admins,staff');
      assert.equal(claims['custom:tier'], '3');
      assert.equal(claims.address, '{"country":"PT"}');
      assert.match(claims.exp, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
      assert.equal(new Date(claims.exp.replace(' UTC', ' GMT+0000')).getTime() / 1000, verified.claims.exp);
      assert.deepEqual(restCognitoAuthorizerContext(verified.claims), { claims });

      // A pair of values as AWS delivered them for one Cognito ID token.
      const sample = restAuthorizerClaims({ exp: 1680633579, iat: 1680629979, auth_time: 1680629979, 'cognito:groups': ['team_manager'] });
      assert.deepEqual(sample, {
        exp: 'Tue Apr 04 18:39:39 UTC 2023',
        iat: 'Tue Apr 04 17:39:39 UTC 2023',
        auth_time: '1680629979',
        'cognito:groups': 'team_manager',
      });
    });

    it('writes HTTP API claims as strings with bracketed lists, and scopes only for scoped routes', async () => {
      const token = await oidc.issueAccessToken({ scope: 'pets.read pets.write' });
      const verified = await new JwtVerifier({ jwks: new JwksCache() }).verifyJwtAuthorizer(token, { issuer: oidc.issuer, audience: [RESOURCE] });
      assertOk(verified);
      const claims = httpApiJwtClaims({ ...verified.claims, groups: ['a', 'b'], flag: false });
      assert.equal(claims.exp, String(verified.claims.exp));
      assert.equal(claims.scope, 'pets.read pets.write');
      assert.equal(claims.groups, '[a b]');
      assert.equal(claims.flag, 'false');
      assert.equal(claims.client_id, CLIENTS.RS256);

      const scoped = httpApiJwtAuthorizerContext(verified, ['pets.write']);
      assert.deepEqual(scoped.jwt.scopes, ['pets.read', 'pets.write']);
      assert.equal(scoped.jwt.claims.iss, oidc.issuer);
      assert.equal(httpApiJwtAuthorizerContext(verified, undefined).jwt.scopes, null);
      assert.equal(httpApiJwtAuthorizerContext(verified, []).jwt.scopes, null);
      const v1 = httpApiV1JwtAuthorizerContext(verified, ['pets.read']);
      assert.deepEqual(v1.scopes, ['pets.read', 'pets.write']);
      assert.equal(v1.claims.sub, CLIENTS.RS256);
    });
  });
});
