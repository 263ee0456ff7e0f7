/**
 * Response cache keys: what varies an entry (method, resource or cacheNamespace, the listed
 * parameters) and what does not (unlisted parameters, the order of the list), no collisions
 * between different values however they are spelled, bounded length, integration parameters
 * resolved through their mapping, and bad parameter lists refused when compiled.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileCacheKey,
  stageCacheId,
  CacheKeyError,
  MAX_KEY_ID_LENGTH,
  type CacheKeyMethod,
  type CacheKeyRequest,
} from '../../src/traffic/cache-key.js';
import type { Invocation } from '../../src/gateway/invocation.js';
import { request } from './response-cache-suite.js';

// The gateway passes its Invocation straight in; this stops compiling if the two drift apart.
export const invocationIsAKeyRequest = (inv: Invocation): CacheKeyRequest => inv;

const METHOD: CacheKeyMethod = {
  apiId: 'a1b2c3d4e5',
  stageName: 'prod',
  resourceId: 'res123',
  resourcePath: '/pets/{petId}',
  httpMethod: 'GET',
  cacheKeyParameters: [],
};
const compile = (overrides: Partial<CacheKeyMethod>) => compileCacheKey({ ...METHOD, ...overrides });

describe('cache keys', () => {
  it('puts every key of a stage under that stage, apart from other stages and APIs', () => {
    const key = compile({})(request({}));
    assert.equal(key.stage, stageCacheId('a1b2c3d4e5', 'prod'));
    assert.notEqual(stageCacheId('a1b2c3d4e5', 'prod'), stageCacheId('a1b2c3d4e5', 'beta'));
    assert.notEqual(stageCacheId('ab', 'cd'), stageCacheId('a', 'bcd'));
    assert.equal(compile({ stageName: 'beta' })(request({})).id, key.id, 'the stage is not repeated in the id');
  });

  it('hands every request one frozen key when the key reads nothing from the request', () => {
    const keyOf = compile({});
    const first = keyOf(request({ path: { petId: '1' } }));
    assert.equal(keyOf(request({ path: { petId: '2' } })), first);
    assert.ok(Object.isFrozen(first));
    const keyed = compile({ cacheKeyParameters: ['method.request.path.petId'] });
    assert.notEqual(keyed(request({ path: { petId: '1' } })), keyed(request({ path: { petId: '1' } })), 'a key read from the request is built per request');
    const any = compile({ httpMethod: 'ANY' });
    assert.notEqual(any(request({})), any(request({})), 'ANY keys by the request\'s method');
  });

  it('varies only with the listed parameters: AWS\'s type / department example', () => {
    const keyOf = compile({ resourcePath: '/users', cacheKeyParameters: ['method.request.querystring.type'] });
    const adminA = keyOf(request({ query: { type: ['admin'], department: ['A'] } }));
    const adminB = keyOf(request({ query: { type: ['admin'], department: ['B'] } }));
    const regular = keyOf(request({ query: { type: ['regular'], department: ['A'] } }));
    assert.deepEqual(adminA, adminB);
    assert.notDeepEqual(adminA, regular);
  });

  it('shares one entry across path values unless the path parameter is a key', () => {
    const unkeyed = compile({});
    assert.deepEqual(unkeyed(request({ path: { petId: '1' } })), unkeyed(request({ path: { petId: '2' } })));
    const keyed = compile({ cacheKeyParameters: ['method.request.path.petId'] });
    assert.notDeepEqual(keyed(request({ path: { petId: '1' } })), keyed(request({ path: { petId: '2' } })));
  });

  it('never gives two different sets of values the same key', () => {
    const keyOf = compile({
      cacheKeyParameters: [
        'method.request.querystring.a',
        'method.request.querystring.b',
        'method.request.multivaluequerystring.m',
        'method.request.header.h',
      ],
    });
    // Values built to fool separators, length prefixes and absent-value markers.
    const values = [undefined, '', 'x', 'x,y', ',', ':', '1:x', '-', '*1:', '0:', '%', '\u0000', 'é'];
    const lists = [undefined, [], [''], ['x'], ['x', 'y'], ['x,y'], ['1:x'], ['', ''], ['-']];
    const seen = new Map<string, string>();
    for (const a of values) {
      for (const b of values) {
        for (const m of lists) {
          for (const h of [undefined, '', 'x', '1:x']) {
            const query: Record<string, string[]> = {};
            if (a !== undefined) query.a = [a];
            if (b !== undefined) query.b = [b];
            if (m !== undefined) query.m = m;
            const headers: Record<string, string> = h === undefined ? {} : { h };
            const { id } = keyOf(request({ query, headers }));
            const label = JSON.stringify({ a, b, m, h });
            assert.equal(seen.get(id), undefined, `${label} collides with ${seen.get(id)}`);
            seen.set(id, label);
          }
        }
      }
    }
    assert.equal(seen.size, values.length * values.length * lists.length * 4);
  });

  it('reads query strings as AWS does: last value single, every value multi', () => {
    const single = compile({ cacheKeyParameters: ['method.request.querystring.q'] });
    assert.deepEqual(single(request({ query: { q: ['1', '2'] } })), single(request({ query: { q: ['2'] } })));
    const multi = compile({ cacheKeyParameters: ['method.request.multivaluequerystring.q'] });
    assert.notDeepEqual(multi(request({ query: { q: ['1', '2'] } })), multi(request({ query: { q: ['2'] } })));
    assert.notDeepEqual(multi(request({ query: { q: ['1', '2'] } })), multi(request({ query: { q: ['2', '1'] } })));
  });

  it('matches header names without regard to case, and tells repeated headers apart in multivalueheader', () => {
    const keyOf = compile({ cacheKeyParameters: ['method.request.header.X-Tenant'] });
    assert.notDeepEqual(keyOf(request({ headers: { 'x-tenant': 'a' } })), keyOf(request({ headers: { 'x-tenant': 'b' } })));
    assert.deepEqual(keyOf(request({ headers: { 'x-tenant': 'a' } })), compile({ cacheKeyParameters: ['method.request.header.x-tenant'] })(request({ headers: { 'x-tenant': 'a' } })));
    const multi = compile({ cacheKeyParameters: ['method.request.multivalueheader.x-tag'] });
    assert.notDeepEqual(multi(request({ headers: { 'x-tag': ['a', 'b'] } })), multi(request({ headers: { 'x-tag': 'a,b' } })));
    // Without Node's headersDistinct it falls back to the joined header.
    const bare: CacheKeyRequest = { ...request({}), req: { headers: { 'x-tag': 'a' } } };
    assert.deepEqual(multi(bare), multi(request({ headers: { 'x-tag': ['a'] } })));
  });

  it('ignores the order and repetition of the parameter list', () => {
    const ab = compile({ cacheKeyParameters: ['method.request.querystring.a', 'method.request.header.b'] });
    const ba = compile({ cacheKeyParameters: ['method.request.header.b', 'method.request.querystring.a', 'method.request.header.B'] });
    const req = request({ query: { a: ['1'] }, headers: { b: '2' } });
    assert.deepEqual(ab(req), ba(req));
  });

  it('keys by HTTP method, taking the request\'s method for ANY', () => {
    assert.notDeepEqual(compile({ httpMethod: 'GET' })(request({})), compile({ httpMethod: 'POST' })(request({ method: 'POST' })));
    const any = compile({ httpMethod: 'ANY' });
    assert.notDeepEqual(any(request({ method: 'GET' })), any(request({ method: 'DELETE' })));
    assert.deepEqual(any(request({ method: 'GET' })), compile({ httpMethod: 'GET' })(request({})));
  });

  it('shares entries across resources with one cacheNamespace, and only then', () => {
    const params = ['method.request.path.id'];
    const pets = compile({ resourceId: 'r1', resourcePath: '/pets/{id}', cacheKeyParameters: params, cacheNamespace: 'animals' });
    const dogs = compile({ resourceId: 'r2', resourcePath: '/dogs/{id}', cacheKeyParameters: params, cacheNamespace: 'animals' });
    assert.deepEqual(pets(request({ path: { id: '7' } })), dogs(request({ path: { id: '7' } })));
    const petsOwn = compile({ resourceId: 'r1', resourcePath: '/pets/{id}', cacheKeyParameters: params });
    const dogsOwn = compile({ resourceId: 'r2', resourcePath: '/dogs/{id}', cacheKeyParameters: params });
    assert.notDeepEqual(petsOwn(request({ path: { id: '7' } })), dogsOwn(request({ path: { id: '7' } })));
  });

  it('hashes long keys to a bounded length, still apart', () => {
    const keyOf = compile({ cacheKeyParameters: ['method.request.header.x-long'] });
    const long = 'v'.repeat(10_000);
    const a = keyOf(request({ headers: { 'x-long': long + 'a' } }));
    const b = keyOf(request({ headers: { 'x-long': long + 'b' } }));
    assert.ok(a.id.length <= MAX_KEY_ID_LENGTH && b.id.length <= MAX_KEY_ID_LENGTH);
    assert.ok(a.id.startsWith('h'));
    assert.notEqual(a.id, b.id);
    const short = keyOf(request({ headers: { 'x-long': 'short' } }));
    assert.ok(short.id.startsWith('k') && short.id.includes('short'), 'short keys stay readable');
  });

  it('resolves integration.request parameters through the integration\'s mapping', () => {
    const direct = compile({ cacheKeyParameters: ['method.request.path.petId'] });
    const mapped = compile({
      cacheKeyParameters: ['integration.request.path.id'],
      requestParameters: { 'integration.request.path.id': 'method.request.path.petId' },
    });
    assert.deepEqual(mapped(request({ path: { petId: '3' } })), direct(request({ path: { petId: '3' } })));
    assert.notDeepEqual(mapped(request({ path: { petId: '3' } })), mapped(request({ path: { petId: '4' } })));

    const fixed = compile({
      cacheKeyParameters: ['integration.request.header.x-version', 'integration.request.querystring.region'],
      requestParameters: { 'integration.request.header.x-version': "'v2'", 'integration.request.querystring.region': 'stageVariables.region' },
      stageVariables: { region: 'eu' },
    });
    assert.deepEqual(fixed(request({ path: { petId: '1' } })), fixed(request({ path: { petId: '2' } })));
    const otherRegion = compile({
      cacheKeyParameters: ['integration.request.header.x-version', 'integration.request.querystring.region'],
      requestParameters: { 'integration.request.header.x-version': "'v2'", 'integration.request.querystring.region': 'stageVariables.region' },
      stageVariables: { region: 'us' },
    });
    assert.notDeepEqual(fixed(request({})), otherRegion(request({})));
  });

  it('refuses parameters it cannot read when compiling, not per request', () => {
    for (const bad of [
      'method.request.body',
      'method.request.body.name',
      'method.request.cookie.x',
      'querystring.q',
      'integration.request.path.unmapped',
      '',
    ]) {
      assert.throws(() => compile({ cacheKeyParameters: [bad] }), CacheKeyError, bad);
    }
    assert.throws(
      () => compile({ cacheKeyParameters: ['integration.request.header.x'], requestParameters: { 'integration.request.header.x': 'context.requestId' } }),
      CacheKeyError,
    );
  });
});
