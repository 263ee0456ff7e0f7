/** VTL directives, references, literals, operators, escaping and whitespace gobbling. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MappingTemplate, TemplateContext } from '../../src/mapping/template.js';
import { fails, render } from './helpers.js';

describe('references', () => {
  it('prints variables, formal and silent references', () => {
    assert.equal(render('#set($x = "a")$x ${x}b $!x $!{x}'), 'a ab a a');
  });

  it('prints an undefined or null reference as nothing, silent or not', () => {
    assert.equal(render('[$nope][$!nope][${nope.a.b}][$nope.call(1)]'), '[][][][]');
  });

  it('leaves text that only looks like a reference alone', () => {
    assert.equal(render('costs $5, $ 1, $.path, $-x, a$'), 'costs $5, $ 1, $.path, $-x, a$');
  });

  it('takes hyphens into names, as Velocity 1.x does', () => {
    assert.equal(render('#set($m = {"X-Id": "x"})$m.X-Id #set($a-b = 1)$a-b [$m-$m.X-Id] $m.X-Id-'), 'x 1 [x] ');
  });

  it('ends a property chain at a dot that is not followed by a letter', () => {
    assert.equal(render('#set($m = {"_a": "x"})[$m._a]'), '[{_a=x}._a]');
    assert.equal(render('#set($m = {"a": "x"})$m.a. $m.a.'), 'x. x.');
  });

  it('reads properties, indexes and method results in a chain', () => {
    assert.equal(render('#set($m = {"a": [{"b": "deep"}], "k": "v"})$m.a[0].b $m["k"] $m.get("k").toUpperCase()'), 'deep v V');
  });
});

describe('literals and operators', () => {
  it('interpolates double-quoted strings but not single-quoted ones', () => {
    assert.equal(render('#set($n = "World")#set($a = "Hello $n")#set($b = \'Hello $n\')$a|$b'), 'Hello World|Hello $n');
  });

  it('renders directives inside double-quoted strings', () => {
    assert.equal(render('#set($f = true)#set($s = "#if($f)yes#{else}no#end")$s'), 'yes');
  });

  it('reads a doubled quote as one quote', () => {
    assert.equal(render(`#set($a = "say ""hi""")#set($b = 'it''s')$a $b`), 'say "hi" it\'s');
  });

  it('keeps backslashes in string literals, as Velocity does', () => {
    assert.equal(render('#set($s = "a\\"b")$s'), 'a\\"b');
  });

  it('builds lists, maps and ranges', () => {
    assert.equal(render('#set($l = [1, "a", true])$l #set($m = {"k": 1, "j": [2]})$m [1..3] [3..1]'), '[1, a, true] {k=1, j=[2]} [1..3] [3..1]');
    assert.equal(render('#set($r = [1..3])$r #set($d = [3..1])$d #set($n = 2)#set($x = [$n..4])$x'), '[1, 2, 3] [3, 2, 1] [2, 3, 4]');
  });

  it('does Java arithmetic: integer division, doubles, concatenation', () => {
    assert.equal(render('#set($a = 7 / 2)$a #set($b = 7.0 / 2)$b #set($c = -7 % 3)$c #set($d = 1 + 2 * 3)$d #set($e = (1 + 2) * 3)$e'), '3 3.5 -1 7 9');
    assert.equal(render('#set($s = "n=" + 1 + 2)$s #set($t = 1 + 2 + "=n")$t #set($u = 2.5 * 2)$u'), 'n=12 3=n 5.0');
  });

  it('gives null (nothing) for division by zero and non-numeric arithmetic', () => {
    assert.equal(render('[#set($z = 1 / 0)$z][#set($y = [1] - 1)$y]'), '[][]');
  });

  it('compares with symbols and words', () => {
    const t = '#if(1 < 2 && 2 lt 3 and 3 le 3 && 4 >= 4 && 5 gt 4 && 6 ge 6 && 1 == 1.0 && "a" eq "a" && "a" ne "b" && 1 != 2)ok#end';
    assert.equal(render(t), 'ok');
    assert.equal(render('#if(!false && not false && (false || true) && (false or true))ok#end'), 'ok');
  });

  it('compares different types through their strings, as Velocity 1.7 does', () => {
    assert.equal(render('#if("1" == 1)a#end#if("true" == true)b#end#if([1] == [1])c#end#if({"a": 1} == {"a": 1})d#end'), 'abcd');
  });

  it('treats every non-null value but false as true', () => {
    assert.equal(render('#if("")a#end#if(0)b#end#if([])c#end#if($nope)d#end#if(false)e#end#if(true)f#end'), 'abcf');
  });

  it('equates a missing value with the empty string, as AWS does', () => {
    assert.equal(render('#if($nope == "")a#end#if($nope == $null)b#end#if("" == $nope)c#end#if($nope != "x")d#end'), 'abcd');
  });
});

describe('#set', () => {
  it('assigns variables and nested map entries', () => {
    assert.equal(render('#set($m = {})#set($m.a = 1)#set($m["b"] = 2)#set($k = "c")#set($m[$k] = 3)$m'), '{a=1, b=2, c=3}');
  });

  it('sets list elements by index', () => {
    assert.equal(render('#set($l = [1, 2])#set($l[1] = "x")$l'), '[1, x]');
  });

  it('leaves the variable unchanged when the value is null (Velocity 1.7)', () => {
    assert.equal(render('#set($x = "kept")#set($x = $nope)$x'), 'kept');
  });

  it('fails on an index past the end of a list', () => {
    fails('#set($l = [1])#set($l[5] = 2)', 'runtime');
  });
});

describe('#if / #elseif / #else', () => {
  it('takes the first true branch', () => {
    const t = '#foreach($n in [1, 2, 3])#if($n == 1)one#elseif($n == 2)two#{else}many#end #end';
    assert.equal(render(t), 'one two many ');
  });
});

describe('#foreach', () => {
  it('iterates lists, map values and ranges', () => {
    assert.equal(render('#foreach($x in ["a", "b"])$x#end|#foreach($v in {"k": 1, "j": 2})$v#end|#foreach($i in [3..1])$i#end'), 'ab|12|321');
  });

  it('offers $foreach.index, count, hasNext, first, last and $velocityCount', () => {
    const t = '#foreach($x in ["a", "b", "c"])$foreach.index/$foreach.count/$velocityCount:$x#if($foreach.first)^#end#if($foreach.last)$#end#if($foreach.hasNext),#end#end';
    assert.equal(render(t), '0/1/1:a^,1/2/2:b,2/3/3:c$');
  });

  it('offers $foreach.parent in nested loops', () => {
    assert.equal(render('#foreach($a in [1, 2])#foreach($b in [1, 2])$foreach.parent.count$foreach.count #end#end'), '11 12 21 22 ');
  });

  it('restores the loop variable afterwards', () => {
    assert.equal(render('#set($x = "before")#foreach($x in [1, 2])#end$x'), 'before');
    assert.equal(render('#foreach($y in [1, 2])#end[$y]'), '[]');
  });

  it('skips null and non-iterable values', () => {
    assert.equal(render('#foreach($x in $nope)x#end#foreach($x in "abc")x#end#foreach($x in 5)x#end.'), '.');
  });

  it('stops at #break, and only the innermost loop', () => {
    assert.equal(render('#foreach($i in [1..5])#if($i == 3)#break#end$i#end'), '12');
    assert.equal(render('#foreach($a in [1, 2])#foreach($b in [1, 2, 3])#if($b == 2)#break#end$a$b #end#end'), '11 21 ');
  });

  it('refuses a list that changes while it is iterated', () => {
    fails('#set($l = [1, 2])#foreach($x in $l)#set($d = $l.add(3))#end', 'runtime');
  });
});

describe('#stop and #break outside a loop', () => {
  it('ends the template, keeping what was written', () => {
    assert.equal(render('before #stop after'), 'before ');
    assert.equal(render('before #break after'), 'before ');
    assert.equal(render('#foreach($i in [1, 2])$i#if($i == 1)#stop#end#end after'), '1');
  });
});

describe('#macro', () => {
  it('defines and calls macros with arguments separated by spaces or commas', () => {
    const t = '#macro(pair $a $b)($a,$b)#end#macro(tag, $name)<$name>#end#pair("x" 1)#pair(2, "y")#tag("p")';
    assert.equal(render(t), '(x,1)(2,y)<p>');
  });

  it('calls a macro without parentheses or arguments', () => {
    assert.equal(render('#macro(hr)---#end#hr #hr()'), '--- ---');
  });

  it('binds arguments locally and shares other variables', () => {
    assert.equal(render('#set($a = "outer")#macro(m $a)#set($b = $a)#end#m("inner")$a $b'), 'outer inner');
  });

  it('gives missing arguments no value', () => {
    assert.equal(render('#macro(m $a $b)[$a][$b]#end#m("x")'), '[x][]');
  });

  it('can recurse, up to Velocity\'s depth limit', () => {
    assert.equal(render('#macro(down $n)$n#if($n > 0)#set($m = $n - 1)#down($m)#end#end#down(3)'), '3210');
    fails('#macro(loop)x#loop()#end#loop()', 'limit');
  });

  it('must be defined before it is called: an unknown name is text', () => {
    assert.equal(render('#later()#macro(later)x#end#later()'), '#later()x');
  });
});

describe('#define', () => {
  it('renders its block where the reference is printed, with the values of that moment', () => {
    assert.equal(render('#define($greeting)Hello $who#end#set($who = "A")$greeting, #set($who = "B")$greeting'), 'Hello A, Hello B');
  });

  it('bounds a block that prints itself', () => {
    fails('#define($b)x$b#end$b', 'limit');
  });
});

describe('comments, unparsed blocks and escapes', () => {
  it('drops ## and #* *# comments', () => {
    assert.equal(render('a## line comment\nb#* block\ncomment *#c'), 'abc');
  });

  it('copies #[[ ]]# verbatim', () => {
    assert.equal(render('#[[$x #if(]]#'), '$x #if(');
  });

  it('escapes references and directives with a backslash', () => {
    // The escaped #set is text; the reference inside it is still a reference (undefined here).
    assert.equal(render('#set($x = 1)\\$x \\${x} \\#if \\#set($y = 2) \\\\$x'), '$x ${x} #if #set( = 2) \\1');
  });

  it('leaves other backslashes and hashes alone', () => {
    assert.equal(render('C:\\path \\n #ffffff #endif # #1'), 'C:\\path \\n #ffffff #endif # #1');
  });
});

describe('whitespace gobbling', () => {
  it('prints nothing of a line holding only #set, #if, #else, #end or #foreach', () => {
    const t = '{\n  #set($a = 1)\n  #if($a == 1)\n  "yes": true\n  #else\n  "no": true\n  #end\n  #foreach($i in [1, 2])\n  "$i": $i\n  #end\n}';
    assert.equal(render(t), '{\n  "yes": true\n  "1": 1\n  "2": 2\n}');
  });

  it('keeps text around a directive that shares its line', () => {
    assert.equal(render('a #set($x = 1) b\n$x'), 'a  b\n1');
    assert.equal(render('[#if(true) x #end]\n'), '[ x ]\n');
  });

  it('eats the line break after #end when its block started a line', () => {
    assert.equal(render('#if(true)x#end\ny'), 'xy');
    assert.equal(render('a #if(true)x#end\ny'), 'a x\ny');
  });

  it('eats #set\'s indentation at the start of a line, and its line break', () => {
    assert.equal(render('  #set($x = 1) after\n  #set($y = 2)\nend'), ' after\nend');
  });

  it('keeps the separator pattern of comma-joined loops on their own lines', () => {
    const t = '[\n#foreach($x in ["a", "b"])\n  "$x"#if($foreach.hasNext),#end\n#end\n]';
    assert.equal(render(t), '[\n  "a",\n  "b"\n]');
  });

  it('gobbles macro calls alone on a line', () => {
    assert.equal(render('#macro(m)X#end\n  #m()\nY'), 'XY');
  });
});

describe('a whole template: the console\'s "method request passthrough"', () => {
  const template = [
    '##  Passes every parameter, stage variable and context value through to the integration.',
    '#set($allParams = $input.params())',
    '{',
    '"body-json" : $input.json(\'$\'),',
    '"params" : {',
    '#foreach($type in $allParams.keySet())',
    '    #set($params = $allParams.get($type))',
    '"$type" : {',
    '    #foreach($paramName in $params.keySet())',
    '    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"',
    '        #if($foreach.hasNext),#end',
    '    #end',
    '}',
    '    #if($foreach.hasNext),#end',
    '#end',
    '},',
    '"stage-variables" : {',
    '#foreach($key in $stageVariables.keySet())',
    '"$key" : "$util.escapeJavaScript($stageVariables.get($key))"',
    '    #if($foreach.hasNext),#end',
    '#end',
    '},',
    '"context" : {',
    '    "api-id" : "$context.apiId",',
    '    "source-ip" : "$context.identity.sourceIp",',
    '    "api-key" : "$context.identity.apiKey"',
    '    }',
    '}',
  ].join('\n');

  it('renders valid JSON with every value in place', () => {
    const out = render(template, {
      body: '{"a": [1, "x/y"]}',
      params: { path: { id: '1' }, querystring: { q: 'a b', r: '"' }, header: { Host: 'h' } },
      stageVariables: { s: 'v', t: 'w' },
      context: new TemplateContext({ apiId: 'abc', identity: { sourceIp: '1.1.1.1', apiKey: null } }),
    });
    assert.deepEqual(JSON.parse(out), {
      'body-json': { a: [1, 'x/y'] },
      params: { path: { id: '1' }, header: { Host: 'h' }, querystring: { q: 'a b', r: '"' } },
      'stage-variables': { s: 'v', t: 'w' },
      context: { 'api-id': 'abc', 'source-ip': '1.1.1.1', 'api-key': '' },
    });
  });
});

describe('syntax errors', () => {
  for (const [what, template] of [
    ['an #if without #end', '#if(true) x'],
    ['a stray #end', 'x #end'],
    ['#else after #else', '#if(true)#else#else#end'],
    ['#else in a #foreach', '#foreach($x in [1])#else#end'],
    ['an unclosed string', '#set($x = "abc)'],
    ['#set without =', '#set($x 1)'],
    ['#set to a method call', '#set($x.y() = 1)'],
    ['a dangling operator', '#if(1 +)#end'],
    ['an unclosed method call', '$x.y(1'],
    ['an unclosed ${', '${x'],
    ['an unclosed index', '$x[1'],
    ['an unclosed comment', '#* never closed'],
    ['#if without a condition', '#if x #end'],
    ['#foreach without in', '#foreach($x [1])#end'],
    ['a macro named like a directive', '#macro(set)#end'],
  ] as const) {
    it(`rejects ${what}`, () => {
      fails(template, 'syntax');
    });
  }

  it('reports where the error is', () => {
    const error = fails('line one\n#if(true', 'syntax');
    assert.match(error.message, /line 2/);
  });

  it('bounds nesting depth at compile time', () => {
    fails('#if(true)'.repeat(300) + '#end'.repeat(300), 'syntax');
    fails('#set($x = ' + '('.repeat(500) + '1' + ')'.repeat(500) + ')', 'syntax');
  });
});

describe('MappingTemplate.isStatic', () => {
  it('is true only for templates with nothing to evaluate', () => {
    assert.equal(MappingTemplate.compile('{"statusCode": 200}').isStatic, true);
    assert.equal(MappingTemplate.compile('price: $5 #ffffff').isStatic, true);
    assert.equal(MappingTemplate.compile('').isStatic, true);
    assert.equal(MappingTemplate.compile('$x').isStatic, false);
    assert.equal(MappingTemplate.compile('a ## comment').isStatic, false);
    assert.equal(MappingTemplate.compile('\\#set').isStatic, false);
  });

  it('renders a static template as its source', () => {
    const source = '{"statusCode": 200}';
    assert.equal(render(source), source);
  });
});
