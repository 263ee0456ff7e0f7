/** Invoke URL dispatch: host style, path style and AWS's slash handling. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { resolveInvokeTarget } from '../../src/gateway/dispatch.js';

describe('resolveInvokeTarget', () => {
  it('reads host-style URLs', () => {
    assert.deepEqual(resolveInvokeTarget('abcde12345.execute-api.localhost:4566', '/dev/pets/1?x=1'), {
      apiId: 'abcde12345',
      stageName: 'dev',
      path: '/pets/1',
      rawQuery: 'x=1',
      requestPath: '/dev/pets/1',
    });
  });

  it('reads path-style URLs', () => {
    assert.deepEqual(resolveInvokeTarget('localhost:4566', '/_aws/execute-api/abcde12345/dev/'), {
      apiId: 'abcde12345',
      stageName: 'dev',
      path: '/',
      rawQuery: '',
      requestPath: '/dev/',
    });
  });

  it('collapses leading slashes around the stage as AWS does, keeping inner ones', () => {
    const t1 = resolveInvokeTarget('abcde12345.execute-api.localhost', '//stage/proxy-value');
    assert.equal(t1?.path, '/proxy-value');
    assert.equal(t1?.requestPath, '/stage/proxy-value');
    const t2 = resolveInvokeTarget('abcde12345.execute-api.localhost', '/stage//hardcoded');
    assert.equal(t2?.path, '/hardcoded');
    assert.equal(t2?.requestPath, '/stage//hardcoded');
    const t3 = resolveInvokeTarget('abcde12345.execute-api.localhost', '/stage/a//b');
    assert.equal(t3?.path, '/a//b');
  });

  it('returns undefined for requests that name no API or stage', () => {
    assert.equal(resolveInvokeTarget('localhost:4566', '/dev/pets'), undefined);
    assert.equal(resolveInvokeTarget('abcde12345.execute-api.localhost', '/'), undefined);
    assert.equal(resolveInvokeTarget(undefined, '/_aws/execute-api/'), undefined);
  });
});
