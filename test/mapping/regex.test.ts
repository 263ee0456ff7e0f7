/** The java.util.regex matcher behind matches, replaceAll, replaceFirst and split. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DetachedBudget } from '../../src/mapping/vtl/budget.js';
import { javaRegex, replaceRegex, splitRegex } from '../../src/mapping/vtl/java-regex.js';
import { TemplateError } from '../../src/mapping/vtl/errors.js';

const budget = (): DetachedBudget => new DetachedBudget();
const matches = (pattern: string, s: string): boolean => javaRegex(pattern).matches(s, budget());
const replaceAll = (s: string, pattern: string, replacement: string): string => replaceRegex(s, pattern, replacement, true, budget());
const split = (s: string, pattern: string, limit = 0): string[] => splitRegex(s, pattern, limit, budget());

function throwsKind(fn: () => unknown, kind: TemplateError['kind']): void {
  assert.throws(fn, (e: unknown) => e instanceof TemplateError && e.kind === kind);
}

describe('Java regular expressions', () => {
  it('matches the whole input', () => {
    assert.equal(matches('\\d+', '123'), true);
    assert.equal(matches('\\d+', '123a'), false);
    assert.equal(matches('a|ab', 'ab'), true);
  });

  it('supports classes, ranges, negation, intersection and POSIX names', () => {
    assert.equal(matches('[a-c&&[^b]]+', 'acca'), true);
    assert.equal(matches('[a-c&&[^b]]+', 'abc'), false);
    assert.equal(matches('\\p{Alpha}+\\p{Digit}', 'abc1'), true);
    assert.equal(matches('\\p{Lu}\\p{Ll}+', 'Éric'), true);
    assert.equal(matches('[\\w.-]+@[\\w-]+\\.[a-z]{2,}', 'a.b-c@ex-ample.org'), true);
  });

  it('supports quantifiers: greedy, lazy, possessive, bounded', () => {
    assert.equal(replaceAll('<a><b>', '<.+>', 'X'), 'X');
    assert.equal(replaceAll('<a><b>', '<.+?>', 'X'), 'XX');
    assert.equal(matches('a++a', 'aaa'), false);
    assert.equal(matches('a{2,3}', 'aaa'), true);
    assert.equal(matches('a{2,3}', 'aaaa'), false);
  });

  it('supports groups, backreferences, lookaround and inline flags', () => {
    assert.equal(matches('(\\w)\\1', 'aa'), true);
    assert.equal(matches('(?<q>[\'"]).*\\k<q>', '"x"'), true);
    assert.equal(replaceAll('price: 10 USD', '\\d+(?= USD)', 'N'), 'price: N USD');
    assert.equal(replaceAll('a1 b2', '(?<=a)\\d', '_'), 'a_ b2');
    assert.equal(matches('(?i)hello', 'HeLLo'), true);
    assert.equal(replaceAll('a\nb', '(?m)^', '>'), '>a\n>b');
  });

  it('has Java\'s anchors: $ also matches before a final line break', () => {
    assert.equal(replaceAll('abc\n', 'c$', 'C'), 'abC\n');
    assert.equal(replaceAll('abc\n', 'c\\z', 'C'), 'abc\n');
  });

  it('quotes with \\Q…\\E', () => {
    assert.equal(replaceAll('a.b*c', '\\Q.b*\\E', '-'), 'a-c');
  });

  it('expands $n, ${name} and \\ escapes in replacements', () => {
    assert.equal(replaceAll('2024-01-31', '(\\d+)-(\\d+)-(\\d+)', '$3/$2/$1'), '31/01/2024');
    assert.equal(replaceAll('ab', '(?<first>a)', '${first}${first}'), 'aab');
    assert.equal(replaceAll('cost', 'cost', '\\$5'), '$5');
    assert.equal(replaceAll('ab', '(a)', '$11'), 'a1b');
    throwsKind(() => replaceAll('ab', '(a)', '$2'), 'runtime');
    throwsKind(() => replaceAll('ab', 'a', '$x'), 'runtime');
  });

  it('handles empty matches as Java does', () => {
    assert.equal(replaceAll('abc', '', '-'), '-a-b-c-');
    assert.equal(replaceAll('a', 'a*', 'X'), 'XX');
  });

  it('splits as String.split does', () => {
    assert.deepEqual(split('a,b,,c,,', ','), ['a', 'b', '', 'c']);
    assert.deepEqual(split('a,b,,c,,', ',', -1), ['a', 'b', '', 'c', '', '']);
    assert.deepEqual(split('a,b,c', ',', 2), ['a', 'b,c']);
    assert.deepEqual(split(',a', ','), ['', 'a']);
    assert.deepEqual(split('abc', ''), ['a', 'b', 'c']);
    assert.deepEqual(split('', ','), ['']);
    assert.deepEqual(split('a1b22c', '\\d+'), ['a', 'b', 'c']);
  });

  it('rejects what Java rejects', () => {
    for (const pattern of ['(', '[a', '*a', 'a{', '{', 'a{2,1}', '\\y', '(?<=a+)b']) {
      throwsKind(() => javaRegex(pattern), 'runtime');
    }
  });

  it('stops a catastrophic pattern at the step bound instead of hanging', () => {
    const evil = 'a'.repeat(40) + '!';
    throwsKind(() => javaRegex('(a+)+$').matches(evil, new DetachedBudget(100_000)), 'limit');
    throwsKind(() => javaRegex('(a|aa)*b').matches(evil, new DetachedBudget(100_000)), 'limit');
  });
});
