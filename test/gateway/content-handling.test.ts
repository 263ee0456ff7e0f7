/**
 * contentHandling for non-proxy integrations: every case of the vendored decision table
 * (fixtures/binary/content_handling_matrix.json), then the base64 and UTF-8 rules on their own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  convertRequestBody,
  convertResponseBody,
  decodeBase64,
  encodeBase64,
  toUtf8Text,
  type ContentHandling,
} from '../../src/gateway/content-handling.js';
import { compileBinaryMediaTypes } from '../../src/gateway/media-types.js';
import { GatewayError } from '../../src/gateway/errors.js';

// Fixture files are not copied into dist/: read them from the source tree.
const MATRIX = new URL('../../../test/conformance/fixtures/binary/content_handling_matrix.json', import.meta.url);

interface MatrixCase {
  id: string;
  direction: string;
  binaryMediaTypes: string[] | null;
  input_body_b64: string;
  expected: { result: string; body_b64?: string };
  // integration request direction
  request_content_type?: string | null;
  integration_contentHandling?: ContentHandling | null;
  // integration response direction
  integration_response_content_type?: string | null;
  client_accept?: string | null;
  integration_response_contentHandling?: ContentHandling | null;
}

const matrix = JSON.parse(readFileSync(MATRIX, 'utf8')) as { cases: MatrixCase[] };

// API_CONFIGURATION_ERROR renders as AWS's 500 {"message": "Internal server error"}.
function isInternalServerError(error: unknown): boolean {
  return (
    error instanceof GatewayError &&
    error.responseType === 'API_CONFIGURATION_ERROR' &&
    error.statusCode === undefined &&
    error.message === 'Internal server error'
  );
}

function run(c: MatrixCase): () => Buffer {
  const input = Buffer.from(c.input_body_b64, 'base64');
  const matches = compileBinaryMediaTypes(c.binaryMediaTypes ?? []);
  if (c.direction.startsWith('integration request')) {
    const isBinary = matches(c.request_content_type ?? undefined);
    return () => convertRequestBody(input, isBinary, c.integration_contentHandling ?? undefined);
  }
  assert.ok(c.direction.startsWith('integration response'), `unknown direction ${c.direction}`);
  const kind = {
    payloadIsBinary: matches(c.integration_response_content_type ?? undefined),
    acceptIsBinary: matches(c.client_accept ?? undefined),
  };
  return () => convertResponseBody(input, kind, c.integration_response_contentHandling ?? undefined);
}

describe('content handling decision table', () => {
  it('has the 72 vendored cases', () => {
    assert.equal(matrix.cases.length, 72);
    assert.equal(matrix.cases.filter((c) => c.direction.startsWith('integration request')).length, 27);
    assert.equal(matrix.cases.filter((c) => c.direction.startsWith('integration response')).length, 45);
  });

  for (const c of matrix.cases) {
    it(c.id, () => {
      const convert = run(c);
      if (c.expected.result.startsWith('error')) {
        assert.throws(convert, isInternalServerError);
        return;
      }
      assert.equal(typeof c.expected.body_b64, 'string');
      const output = convert();
      assert.equal(output.toString('base64'), c.expected.body_b64);
      if (c.expected.result === 'unchanged') assert.equal(output.toString('base64'), c.input_body_b64);
    });
  }
});

describe('decodeBase64', () => {
  const decodes = (text: string): string | undefined => decodeBase64(Buffer.from(text, 'latin1'))?.toString('latin1');

  it('decodes padded base64', () => {
    assert.equal(decodes('aGVsbG8='), 'hello');
    assert.equal(decodes('aGk'), undefined);
    assert.equal(decodes('aA=='), 'h');
  });

  it('ignores spaces, tabs and line breaks anywhere', () => {
    assert.equal(decodes('aGVs\r\nbG8=\n'), 'hello');
    assert.equal(decodes(' a G V s\tb G 8 = '), 'hello');
    assert.equal(decodes('aA= ='), 'h');
  });

  it('refuses what AWS answers 500 for: text that is not base64 once its spaces are gone', () => {
    // Recorded on AWS: CONVERT_TO_BINARY with this body is a 500.
    assert.equal(decodes('this is a UTF8 text typed object'), undefined);
  });

  it('refuses characters outside the standard alphabet, data after padding and excess padding', () => {
    assert.equal(decodes('aGVsbG8-'), undefined);
    assert.equal(decodes('aGVs_G8='), undefined);
    assert.equal(decodes('aGVs\u0000bG8='), undefined);
    assert.equal(decodes('aA==aA=='), undefined);
    assert.equal(decodes('aA=a'), undefined);
    assert.equal(decodes('a==='), undefined);
    assert.equal(decodes('===='), undefined);
    assert.equal(decodes('aGVsb'), undefined);
  });

  it('decodes an empty body to an empty body', () => {
    assert.equal(decodes(''), '');
    assert.equal(decodes(' \n'), '');
  });
});

describe('toUtf8Text and encodeBase64', () => {
  it('returns valid UTF-8 unchanged, without copying', () => {
    const body = Buffer.from('héllo ✓', 'utf8');
    assert.equal(toUtf8Text(body), body);
  });

  it('replaces each malformed sequence with U+FFFD', () => {
    assert.equal(toUtf8Text(Buffer.from([0x61, 0xff, 0x62, 0xc3])).toString('utf8'), 'a\ufffdb\ufffd');
  });

  it('base64-encodes bytes as ASCII text', () => {
    assert.equal(encodeBase64(Buffer.from([0x1f, 0x8b, 0x08])).toString('latin1'), 'H4sI');
  });

  it('CONVERT_TO_TEXT then CONVERT_TO_BINARY round-trips a binary body', () => {
    const body = Buffer.from([0x00, 0xff, 0x1f, 0x8b, 0x80]);
    const text = convertRequestBody(body, true, 'CONVERT_TO_TEXT');
    assert.deepEqual(convertRequestBody(text, false, 'CONVERT_TO_BINARY'), body);
  });
});
