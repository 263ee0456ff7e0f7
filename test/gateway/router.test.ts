/** Resource matching: AWS's precedence, ANY fallback, trailing slashes and greedy paths. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RestRouter } from '../../src/gateway/rest/router.js';

function router(entries: [string, string][]): RestRouter<string> {
  const r = new RestRouter<string>();
  for (const [path, method] of entries) r.add(path, method, `${method} ${path}`);
  return r;
}

describe('RestRouter', () => {
  const r = router([
    ['/', 'GET'],
    ['/pets', 'GET'],
    ['/pets/{petId}', 'GET'],
    ['/pets/{petId}', 'ANY'],
    ['/pets/mine', 'GET'],
    ['/{proxy+}', 'ANY'],
    ['/files/{path+}', 'GET'],
  ]);

  it('matches the root', () => {
    assert.equal(r.match('GET', '/')?.method, 'GET /');
  });

  it('prefers a literal over a parameter over a greedy path', () => {
    assert.equal(r.match('GET', '/pets/mine')?.method, 'GET /pets/mine');
    assert.deepEqual(r.match('GET', '/pets/1'), { method: 'GET /pets/{petId}', resourcePath: '/pets/{petId}', pathParameters: { petId: '1' } });
    assert.deepEqual(r.match('GET', '/pets/1/toys')?.pathParameters, { proxy: 'pets/1/toys' });
  });

  it('falls back to ANY on the same resource', () => {
    assert.equal(r.match('DELETE', '/pets/1')?.method, 'ANY /pets/{petId}');
  });

  it('falls back to a greedy resource when a literal has no such method path', () => {
    assert.equal(r.match('POST', '/pets/mine/x')?.method, 'ANY /{proxy+}');
  });

  it('ignores a trailing slash, and reports null pathParameters without parameters', () => {
    assert.deepEqual(r.match('GET', '/pets/'), { method: 'GET /pets', resourcePath: '/pets', pathParameters: null });
    assert.deepEqual(r.match('GET', '/a/b/')?.pathParameters, { proxy: 'a/b' });
  });

  it('keeps inner empty segments and encodings in greedy values', () => {
    assert.deepEqual(r.match('GET', '/a//b%2Fc')?.pathParameters, { proxy: 'a//b%2Fc' });
  });

  it('does not match a method absent from a resource without ANY', () => {
    const only = router([['/things', 'GET']]);
    assert.equal(only.match('POST', '/things'), undefined);
    assert.equal(only.match('GET', '/things/1'), undefined);
    assert.equal(only.match('GET', '/'), undefined);
  });

  it('never lets a method-less intermediate resource capture a request', () => {
    const r2 = router([['/a/b', 'GET'], ['/{proxy+}', 'GET']]);
    assert.equal(r2.match('GET', '/a')?.method, 'GET /{proxy+}');
  });

  it('needs at least one segment for a greedy parameter', () => {
    const r3 = router([['/files/{path+}', 'GET']]);
    assert.equal(r3.match('GET', '/files'), undefined);
    assert.equal(r3.match('GET', '/files/x')?.pathParameters?.path, 'x');
  });
});
