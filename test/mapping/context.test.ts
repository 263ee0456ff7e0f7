/** TemplateContext: `$context` variables and the request/response overrides templates write. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TemplateContext } from '../../src/mapping/context.js';
import { render } from './helpers.js';

describe('TemplateContext', () => {
  const values = {
    requestId: 'r-1',
    stage: 'prod',
    requestTimeEpoch: 1700000000000,
    identity: { sourceIp: '10.0.0.1', userAgent: 'curl' },
    authorizer: { principalId: 'user', claims: { sub: 's-1' } },
    error: { message: 'Missing', messageString: '"Missing"' },
  };

  it('exposes the values as nested maps', () => {
    const context = new TemplateContext(values);
    assert.equal(render('$context.requestId $context.stage $context.identity.sourceIp $context.authorizer.claims.sub $context.error.messageString $context.requestTimeEpoch', { context }), 'r-1 prod 10.0.0.1 s-1 "Missing" 1700000000000');
    assert.equal(render('#foreach($k in $context.identity.keySet())$k=$context.identity.get($k);#end', { context }), 'sourceIp=10.0.0.1;userAgent=curl;');
  });

  it('starts with empty overrides', () => {
    const context = new TemplateContext(values);
    assert.deepEqual(context.requestOverride(), { header: {}, querystring: {}, path: {} });
    assert.deepEqual(context.responseOverride(), { header: {} });
  });

  it('reads back what #set, bracket assignment and put wrote into requestOverride', () => {
    const context = new TemplateContext(values);
    const t = [
      '#set($context.requestOverride.header.X-Id = $context.requestId)',
      '#set($name = "Accept")',
      '#set($context.requestOverride.header[$name] = "application/json")',
      '#set($context["requestOverride"].querystring["page"] = 2)',
      '$context.requestOverride.path.put("proxy", "a/b")',
      '#set($context.requestOverride.header.multi = ["a", "b"])',
    ].join('\n');
    render(t, { context });
    assert.deepEqual(context.requestOverride(), {
      header: { 'X-Id': 'r-1', Accept: 'application/json', multi: 'a,b' },
      querystring: { page: '2' },
      path: { proxy: 'a/b' },
    });
  });

  it('reads back a numeric status and headers from responseOverride', () => {
    const context = new TemplateContext(values);
    render('#set($context.responseOverride.status = 404)#set($context.responseOverride.header.Retry = "5")', { context });
    assert.deepEqual(context.responseOverride(), { status: 404, header: { Retry: '5' } });
  });

  it('accepts a status given as digits, and ignores one that is not a number', () => {
    const a = new TemplateContext({});
    render('#set($context.responseOverride.status = "201")', { context: a });
    assert.equal(a.responseOverride().status, 201);
    const b = new TemplateContext({});
    render('#set($context.responseOverride.status = "soon")', { context: b });
    assert.equal(b.responseOverride().status, undefined);
  });

  it('keeps writes between the request and the response template of one request', () => {
    const context = new TemplateContext({});
    render('#set($context.requestOverride.path.body = "{""message"": ""hi""}")#set($context.responseOverride.custom = "kept")', { context });
    assert.equal(render('#set($b = $util.parseJson($context.requestOverride.path.body))$b.message $context.responseOverride.custom', { context }), 'hi kept');
  });

  it('survives a template that replaces an override map with something else', () => {
    const context = new TemplateContext({});
    render('#set($context.requestOverride = "gone")#set($context.responseOverride.header = 5)', { context });
    assert.deepEqual(context.requestOverride(), { header: {}, querystring: {}, path: {} });
    assert.deepEqual(context.responseOverride(), { header: {} });
  });

  it('returns ordinary objects even for a header named __proto__', () => {
    const context = new TemplateContext({});
    render('#set($context.requestOverride.header["__proto__"] = "x")', { context });
    const { header } = context.requestOverride();
    assert.equal(Object.getPrototypeOf(header), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(header, '__proto__')?.value, 'x');
  });

  it('ignores values that are not JSON-like', () => {
    const context = new TemplateContext({ fn: () => 1, date: new Date(0), big: 10n, list: [1, 'a'] } as Record<string, unknown>);
    assert.equal(render('[$context.fn][$context.date][$context.big]$context.list', { context }), '[][][][1, a]');
  });
});
