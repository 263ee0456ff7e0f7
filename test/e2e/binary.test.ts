/**
 * Binary payloads through a Lambda proxy integration: request bodies whose Content-Type is in
 * binaryMediaTypes arrive base64-encoded, and a base64 response is decoded only when the
 * client accepts a binary type, as AWS does.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Portico } from '../../src/portico.js';
import { lambdaUri, rawRequest, tempDir, writeHandler } from '../helpers.js';

describe('binary media types', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let portico: Portico;
  let base: string;
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);

  before(async () => {
    dir = await tempDir();
    portico = await Portico.start({ dataDir: dir.path, port: 0 });
    const codeDirectory = await writeHandler(
      dir.path,
      'bin',
      `export const handler = async (event) => event.httpMethod === 'POST'
        ? { statusCode: 200, body: JSON.stringify({ isBase64Encoded: event.isBase64Encoded, body: event.body }) }
        : { statusCode: 200, headers: { 'Content-Type': event.queryStringParameters?.type ?? 'image/png' }, isBase64Encoded: true, body: '${png.toString('base64')}' };`,
    );
    await portico.putFunction({ functionName: 'bin', runtime: 'nodejs20.x', handler: 'index.handler', codeDirectory, timeout: 3, memorySize: 128, environment: {} });
    const { api } = await portico.deployOpenApi({
      openapi: '3.0.1',
      info: { title: 'binary', version: '1' },
      'x-amazon-apigateway-binary-media-types': ['image/*'],
      paths: {
        '/img': { 'x-amazon-apigateway-any-method': { 'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: lambdaUri('bin') } } },
      },
    });
    base = `/_aws/execute-api/${api.id}/dev`;
  });

  after(async () => {
    await portico.close();
    await dir.remove();
  });

  it('base64-encodes a binary request body for the function', async () => {
    const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/img`, headers: { 'content-type': 'image/png' }, body: png });
    assert.deepEqual(res.json(), { isBase64Encoded: true, body: png.toString('base64') });
  });

  it('passes a text body as text', async () => {
    const res = await rawRequest(portico.port, { method: 'POST', path: `${base}/img`, headers: { 'content-type': 'text/plain' }, body: 'hi' });
    assert.deepEqual(res.json(), { isBase64Encoded: false, body: 'hi' });
  });

  it('decodes a base64 response when the client accepts a binary type', async () => {
    const res = await rawRequest(portico.port, { path: `${base}/img`, headers: { accept: 'image/png' } });
    assert.equal(res.headers['content-type'], 'image/png');
    assert.deepEqual(res.body, png);
  });

  it('decodes a base64 response whose own Content-Type is binary, whatever the Accept', async () => {
    const res = await rawRequest(portico.port, { path: `${base}/img`, headers: { accept: 'application/json' } });
    assert.deepEqual(res.body, png);
  });

  it('returns the base64 text when neither Accept nor Content-Type is binary', async () => {
    const res = await rawRequest(portico.port, { path: `${base}/img?type=text/plain`, headers: { accept: 'application/json' } });
    assert.equal(res.text, png.toString('base64'));
  });
});
