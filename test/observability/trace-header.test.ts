/**
 * The X-Ray trace header: parsing what clients send (any field order, extra fields, malformed
 * parts), formatting what downstream calls receive, and X-Ray ⇄ OpenTelemetry trace ids.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatTraceHeader,
  isXrayTraceId,
  newSpanId,
  newXrayTraceId,
  otelToXrayTraceId,
  parseTraceHeader,
  xrayToOtelTraceId,
} from '../../src/observability/trace-header.js';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';

describe('X-Amzn-Trace-Id', () => {
  it('parses Root, Parent and Sampled', () => {
    assert.deepEqual(parseTraceHeader(`Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`), { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '1', extra: '' });
  });

  it('takes fields in any order, with spaces and any key case, and keeps extra fields in order', () => {
    assert.deepEqual(parseTraceHeader(` sampled=0 ; Lineage=a87bd80c:1|68fd508a:5 ;parent=53995C3F42CD8AD8; ROOT=${ROOT};Foo=bar`), {
      root: ROOT,
      parent: '53995c3f42cd8ad8',
      sampled: '0',
      extra: 'Lineage=a87bd80c:1|68fd508a:5;Foo=bar',
    });
  });

  it('accepts a Root alone, and Sampled=? as no decision', () => {
    assert.deepEqual(parseTraceHeader(`Root=${ROOT}`), { root: ROOT, parent: undefined, sampled: undefined, extra: '' });
    assert.equal(parseTraceHeader(`Root=${ROOT};Sampled=?`)?.sampled, '?');
    assert.equal(parseTraceHeader(`Root=${ROOT};Sampled=yes`)?.sampled, undefined);
  });

  it('rejects a header without a well-formed Root', () => {
    for (const header of [
      undefined,
      '',
      'Parent=53995c3f42cd8ad8;Sampled=1',
      'Root=1-5759e988-bd862e3fe1be46a99427279',
      'Root=1-5759e988-bd862e3fe1be46a9942727933',
      'Root=2-5759e988-bd862e3fe1be46a994272793',
      'Root=1-5759e98g-bd862e3fe1be46a994272793',
      'Root=1-00000000-000000000000000000000000;Sampled=1',
      'Root=15759e988bd862e3fe1be46a994272793',
      `Root=${ROOT};Root=garbage`,
      'garbage',
      `Root=${ROOT}${'x'.repeat(3000)}`,
    ]) {
      assert.equal(parseTraceHeader(header), undefined, String(header));
    }
  });

  it('drops a malformed Parent but keeps the trace', () => {
    assert.deepEqual(parseTraceHeader(`Root=${ROOT};Parent=xyz;Sampled=1`), { root: ROOT, parent: undefined, sampled: '1', extra: '' });
    assert.equal(parseTraceHeader(`Root=${ROOT};Parent=0000000000000000`)?.parent, undefined);
  });

  it('does not pass on Self, unsafe fields, or more than 256 characters of extra fields', () => {
    assert.equal(parseTraceHeader(`Self=1-67891234-12456789abcdef012345678;Root=${ROOT};A=1;B c=2;D=e f`)?.extra, 'A=1');
    const many = Array.from({ length: 40 }, (_, i) => `Field${i}=${'v'.repeat(10)}`).join(';');
    const extra = parseTraceHeader(`Root=${ROOT};${many}`)!.extra;
    assert.ok(extra.length <= 256, `${extra.length}`);
    assert.ok(extra.startsWith('Field0=vvvvvvvvvv;Field1='), extra);
  });

  it('reads the first of repeated headers', () => {
    assert.equal(parseTraceHeader([`Root=${ROOT};Sampled=1`, 'Root=1-5759e988-000000000000000000000001'])?.root, ROOT);
    assert.equal(parseTraceHeader(`Root=${ROOT};Sampled=1, Root=1-5759e988-000000000000000000000001`)?.sampled, '1');
  });

  it('formats Root, Parent, Sampled and the extra fields', () => {
    assert.equal(formatTraceHeader(ROOT, '53995c3f42cd8ad8', '1'), `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`);
    assert.equal(formatTraceHeader(ROOT, undefined, '0', 'Lineage=a:1'), `Root=${ROOT};Sampled=0;Lineage=a:1`);
    assert.equal(formatTraceHeader(ROOT, undefined, undefined), `Root=${ROOT}`);
    const parsed = parseTraceHeader(formatTraceHeader(ROOT, '53995c3f42cd8ad8', '0', 'Lineage=a:1'))!;
    assert.deepEqual(parsed, { root: ROOT, parent: '53995c3f42cd8ad8', sampled: '0', extra: 'Lineage=a:1' });
  });

  it('maps X-Ray trace ids to OpenTelemetry trace ids and back', () => {
    assert.equal(xrayToOtelTraceId(ROOT), '5759e988bd862e3fe1be46a994272793');
    assert.equal(otelToXrayTraceId('5759e988bd862e3fe1be46a994272793'), ROOT);
    const generated = newXrayTraceId(Date.now());
    assert.equal(otelToXrayTraceId(xrayToOtelTraceId(generated)), generated);
  });

  it('starts new traces with the request second and random bits, and new span ids', () => {
    const id = newXrayTraceId(Date.UTC(2016, 5, 9, 21, 50, 0, 999));
    assert.match(id, /^1-5759e488-[0-9a-f]{24}$/);
    assert.ok(isXrayTraceId(id));
    assert.notEqual(newXrayTraceId(0).slice(11), newXrayTraceId(0).slice(11));
    const spans = new Set(Array.from({ length: 1000 }, () => newSpanId()));
    assert.equal(spans.size, 1000);
    for (const span of spans) assert.match(span, /^[0-9a-f]{16}$/);
  });
});
