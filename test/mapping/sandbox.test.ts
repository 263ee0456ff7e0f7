/**
 * The sandbox: no template, JSONPath or parameter reaches JavaScript objects, and every runaway
 * render ends in a TemplateError of kind 'limit' within its bounds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { MappingTemplate, TemplateContext, TemplateError } from '../../src/mapping/template.js';
import { fails, render, vars } from './helpers.js';

const JS_LEAKS = /function|native code|\[object|process|globalThis|prototype|Object|require|constructor/;

describe('sandbox: nothing reaches JavaScript', () => {
  const setups = ['#set($x = "str")', '#set($x = {"a": 1})', '#set($x = [1])', '#set($x = 1)', '#set($x = 1.5)', '#set($x = true)', '#set($x = $input)', '#set($x = $util)', '#set($x = $context)'];
  const probes = [
    '$x.constructor',
    "$x.constructor.constructor('return process')()",
    '$x.__proto__',
    '$x.__proto__.polluted',
    '$x.class',
    '$x.getClass()',
    "$x.getClass().forName('java.lang.Runtime')",
    '$x.toString.call',
    '$x.valueOf()',
    "$x.hasOwnProperty('a')",
    '$x.prototype',
    "$x['constructor']",
    "$x['__proto__']",
    '$x.toString.constructor',
    "$x.apply($x, [1])",
    '$x.bind($x)',
    "$x.__defineGetter__('a', $x)",
    '$x.then',
  ];
  for (const setup of setups) {
    it(`probes ${setup}`, () => {
      for (const probe of probes) {
        let out: string;
        try {
          out = render(`${setup}[${probe}]`, { body: '{"a": 1}' });
        } catch (e) {
          assert.ok(e instanceof TemplateError, `${probe}: ${String(e)}`);
          continue;
        }
        assert.doesNotMatch(out, JS_LEAKS, `${setup} ${probe} → ${out}`);
      }
    });
  }

  it('answers host objects\' and values\' Java introspection with nothing', () => {
    assert.equal(render("[$input.getClass().forName('java.lang.Runtime')][$util.constructor][$input.body.constructor.name][$context.getClass()][$foreach.constructor]", { body: 'b' }), '[][][][][]');
  });

  it('treats method calls on literals as a syntax error, not a call', () => {
    fails('#set($c = "".getClass())', 'syntax');
    assert.equal(render('"".getClass()'), '"".getClass()');
  });

  it('keeps JSONPath inside the document', () => {
    const body = '{"a": {"b": 1}}';
    assert.equal(render("[$input.path('$.__proto__')][$input.path(\"$['constructor']\")][$input.json('$..constructor')][$input.path('$.a.constructor.name')][$input.path('$.a.toString')]", { body }), '[][][[]][][]');
  });

  it('does not let a __proto__ key in a body, parseJson, a literal or the context pollute prototypes', () => {
    const body = '{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}}';
    const out = render(
      '$input.path("$")["__proto__"].polluted $input.json("$") #set($o = $util.parseJson($input.body))$o.keySet() #set($m = {"__proto__": {"polluted": 3}})$m #set($input.path("$")["__proto__"].polluted = 4)',
      { body },
    );
    assert.equal(out, '1 {"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}}} [__proto__, constructor] {__proto__={polluted=3}} ');
    const context = new TemplateContext(JSON.parse(body) as Record<string, unknown>);
    assert.equal(render('#set($context["__proto__"].polluted = 5)$context["__proto__"].polluted', { context }), '5');
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  it('has no eval, Function constructor, require or dynamic import in its source', () => {
    const root = new URL('../../../src/mapping/', import.meta.url);
    const files: URL[] = [];
    const walk = (dir: URL): void => {
      for (const name of readdirSync(dir)) {
        const url = new URL(name, dir);
        if (statSync(url).isDirectory()) walk(new URL(`${name}/`, dir));
        else if (name.endsWith('.ts')) files.push(url);
      }
    };
    walk(root);
    assert.ok(files.length >= 10);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      assert.doesNotMatch(source, /\beval\s*\(|new\s+Function\b|\bFunction\s*\(|\brequire\s*\(|\bimport\s*\(/, file.pathname);
    }
  });
});

describe('sandbox: every bound holds', () => {
  it('bounds the output size', () => {
    const error = fails('#foreach($i in [1..100000])xxxxxxxxxx#end', 'limit', { limits: { maxOutputBytes: 1000 } });
    assert.match(error.message, /output/);
  });

  it('counts output in UTF-8 bytes', () => {
    assert.equal(render('#foreach($i in [1..400])é#end', { limits: { maxOutputBytes: 800 } }).length, 400);
    fails('#foreach($i in [1..401])é#end', 'limit', { limits: { maxOutputBytes: 800 } });
  });

  it('bounds evaluation steps, without allocating huge ranges', () => {
    const error = fails('#foreach($i in [1..1000000000])#end', 'limit');
    assert.match(error.message, /steps/);
    fails('#set($r = [1..1000000000])$r', 'limit');
    fails('#set($r = [1..1000000000])$r.contains(5)$r.subList(0, 900000000)', 'limit');
  });

  it('bounds wall-clock time', () => {
    const started = performance.now();
    const error = fails('#foreach($i in [1..1000000000])#set($x = $i)#end', 'limit', { limits: { maxSteps: Number.MAX_SAFE_INTEGER, timeoutMs: 30 } });
    assert.match(error.message, /time/);
    assert.ok(performance.now() - started < 1000);
  });

  it('bounds macro and #define recursion', () => {
    fails('#macro(r $n)#r($n)#end#r(1)', 'limit');
    fails('#define($d)$d#end$d', 'limit');
  });

  it('bounds strings built by repeated concatenation', () => {
    fails('#set($s = "xxxxxxxx")#foreach($i in [1..40])#set($s = "$s$s")#end', 'limit');
    fails('#set($s = "xxxxxxxx")#foreach($i in [1..40])#set($s = $s + $s)#end', 'limit');
    fails('#set($s = "xxxxxxxx")#foreach($i in [1..40])#set($s = $s.concat($s))#end', 'limit');
    fails('#set($s = "xxxxxxxx")#foreach($i in [1..40])#set($s = $s.replace("x", "xx"))#end', 'limit');
    fails('#set($s = "x")#foreach($i in [1..100000])#set($s = "$s" + "x")#end', 'limit', { limits: { maxOutputBytes: 100_000 } });
  });

  it('bounds the total text a render builds, even in strings that stay small', () => {
    const big = 'x'.repeat(900);
    const template = `#set($big = "${big}")#foreach($i in [1..1000])#set($s = "$big")#end done`;
    assert.equal(render(template, { limits: { maxOutputBytes: 1_000_000 } }), ' done');
    fails(template, 'limit', { limits: { maxOutputBytes: 1000 } });
  });

  it('bounds collections that double themselves', () => {
    fails('#set($l = [1])#foreach($i in [1..64])#set($ok = $l.addAll($l))#end', 'limit');
  });

  it('bounds catastrophic regular expressions over client input', () => {
    const started = performance.now();
    fails('$input.body.matches("(a+)+$")', 'limit', { body: 'a'.repeat(64) + '!' });
    assert.ok(performance.now() - started < 2000);
  });

  it('survives bodies nested too deeply to parse', () => {
    const body = '['.repeat(100_000) + ']'.repeat(100_000);
    assert.equal(render('[$input.path("$")][$input.json("$")]', { body }), '[][""]');
  });

  it('renders the same template many times without state leaking between renders', () => {
    const template = MappingTemplate.compile('#set($count = $count + 1)#if(!$count)#set($count = 1)#end$count');
    assert.equal(template.render(vars()), '1');
    assert.equal(template.render(vars()), '1');
  });
});

/** mulberry32: a small seeded PRNG, so that the fuzz run is the same every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sandbox: fuzzing', () => {
  it('returns a string or throws a TemplateError for 2000 random templates, within bounds', () => {
    const random = prng(0x5eed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const int = (n: number): number => Math.floor(random() * n);

    const names = ['$x', '$y', '$i', '$m', '$l', '$s', '$input', '$util', '$context', '$foreach', '$stageVariables', '$nope'];
    const members = ['.a', '.b', '.size()', '.get(0)', '.get("a")', '.keySet()', '.toString()', '.length()', '.substring(1)', '.split(",")', '.replaceAll("a+", "$0$0")', '.matches("(a|b)*c")', '.put("k", $x)', '.add($y)', '[0]', '["a"]', '.constructor', '.__proto__', '.hasNext', '.body', '.json("$")', '.path("$..a")', '.params()', '.params("p")', '.escapeJavaScript($x)', '.parseJson($s)', '.urlEncode($s)', '.base64Decode($s)', '.requestOverride.header.h'];
    const literals = ['1', '-2', '3.5', '"str"', "'single'", '"interp $x"', 'true', 'false', 'null', '[1, 2]', '{"a": 1}', '[1..5]', '[$i..1]', '""'];
    const garbage = ['$', '#', '{', '}', '(', ')', '[', ']', '"', "'", '\\', '!', '.', ',', '##', '#*', '*#', '#[[', ']]#', '\n', '  ', '$!', '${', '#{', '#e'];
    const ops = [' + ', ' - ', ' * ', ' / ', ' % ', ' == ', ' != ', ' < ', ' && ', ' || ', ' and '];

    const reference = (): string => {
      let ref = pick(names);
      for (let k = int(4); k > 0; k--) ref += pick(members);
      return random() < 0.2 ? ref.replace('$', '$!') : ref;
    };
    const expr = (depth: number): string => {
      const r = random();
      if (depth > 2 || r < 0.35) return pick(literals);
      if (r < 0.7) return reference();
      if (r < 0.85) return `${expr(depth + 1)}${pick(ops)}${expr(depth + 1)}`;
      return `(${expr(depth + 1)})`;
    };
    const template = (depth: number): string => {
      let out = '';
      for (let k = 1 + int(5); k > 0; k--) {
        const r = random();
        if (r < 0.2) out += pick(['text ', '{"json": ', '}', '\n', ', ', 'a b c']);
        else if (r < 0.35) out += reference();
        else if (r < 0.45) out += `#set(${pick(['$x', '$y', '$m.a', '$l[0]', '$context.requestOverride.header.h'])} = ${expr(0)})`;
        else if (r < 0.55 && depth < 3) out += `#if(${expr(0)})${template(depth + 1)}${random() < 0.5 ? `#else${template(depth + 1)}` : ''}#end`;
        else if (r < 0.63 && depth < 3) out += `#foreach($i in ${pick(['[1..3]', '$l', '$m', '[1..100000000]', reference()])})${template(depth + 1)}#end`;
        else if (r < 0.68 && depth < 2) out += `#macro(mac${int(3)} $p)${template(depth + 1)}#end#mac${int(3)}(${expr(0)})`;
        else if (r < 0.71 && depth < 2) out += `#define($d)${template(depth + 1)}#end$d`;
        else if (r < 0.74) out += pick(['#break', '#stop', '#end', '#else', '#elseif(true)']);
        else if (r < 0.9) out += pick(garbage);
        else out += `#set($s = "${pick(['a,b', 'aaaa', 'eyJhIjoxfQ==', '{"a":[1]}'])}")`;
      }
      return out;
    };
    const bodies = ['', '{}', '{"a": [1, 2, {"a": "x"}], "b": null}', '[1, 2.0, "x"]', 'not json', '"str"', '{"__proto__": {"p": 1}}', '{"a":'];

    const limits = { maxOutputBytes: 64 * 1024, maxSteps: 20_000, timeoutMs: 50 };
    let rendered = 0;
    let failed = 0;
    for (let n = 0; n < 2000; n++) {
      const source = template(0);
      const body = pick(bodies);
      const started = performance.now();
      try {
        const out = MappingTemplate.compile(source).render(vars({ body, params: { querystring: { p: 'v' } } }), limits);
        assert.equal(typeof out, 'string');
        assert.ok(Buffer.byteLength(out) <= limits.maxOutputBytes);
        rendered++;
      } catch (e) {
        if (!(e instanceof TemplateError)) assert.fail(`#${n} ${JSON.stringify(source)} threw ${String(e)}`);
        failed++;
      }
      // The time limit is checked every few hundred steps: allow generous slack, never a hang.
      assert.ok(performance.now() - started < 1000, `#${n} took too long: ${JSON.stringify(source)}`);
    }
    assert.ok(rendered > 200 && failed > 200, `rendered ${rendered}, failed ${failed}`);
    assert.equal(({} as Record<string, unknown>).p, undefined);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
