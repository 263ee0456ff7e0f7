/** minimumCompressionSize: choosing and applying a response coding, and decoding request bodies. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync, gunzipSync, gzipSync, inflateSync } from 'node:zlib';
import {
  chooseResponseEncoding,
  compileCompressionPolicy,
  compressBody,
  decodeRequestBody,
  type CompressionPolicy,
} from '../../src/gateway/compression.js';
import { MAX_PAYLOAD_BYTES } from '../../src/gateway/body.js';
import { GatewayError } from '../../src/gateway/errors.js';

const policy: CompressionPolicy = { minimumCompressionSize: 100 };

// REQUEST_TOO_LARGE renders as 413, UNSUPPORTED_MEDIA_TYPE as 415 (gateway-responses.ts).
const isGatewayError = (responseType: string, message: string) => (error: unknown) =>
  error instanceof GatewayError && error.responseType === responseType && error.statusCode === undefined && error.message === message;

describe('compileCompressionPolicy', () => {
  it('is disabled when minimumCompressionSize is unset', () => {
    assert.equal(compileCompressionPolicy(undefined), undefined);
    assert.equal(compileCompressionPolicy(null), undefined);
  });

  it('is enabled by any value, including 0', () => {
    assert.deepEqual(compileCompressionPolicy(0), { minimumCompressionSize: 0 });
    assert.deepEqual(compileCompressionPolicy(10485760), { minimumCompressionSize: 10485760 });
  });
});

describe('chooseResponseEncoding', () => {
  const choose = (acceptEncoding: string | undefined, size = 1000, alreadyEncoded = false) =>
    chooseResponseEncoding(policy, acceptEncoding, size, alreadyEncoded);

  it('never compresses when the API has no minimumCompressionSize', () => {
    assert.equal(chooseResponseEncoding(undefined, 'gzip', 1_000_000, false), undefined);
  });

  it('compresses bodies at or above the threshold, not below', () => {
    assert.equal(choose('gzip', 99), undefined);
    assert.equal(choose('gzip', 100), 'gzip');
    assert.equal(choose('gzip', 101), 'gzip');
  });

  it('compresses every body, even an empty one, at minimumCompressionSize 0', () => {
    assert.equal(chooseResponseEncoding({ minimumCompressionSize: 0 }, 'gzip', 0, false), 'gzip');
  });

  it('leaves a response that already has a Content-Encoding alone', () => {
    assert.equal(choose('gzip', 1000, true), undefined);
  });

  it('needs an Accept-Encoding naming a supported coding', () => {
    assert.equal(choose(undefined), undefined);
    assert.equal(choose(''), undefined);
    assert.equal(choose('*'), undefined);
    assert.equal(choose('identity'), undefined);
    assert.equal(choose('br'), undefined);
    assert.equal(choose('deflate'), 'deflate');
    assert.equal(choose('GZip'), 'gzip');
  });

  it('prefers gzip over deflate at equal weight, in either order', () => {
    assert.equal(choose('gzip, deflate'), 'gzip');
    assert.equal(choose('deflate,gzip'), 'gzip');
    assert.equal(choose('gzip, deflate, br'), 'gzip');
  });

  it('follows the weights', () => {
    assert.equal(choose('deflate;q=0.5,gzip;q=1.0'), 'gzip');
    assert.equal(choose('gzip;q=0.5, deflate'), 'deflate');
    assert.equal(choose('gzip;q=1.0,identity;q=0.5,*;q=0'), 'gzip');
    assert.equal(choose('gzip ; Q=0.8 , deflate;q=0.7'), 'gzip');
  });

  it('does not compress when the highest-weighted coding is one AWS does not support', () => {
    assert.equal(choose('br;q=1, gzip;q=0.8'), undefined);
    assert.equal(choose('identity, gzip;q=0.5'), undefined);
    assert.equal(choose('*, gzip;q=0.5'), undefined);
  });

  it('treats q=0 as not acceptable', () => {
    assert.equal(choose('gzip;q=0'), undefined);
    assert.equal(choose('gzip;q=0, deflate'), 'deflate');
    assert.equal(choose('gzip;q=0, *'), undefined);
    assert.equal(choose('gzip;q=0.000'), undefined);
  });

  it('sends as is, rather than refusing, when identity is ruled out and nothing supported is named', () => {
    assert.equal(choose('identity;q=0'), undefined);
    assert.equal(choose('identity;q=0, *'), undefined);
    assert.equal(choose('identity;q=0, gzip'), 'gzip');
  });

  it('ignores entries with malformed weights', () => {
    assert.equal(choose('gzip;q=2'), undefined);
    assert.equal(choose('gzip;q=abc, deflate;q=0.1'), 'deflate');
    assert.equal(choose('gzip;q=0.1234'), undefined);
  });
});

describe('compressBody', () => {
  const body = Buffer.from('{"pets":['.padEnd(5000, '{"id":1,"type":"dog"},') + ']}');

  it('gzips', async () => {
    const compressed = await compressBody(body, 'gzip');
    assert.deepEqual(compressed.subarray(0, 2), Buffer.from([0x1f, 0x8b]));
    assert.deepEqual(gunzipSync(compressed), body);
    assert.ok(compressed.length < body.length);
  });

  it('deflates in the zlib format', async () => {
    const compressed = await compressBody(body, 'deflate');
    assert.deepEqual(inflateSync(compressed), body);
  });
});

describe('decodeRequestBody', () => {
  const json = Buffer.from('{"type":"dog","price":249.99}');

  it('leaves bodies without a coding, or with identity, as they are', async () => {
    assert.equal(await decodeRequestBody(json, undefined), json);
    assert.equal(await decodeRequestBody(json, 'identity'), json);
    assert.equal(await decodeRequestBody(json, ''), json);
  });

  it('decodes gzip and deflate, in the zlib format or raw', async () => {
    assert.deepEqual(await decodeRequestBody(gzipSync(json), 'gzip'), json);
    assert.deepEqual(await decodeRequestBody(gzipSync(json), ' GZIP '), json);
    assert.deepEqual(await decodeRequestBody(deflateSync(json), 'deflate'), json);
    assert.deepEqual(await decodeRequestBody(deflateRawSync(json), 'deflate'), json);
  });

  it('undoes several codings, the last applied first', async () => {
    assert.deepEqual(await decodeRequestBody(gzipSync(deflateSync(json)), 'deflate, gzip'), json);
    assert.deepEqual(await decodeRequestBody(gzipSync(json), 'identity, gzip'), json);
  });

  it('passes an empty body through', async () => {
    assert.equal((await decodeRequestBody(Buffer.alloc(0), 'gzip')).length, 0);
  });

  it('answers 415 for a coding AWS does not support', async () => {
    await assert.rejects(decodeRequestBody(json, 'br'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
    await assert.rejects(decodeRequestBody(json, 'x-gzip'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
    await assert.rejects(decodeRequestBody(gzipSync(json), 'gzip, br'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
  });

  it('answers 415 for a body that is not in the coding it names', async () => {
    await assert.rejects(decodeRequestBody(json, 'gzip'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
    await assert.rejects(decodeRequestBody(json, 'deflate'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
    const corrupt = gzipSync(json);
    corrupt[corrupt.length - 6] ^= 0xff; // the CRC no longer matches
    await assert.rejects(decodeRequestBody(corrupt, 'gzip'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
    const truncated = gzipSync(json).subarray(0, 15);
    await assert.rejects(decodeRequestBody(truncated, 'gzip'), isGatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'));
  });

  it('accepts a body that inflates to exactly the payload limit', async () => {
    const decoded = await decodeRequestBody(gzipSync(Buffer.alloc(MAX_PAYLOAD_BYTES)), 'gzip');
    assert.equal(decoded.length, MAX_PAYLOAD_BYTES);
  });

  it('refuses a body that inflates one byte past the limit', async () => {
    await assert.rejects(
      decodeRequestBody(gzipSync(Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), 'gzip'),
      isGatewayError('REQUEST_TOO_LARGE', 'Request Too Long'),
    );
    await assert.rejects(
      decodeRequestBody(deflateSync(Buffer.alloc(MAX_PAYLOAD_BYTES + 1)), 'deflate'),
      isGatewayError('REQUEST_TOO_LARGE', 'Request Too Long'),
    );
  });

  it('stops a zip bomb at the limit instead of inflating it', async () => {
    // 64 gzip members of 32 MiB of zeros each: about 2 MB that inflate to 2 GiB.
    const member = gzipSync(Buffer.alloc(32 * 1024 * 1024), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 64 }, () => member));
    assert.ok(bomb.length < 3 * 1024 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const started = Date.now();
    let during = 0;
    await assert.rejects(
      decodeRequestBody(bomb, 'gzip').finally(() => {
        during = process.memoryUsage().arrayBuffers;
      }),
      isGatewayError('REQUEST_TOO_LARGE', 'Request Too Long'),
    );
    // At most the limit plus zlib's last chunk was held: nowhere near the 2 GiB inflated size.
    assert.ok(during - before < 2 * MAX_PAYLOAD_BYTES, `held ${during - before} bytes`);
    assert.ok(Date.now() - started < 5000);
  });
});
