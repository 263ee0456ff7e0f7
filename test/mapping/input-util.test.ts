/** `$input`, `$util` and `$stageVariables`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { base64Decode, base64Encode, escapeJavaScript, urlDecode, urlEncode } from '../../src/mapping/util.js';
import { MappingTemplate, MethodParameters, TemplateContext, type TemplateVariables } from '../../src/mapping/template.js';
import { fails, render } from './helpers.js';

const pets = JSON.stringify({
  pets: [
    { id: 1, type: 'dog', price: 249.99 },
    { id: 2, type: 'cat', price: 124.99 },
    { id: 3, type: 'fish', price: 0.99 },
  ],
  owner: { name: 'Ann' },
});

describe('$input.body', () => {
  it('is the raw text, and {} for an empty body', () => {
    assert.equal(render('$input.body', { body: 'raw text' }), 'raw text');
    assert.equal(render('$input.body', { body: '' }), '{}');
  });

  it('has no properties of its own', () => {
    assert.equal(render('[$input.body.length][$input.body.pets]', { body: pets }), '[][]');
  });
});

describe('$input.json and $input.path', () => {
  it('returns JSON text and walkable values for the AWS guide\'s example', () => {
    const t = '{"count": "$input.path(\'$.pets\').size()", "first": $input.json(\'$.pets[0]\'), "name": "$input.path(\'$.owner.name\')"}';
    assert.equal(render(t, { body: pets }), '{"count": "3", "first": {"id":1,"type":"dog","price":249.99}, "name": "Ann"}');
  });

  it('walks results natively', () => {
    const t = '#set($root = $input.path(\'$\'))#foreach($p in $root.pets)$p.type=$p.price #end';
    assert.equal(render(t, { body: pets }), 'dog=249.99 cat=124.99 fish=0.99 ');
  });

  it('gives "" from json() and null from path() when nothing matches', () => {
    assert.equal(render('$input.json(\'$.nope\')|$input.path(\'$.nope\')|$input.json(\'$.pets[9]\')', { body: pets }), '""||""');
  });

  it('returns JSON lists for indefinite paths, empty or not', () => {
    assert.equal(render('$input.json("$.pets[*].type") $input.json("$..nope") $input.path("$.pets[?(@.price < 100)].id")', { body: pets }), '["dog","cat","fish"] [] [3]');
  });

  it('writes JSON as json-smart does: compact, with / escaped', () => {
    const body = '{"url": "https://example.com/a", "list": ["a/b", "\u2028", "\u00e9"]}';
    assert.equal(render('$input.json("$.url") $input.path("$.list") $input.json("$")', { body }), '"https:\\/\\/example.com\\/a" ["a\\/b","\\u2028","é"] {"url":"https:\\/\\/example.com\\/a","list":["a\\/b","\\u2028","é"]}');
  });

  it('treats a body that is not JSON as matching nothing', () => {
    assert.equal(render('[$input.path("$")][$input.json("$.a")]', { body: 'a=1&b=2' }), '[][""]');
  });

  it('reads JSON null as null, and prints it as null in JSON', () => {
    assert.equal(render('[$input.path("$.a")][$input.json("$.a")]', { body: '{"a": null}' }), '[][null]');
  });

  it('parses the body once per render and shares the result', () => {
    assert.equal(render('#set($r = $input.path("$"))#set($ignored = $r.put("added", true))$input.json("$")', { body: '{"a":1}' }), '{"a":1,"added":true}');
  });

  it('fails on a malformed JSONPath', () => {
    fails('$input.path("$.a[")', 'runtime', { body: '{}' });
  });
});

describe('$input.params', () => {
  const params = { path: { id: 'p1', both: 'from-path' }, querystring: { q: 'x', both: 'from-query' }, header: { 'X-Trace': 't1', both: 'from-header' } };

  it('looks a name up in path, then query string, then headers', () => {
    assert.equal(render('$input.params("id") $input.params("q") $input.params("X-Trace") $input.params("both") [$input.params("none")]', { params }), 'p1 x t1 from-path []');
  });

  it('finds a header whatever its case', () => {
    assert.equal(render('$input.params("x-trace")', { params }), 't1');
  });

  it('returns all parameters as maps', () => {
    const t = '#set($all = $input.params())#foreach($type in $all.keySet())$type:#foreach($n in $all.get($type).keySet())$n=$all.get($type).get($n);#end #end';
    assert.equal(render(t, { params }), 'path:id=p1;both=from-path; header:X-Trace=t1;both=from-header; querystring:q=x;both=from-query; ');
    assert.equal(render('$input.params().header.get("X-Trace") $input.params().path.id', { params }), 't1 p1');
  });

  it('keeps what one template writes into them away from the next template of the request', () => {
    // The gateway builds the parameters once per request and renders both templates over them.
    const shared = MethodParameters.fromRecords(params);
    const writer = MappingTemplate.compile('#set($p = $input.params())#set($ignored = $p.querystring.put("q", "changed"))$p.querystring.q');
    const reader = MappingTemplate.compile('$input.params("q") $input.params().querystring.q');
    const vars = (): TemplateVariables => ({ input: { body: '', params: shared }, context: new TemplateContext({}), stageVariables: {} });
    assert.equal(writer.render(vars()), 'changed');
    assert.equal(reader.render(vars()), 'x x');
  });
});

describe('$stageVariables', () => {
  it('reads by property and by index', () => {
    assert.equal(render('$stageVariables.env ${stageVariables.env} $stageVariables["env"] [$stageVariables.none]', { stageVariables: { env: 'prod' } }), 'prod prod prod []');
  });
});

describe('$util', () => {
  it('escapeJavaScript escapes quotes, backslash, slash, controls and non-ASCII (Commons Lang)', () => {
    assert.equal(escapeJavaScript(`it's "x" \\ / \n\t\r\b\f \u0001 é 中 \u007f`), `it\\'s \\"x\\" \\\\ \\/ \\n\\t\\r\\b\\f \\u0001 \\u00E9 \\u4E2D \u007f`);
    assert.equal(escapeJavaScript('plain'), 'plain');
  });

  it('escapeJavaScript escapes the string form of other values', () => {
    assert.equal(render('$util.escapeJavaScript(1) $util.escapeJavaScript($nope) $util.escapeJavaScript({"a": "b\'"})'), "1 null {a=b\\'}");
  });

  it('undoes its quote escaping with the replaceAll the AWS guide shows', () => {
    assert.equal(render('#set($data = "it\'s")$util.escapeJavaScript($data).replaceAll("\\\\\'","\'")'), "it's");
  });

  it('urlEncode and urlDecode follow java.net.URLEncoder / URLDecoder', () => {
    assert.equal(urlEncode("a b+c=d&e/f?g*h.i-j_k~l!m'n(o)p é"), 'a+b%2Bc%3Dd%26e%2Ff%3Fg*h.i-j_k%7El%21m%27n%28o%29p+%C3%A9');
    assert.equal(urlDecode('a+b%2Bc%3D%C3%A9'), 'a b+c=é');
    assert.throws(() => urlDecode('%zz'));
    assert.throws(() => urlDecode('abc%4'));
    assert.equal(render('[$util.urlEncode($nope)]'), '[]');
  });

  it('base64Encode and base64Decode work on UTF-8 text', () => {
    assert.equal(base64Encode('héllo'), 'aMOpbGxv');
    assert.equal(base64Decode('aMOpbGxv'), 'héllo');
    assert.equal(base64Decode('eyJtZXNzYWdlIjogInBhdGgxIn0='), '{"message": "path1"}');
    assert.equal(base64Decode('aGk'), 'hi');
    assert.throws(() => base64Decode('a*b'));
    fails('$util.base64Decode("***")', 'runtime');
  });

  it('parseJson returns a walkable value, and fails on text that is not JSON', () => {
    assert.equal(render('#set($o = $util.parseJson($input.path(\'$.errorMessage\')))$o.key2.arr[0]', { body: '{"errorMessage":"{\\"key1\\":\\"var1\\",\\"key2\\":{\\"arr\\":[1,2,3]}}"}' }), '1');
    fails('$util.parseJson("{nope")', 'runtime');
  });

  it('has nothing else', () => {
    assert.equal(render('[$util.escapeJavaScript][$util.eval("1")][$util.urlEncode("a", "b")]'), '[][][]');
  });
});
