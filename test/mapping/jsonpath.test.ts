/** JSONPath over parsed JSON: the syntax `$input.path` / `$input.json` accept. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateJsonPath } from '../../src/mapping/jsonpath.js';

const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword', price: 12.99 },
      { category: 'fiction', author: 'Herman Melville', title: 'Moby Dick', isbn: '0-553', price: 8.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'LOTR', isbn: '0-395', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
  'odd key': { 'a.b': 1 },
};

const storeText = JSON.stringify(store);
const q = (path: string): unknown => evaluateJsonPath(storeText, path);

describe('JSONPath', () => {
  it('selects the root, children and bracketed names', () => {
    assert.deepEqual(q('$'), store);
    assert.equal(q('$.store.bicycle.color'), 'red');
    assert.equal(q("$['store']['bicycle']['color']"), 'red');
    assert.equal(q('$["odd key"]["a.b"]'), 1);
    assert.equal(q('store.bicycle.color'), 'red');
  });

  it('indexes arrays, from the end too', () => {
    assert.equal(q('$.store.book[0].title'), 'Sayings');
    assert.equal(q('$.store.book[-1].title'), 'LOTR');
    assert.equal(q('$.store.book[9]'), undefined);
  });

  it('selects lists with index lists, slices and wildcards', () => {
    assert.deepEqual(q('$.store.book[0,2].title'), ['Sayings', 'Moby Dick']);
    assert.deepEqual(q('$.store.book[1:3].title'), ['Sword', 'Moby Dick']);
    assert.deepEqual(q('$.store.book[-2:].title'), ['Moby Dick', 'LOTR']);
    assert.deepEqual(q('$.store.book[:1].title'), ['Sayings']);
    assert.equal((q('$.store.book[*].author') as unknown[]).length, 4);
    assert.deepEqual(q('$.store.bicycle.*'), ['red', 19.95]);
  });

  it('descends recursively in document order', () => {
    assert.deepEqual(q('$..price'), [8.95, 12.99, 8.99, 22.99, 19.95]);
    assert.deepEqual(q('$.store..color'), ['red']);
    assert.deepEqual(q('$..book[0].title'), ['Sayings']);
  });

  it('filters with comparisons, existence and boolean operators', () => {
    assert.deepEqual(q('$.store.book[?(@.price < 10)].title'), ['Sayings', 'Moby Dick']);
    assert.deepEqual(q('$.store.book[?(@.isbn)].title'), ['Moby Dick', 'LOTR']);
    assert.deepEqual(q("$.store.book[?(@.category == 'fiction' && @.price > 20)].title"), ['LOTR']);
    assert.deepEqual(q('$.store.book[?(@.price > 20 || @.author == "Nigel Rees")].title'), ['Sayings', 'LOTR']);
    assert.deepEqual(q('$.store.book[?(!@.isbn)].title'), ['Sayings', 'Sword']);
    assert.deepEqual(q('$.store.book[?(@.price <= $.store.bicycle.price)].price'), [8.95, 12.99, 8.99]);
    assert.deepEqual(q('$..book[?(@.isbn != "0-553")].title'), ['Sayings', 'Sword', 'LOTR']);
    assert.deepEqual(q('$..[?(@.isbn)].title'), ['Moby Dick', 'LOTR']);
  });

  it('picks several names at once into a map', () => {
    assert.deepEqual(q("$.store.bicycle['color','price']"), { color: 'red', price: 19.95 });
  });

  it('answers undefined for malformed paths and missing values', () => {
    assert.equal(q('$.store.book['), undefined);
    assert.equal(q('$.store.book[?(@.price ~ 1)]'), undefined);
    assert.equal(q('$.nope.deeper'), undefined);
    assert.equal(q('$.store.book.title'), undefined);
  });

  it('never reaches JavaScript prototypes', () => {
    for (const path of ['$.__proto__', "$['constructor']", '$..constructor', '$.store.toString', '$.store.book.length', '$.constructor.name']) {
      const found = q(path);
      assert.ok(found === undefined || (Array.isArray(found) && found.length === 0), `${path} → ${String(found)}`);
    }
  });
});
