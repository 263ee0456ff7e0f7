/** Java-flavoured values: String, List, Map and number methods, and how values print. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fails, render } from './helpers.js';

const withS = (expr: string, s = 'Hello, World'): string => render(`#set($s = "${s}")${expr}`);

describe('String methods', () => {
  it('length, isEmpty, charAt, substring', () => {
    assert.equal(withS('$s.length() $s.isEmpty() $s.charAt(4) $s.substring(7) $s.substring(0, 5) $s.empty'), '12 false o World Hello false');
  });

  it('indexOf and lastIndexOf, with and without a start', () => {
    assert.equal(withS('$s.indexOf("o") $s.indexOf("o", 5) $s.indexOf("z") $s.lastIndexOf("o") $s.lastIndexOf("o", 7) $s.lastIndexOf("o", -1)'), '4 8 -1 8 4 -1');
  });

  it('replace is literal and replaces every occurrence', () => {
    assert.equal(withS('$s.replace("o", "0") $s.replace(".", "!") $s.replace("", "-")', 'a.b'), 'a.b a!b -a-.-b-');
  });

  it('replaceAll and replaceFirst use Java regular expressions and $n groups', () => {
    assert.equal(withS('$s.replaceAll("(\\w+), (\\w+)", "$2 $1") $s.replaceFirst("[aeiou]", "_") $s.replaceAll("\\s+", "")'), 'World Hello H_llo, World Hello,World');
  });

  it('split follows Java: a regex, trailing empty strings removed, optional limit', () => {
    assert.equal(render('#set($p = "a,b,,c,,")$p.split(",") $p.split(",").size() $p.split(",", 2) $p.split(",", -1).size()'), '[a, b, , c] 4 [a, b,,c,,] 6');
    assert.equal(render('#set($p = "a.b|c")$p.split("\\.") $p.split("[.|]") $p.split("")'), '[a, b|c] [a, b, c] [a, ., b, |, c]');
  });

  it('case, trim, contains, startsWith, endsWith', () => {
    assert.equal(withS('[$s.toLowerCase()] [$s.toUpperCase()] [$s.trim()]', ' Hi\t'), '[ hi\t] [ HI\t] [Hi]');
    assert.equal(withS('$s.contains("lo,") $s.contains("xyz") $s.startsWith("He") $s.startsWith("o", 4) $s.endsWith("ld")'), 'true false true true true');
  });

  it('equals, equalsIgnoreCase, compareTo, matches, concat', () => {
    assert.equal(withS('$s.equals("abc") $s.equals("ABC") $s.equalsIgnoreCase("ABC") $s.compareTo("abd") $s.matches("[a-c]+") $s.matches("b") $s.concat("!")', 'abc'), 'true false true -1 true false abc!');
  });

  it('toString, hashCode and Integer.parseInt through an instance', () => {
    assert.equal(render('#set($Integer = 0)#set($n = $Integer.parseInt("42"))#set($m = $n + 1)$m "abc".hashCode() #set($h = "abc")$h.hashCode()'), '43 "abc".hashCode() 96354');
  });

  it('throws Java\'s exceptions as runtime errors', () => {
    fails('#set($s = "abc")$s.substring(5)', 'runtime');
    fails('#set($s = "abc")$s.charAt(3)', 'runtime');
    fails('#set($s = "abc")$s.replaceAll("(", "")', 'runtime');
    fails('#set($Integer = 0)$Integer.parseInt("x")', 'runtime');
  });

  it('ignores calls Java would not match (wrong name or argument types)', () => {
    assert.equal(withS('[$s.substring("1")][$s.nope()][$s.length(1)]'), '[][][]');
  });
});

describe('List methods', () => {
  it('size, get, isEmpty, contains, indexOf', () => {
    assert.equal(render('#set($l = ["a", "b", "a"])$l.size() $l.get(1) $l[2] $l.isEmpty() $l.contains("b") $l.indexOf("a") $l.lastIndexOf("a")'), '3 b a false true 0 2');
  });

  it('add returns true, as in Java (and prints it)', () => {
    assert.equal(render('#set($l = [])$l.add("x") #set($ignored = $l.add("y"))$l'), 'true [x, y]');
  });

  it('remove by index or by value, set, addAll, subList, clear', () => {
    const t = '#set($l = ["a", "b", "c"])$l.remove(0) $l.remove("c") $l #set($old = $l.set(0, "z"))$old $l #set($ok = $l.addAll(["p", "q"]))$l $l.subList(1, 3) $l.clear()$l.size()';
    assert.equal(render(t), 'a true [b] b [z] [z, p, q] [p, q] 0');
  });

  it('fails on an index out of range', () => {
    fails('#set($l = [1])$l.get(1)', 'runtime');
    fails('#set($l = [1])$l[-1]', 'runtime');
  });

  it('uses Java equality for contains: an Integer is not a Double', () => {
    assert.equal(render('#set($l = [1])$l.contains(1) $l.contains(1.0) $l.contains("1")'), 'true false false');
  });
});

describe('Map methods', () => {
  it('get, put (returning the previous value), containsKey, remove, size', () => {
    const t = '#set($m = {"a": 1})$m.get("a") [$m.put("b", 2)] $m.put("a", 3) $m.containsKey("b") $m.containsKey("z") $m.remove("b") $m.size() $m.isEmpty() $m';
    assert.equal(render(t), '1 [] 1 true false 2 1 false {a=3}');
  });

  it('keySet, values and entrySet', () => {
    const t = '#set($m = {"a": 1, "b": 2})$m.keySet() $m.values() $m.entrySet() #foreach($e in $m.entrySet())$e.key:$e.value,$e.getKey():$e.getValue() #end';
    assert.equal(render(t), '[a, b] [1, 2] [a=1, b=2] a:1,a:1 b:2,b:2 ');
  });

  it('reads missing keys as null and properties as keys', () => {
    assert.equal(render('#set($m = {"size": "big"})[$m.nope][$m.get("nope")] $m.size $m.size()'), '[][] big 1');
  });

  it('keeps insertion order', () => {
    assert.equal(render('#set($m = {})#set($m.z = 1)#set($m.a = 2)#set($m.m = 3)$m.keySet()'), '[z, a, m]');
  });
});

describe('numbers and booleans', () => {
  it('prints integers and doubles as Java does', () => {
    assert.equal(render('#set($a = 1.0)$a #set($b = 1.5)$b #set($c = 10000000.0)$c #set($d = 0.0001)$d #set($e = 3)$e'), '1.0 1.5 1.0E7 1.0E-4 3');
  });

  it('keeps JSON integers and doubles apart', () => {
    assert.equal(render('$input.path("$.i") $input.path("$.d") $input.path("$.e") $input.json("$")', { body: '{"i": 1, "d": 1.0, "e": 2e3}' }), '1 1.0 2000.0 {"i":1,"d":1.0,"e":2000.0}');
  });

  it('converts and compares', () => {
    assert.equal(render('#set($d = 2.7)$d.intValue() #set($i = 3)$i.doubleValue() $i.compareTo(5) $i.equals(3) $i.toString()'), '2 3.0 -1 true 3');
  });

  it('booleans have booleanValue and toString', () => {
    assert.equal(render('#set($b = true)$b.booleanValue() $b.toString() $b'), 'true true true');
  });
});

describe('printing', () => {
  it('prints maps like Java\'s AbstractMap and lists like ArrayList', () => {
    assert.equal(render('#set($m = {"a": "x", "b": [1, "two"], "c": {"d": $nope}})$m'), '{a=x, b=[1, two], c={d=null}}');
  });

  it('prints JSON lists as JSON, inside maps too', () => {
    assert.equal(render('$input.path("$.l") $input.path("$")', { body: '{"l": ["x", {"y": null}]}' }), '["x",{"y":null}] {l=["x",{"y":null}]}');
  });

  it('prints a map that contains itself as Java does', () => {
    assert.equal(render('#set($m = {})#set($m.self = $m)$m'), '{self=(this Map)}');
  });

  it('bounds printing of structures that contain each other', () => {
    fails('#set($a = {})#set($b = {"a": $a})#set($a.b = $b)$a', 'limit');
  });
});
