/**
 * The parts of Lambda authorizers that need no running function: the result cache's expiry and
 * bound (with a clock the test moves), the identity rules and TTL limits, and how an answer is
 * interpreted. The data-plane behaviour is in test/gateway/lambda-authorizers.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthorizerResultCache } from '../../src/auth/lambda-authorizer-cache.js';
import { identityAccepted, identityCacheKey, planIdentity } from '../../src/auth/lambda-authorizer-identity.js';
import { interpretAuthorizerPayload, interpretAuthorizerResult } from '../../src/auth/lambda-authorizer-output.js';
import type { Authorizer } from '../../src/model/rest-api.js';

const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:000000000000:abc/*' }] };
const authorizer = (fields: Partial<Authorizer>): Authorizer => ({ id: 'a1', name: 'a', type: 'TOKEN', ...fields });

describe('the authorizer result cache', () => {
  it('forgets an entry once its TTL has passed', () => {
    let now = 1_000;
    const cache = new AuthorizerResultCache<string>({ ttlMs: 300_000, now: () => now });
    cache.set('token', 'answer');
    now += 299_999;
    assert.equal(cache.get('token'), 'answer');
    now += 1;
    assert.equal(cache.get('token'), undefined);
    assert.equal(cache.size, 0);
  });

  it('holds at most maxEntries, dropping the least recently used', () => {
    const cache = new AuthorizerResultCache<number>({ ttlMs: 60_000, maxEntries: 3 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    assert.equal(cache.get('a'), 1); // a is now the most recently used
    cache.set('d', 4);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual([cache.get('a'), cache.get('c'), cache.get('d')], [1, 3, 4]);
  });

  it('keeps recency exact when hits on the most recent entry leave the order alone', () => {
    let now = 0;
    const cache = new AuthorizerResultCache<number>({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    cache.set('a', 1);
    assert.equal(cache.get('a'), 1); // already the most recent
    cache.set('b', 2);
    assert.equal(cache.get('a'), 1); // a moves past b
    assert.equal(cache.get('a'), 1);
    cache.set('c', 3); // b is the least recently used
    assert.deepEqual([cache.get('b'), cache.get('a'), cache.get('c')], [undefined, 1, 3]);
    now = 1_000; // everything expires; the most recent entry is forgotten like the others
    assert.equal(cache.get('c'), undefined);
    cache.set('d', 4);
    cache.set('e', 5);
    assert.deepEqual([cache.size, cache.get('d'), cache.get('e')], [2, 4, 5]);
  });
});

describe('identity sources', () => {
  it('uses the default TTL of 300 seconds, caps it at 3600, and reads 0 as no caching', () => {
    assert.equal(planIdentity(authorizer({})).ttlSeconds, 300);
    assert.equal(planIdentity(authorizer({ authorizerResultTtlInSeconds: 7200 })).ttlSeconds, 3600);
    assert.equal(planIdentity(authorizer({ authorizerResultTtlInSeconds: 0 })).ttlSeconds, 0);
  });

  it('requires the token of a TOKEN authorizer even without caching, and REQUEST sources only with caching', () => {
    const token = planIdentity(authorizer({ identitySource: 'method.request.header.Authorization', authorizerResultTtlInSeconds: 0 }));
    assert.equal(token.sources[0]?.name, 'authorization');
    assert.equal(identityAccepted(token, [undefined]), false);
    assert.equal(identityAccepted(token, ['']), false);
    assert.equal(identityAccepted(token, ['t']), true);
    const cached = planIdentity(authorizer({ type: 'REQUEST', identitySource: 'method.request.header.A, stageVariables.s, context.identity.sourceIp' }));
    assert.deepEqual(
      cached.sources.map((s) => s?.kind),
      ['header', 'stageVariable', 'context'],
    );
    assert.equal(identityAccepted(cached, ['a', undefined, '1.2.3.4']), false);
    assert.equal(identityAccepted(cached, ['a', 's', '1.2.3.4']), true);
    const uncached = planIdentity(authorizer({ type: 'REQUEST', identitySource: 'method.request.header.A', authorizerResultTtlInSeconds: 0 }));
    assert.equal(identityAccepted(uncached, [undefined]), true);
  });

  it('matches the validation expression against the whole token; an invalid expression matches nothing', () => {
    const plan = planIdentity(authorizer({ identitySource: 'method.request.header.Auth', identityValidationExpression: 'Bearer [a-z]+' }));
    assert.equal(identityAccepted(plan, ['Bearer abc']), true);
    assert.equal(identityAccepted(plan, ['Bearer abc1']), false);
    assert.equal(identityAccepted(plan, ['xBearer abc']), false);
    const broken = planIdentity(authorizer({ identitySource: 'method.request.header.Auth', identityValidationExpression: '([' }));
    assert.equal(identityAccepted(broken, ['anything']), false);
  });

  it('keys REQUEST identities so that different splits of the same text differ', () => {
    assert.notEqual(identityCacheKey(['a,b', 'c']), identityCacheKey(['a', 'b,c']));
  });
});

describe('interpreting an authorizer answer', () => {
  it('accepts principalId, policyDocument, scalar context values and usageIdentifierKey', () => {
    const verdict = interpretAuthorizerPayload({ principalId: 'u', policyDocument: policy, context: { s: 'x', n: 1, b: false }, usageIdentifierKey: 'k' });
    assert.equal(verdict.kind, 'output');
    if (verdict.kind !== 'output') return;
    assert.deepEqual(verdict.output.context, { s: 'x', n: 1, b: false });
    assert.equal(verdict.output.usageIdentifierKey, 'k');
    assert.equal(verdict.output.policy.evaluate({ action: 'execute-api:Invoke', resource: 'arn:aws:execute-api:us-east-1:000000000000:abc/dev/GET/' }), 'Allow');
  });

  it('fails answers AWS cannot use', () => {
    for (const payload of [
      null,
      'Allow',
      [policy],
      { policyDocument: policy },
      { principalId: 'u' },
      { principalId: 'u', policyDocument: { Statement: [{ Effect: 'Maybe', Action: 'execute-api:Invoke', Resource: '*' }] } },
      { principalId: 'u', policyDocument: policy, context: { o: { nested: true } } },
      { principalId: 'u', policyDocument: policy, context: { a: [1] } },
      { principalId: 'u', policyDocument: policy, context: { z: null } },
      { principalId: 'u', policyDocument: policy, usageIdentifierKey: 42 },
    ]) {
      assert.equal(interpretAuthorizerPayload(payload).kind, 'failed', JSON.stringify(payload));
    }
  });

  it('reads exactly "Unauthorized" as the refusal and any other error as a failure', () => {
    const error = (errorMessage: string) => interpretAuthorizerResult({ functionError: 'Unhandled', payload: { errorType: 'Error', errorMessage } }).kind;
    assert.equal(error('Unauthorized'), 'unauthorized');
    assert.equal(error('unauthorized'), 'failed');
    assert.equal(error('Unauthorized: expired'), 'failed');
  });
});
