/**
 * Conformance of binary payload handling (test/conformance/fixtures/binary/
 * content_handling_matrix.json): contentHandling × binaryMediaTypes × Content-Type / Accept,
 * driven end to end through a real Portico server and compared byte for byte.
 *
 * Request direction: the client POSTs the case's bytes with the case's Content-Type (none when
 * the case has none) to an HTTP (non-proxy) integration carrying the case's contentHandling, on
 * an API with the case's binaryMediaTypes. A loopback backend records the exact bytes it
 * received; the client asks for `application/json` so that the backend's small JSON answer
 * comes back as text whatever the API's binary media types are.
 *
 * Response direction: a loopback backend answers the case's bytes with the case's Content-Type
 * (none when the case has none) to an HTTP (non-proxy) integration whose integration response
 * carries the case's contentHandling; the client sends the case's Accept (none when the case has
 * none) and receives the converted bytes.
 *
 * A conversion that fails is AWS's 500 {"message": "Internal server error"}; in the request
 * direction the backend must not have been called.
 */
import { describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Comparison,
  conformanceFolder,
  fixture,
  integrationResponses,
  parseJson,
  reportConformance,
  restApi,
  show,
  startBackend,
  startEnv,
  type Backend,
  type Env,
  type Json,
  type Reply,
  type Wire,
} from './support.js';

reportConformance(import.meta.url);

const { conformanceCase } = conformanceFolder('binary');
const matrix = fixture('binary/content_handling_matrix.json');
const STAGE = 'dev';

interface Seen {
  contentType: string | undefined;
  body: Buffer;
}

describe('binary', () => {
  let env: Env;
  let backend: Backend;
  /** Request direction: what the backend received, by the case's index. */
  const received = new Map<number, Seen>();
  /** Response direction: what the backend answers, by the case's index. */
  const answers = new Map<number, { contentType: string | null; body: Buffer }>();

  before(async () => {
    backend = await startBackend((req, body, res) => {
      const record = /^\/record\/(\d+)$/.exec(req.url ?? '');
      const respond = /^\/respond\/(\d+)$/.exec(req.url ?? '');
      if (record) {
        received.set(Number(record[1]), { contentType: req.headers['content-type'], body });
        const ok = '{"recorded": true}';
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': ok.length });
        res.end(ok);
        return;
      }
      const answer = respond ? answers.get(Number(respond[1])) : undefined;
      if (!answer) {
        res.writeHead(404, { 'Content-Length': 0 });
        res.end();
        return;
      }
      const headers: Record<string, string | number> = { 'Content-Length': answer.body.length };
      if (answer.contentType !== null) headers['Content-Type'] = answer.contentType;
      res.writeHead(200, headers);
      res.end(answer.body);
    });
    env = await startEnv([]);
  });
  after(async () => {
    await env?.close();
    await backend?.close();
  });

  const expectBytes = (cmp: Comparison, reply: Reply, actual: Buffer | undefined, expectedB64: string, where: string): void => {
    if (reply.status !== 200) {
      cmp.diff('status', `expected 200, got ${reply.status} (body ${show(reply.text)})`);
      return;
    }
    const expected = Buffer.from(expectedB64, 'base64');
    if (actual === undefined) cmp.diff(where, 'nothing received');
    else if (!actual.equals(expected)) cmp.diff(where, `expected bytes (base64) ${expected.toString('base64')}, got ${actual.toString('base64')}`);
  };

  const expectInternalError = (cmp: Comparison, reply: Reply): void => {
    if (reply.status !== 500) cmp.diff('status', `expected 500, got ${reply.status} (body base64 ${reply.bytes.toString('base64')})`);
    const body = parseJson(reply.text);
    if (!body.ok) cmp.diff('body', `expected {"message": "Internal server error"}, got ${show(reply.text)}`);
    else cmp.match({ message: 'Internal server error' }, body.value, 'body');
  };

  const isError = (c: Json): boolean => /^error\b/.test(c.expected.result);

  (matrix.cases as Json[]).forEach((c, index) => {
    conformanceCase(c.id, async () => {
      const input = Buffer.from(c.input_body_b64, 'base64');
      const binaryMediaTypes: string[] | undefined = c.binaryMediaTypes ?? undefined;
      const cmp = new Comparison();

      if (c.direction.startsWith('integration request')) {
        const contentHandling: string | null = c.integration_contentHandling;
        const deployed = await env.deploy(`request:${index}`, STAGE, () =>
          restApi(
            c.id,
            {
              '/req': {
                POST: {
                  methodResponses: { '200': {} },
                  integration: {
                    type: 'http',
                    httpMethod: 'POST',
                    uri: `${backend.base}record/${index}`,
                    ...(contentHandling ? { contentHandling } : {}),
                    responses: integrationResponses([{ statusCode: '200' }]),
                  },
                },
              },
            },
            binaryMediaTypes ? { binaryMediaTypes } : {},
          ),
        );
        const headers: [string, string][] = [
          ['Accept', 'application/json'],
          ['Content-Length', String(input.length)],
        ];
        if (c.request_content_type !== null) headers.push(['Content-Type', c.request_content_type]);
        const wire: Wire = { method: 'POST', path: `/${STAGE}/req`, headers, body: input };
        received.delete(index);
        const reply = await env.invokeWire(deployed, wire);
        if (isError(c)) {
          expectInternalError(cmp, reply);
          if (received.has(index)) cmp.diff('backend', 'was called, though the conversion failed');
        } else {
          expectBytes(cmp, reply, received.get(index)?.body, c.expected.body_b64, 'backend received');
        }
      } else {
        assert.match(c.direction, /^integration response/);
        const contentHandling: string | null = c.integration_response_contentHandling;
        answers.set(index, { contentType: c.integration_response_content_type, body: input });
        const deployed = await env.deploy(`response:${index}`, STAGE, () =>
          restApi(
            c.id,
            {
              '/resp': {
                GET: {
                  methodResponses: { '200': {} },
                  integration: {
                    type: 'http',
                    httpMethod: 'GET',
                    uri: `${backend.base}respond/${index}`,
                    responses: integrationResponses([{ statusCode: '200', ...(contentHandling ? { contentHandling } : {}) }]),
                  },
                },
              },
            },
            binaryMediaTypes ? { binaryMediaTypes } : {},
          ),
        );
        const headers: [string, string][] = [];
        if (c.client_accept !== null) headers.push(['Accept', c.client_accept]);
        const reply = await env.invokeWire(deployed, { method: 'GET', path: `/${STAGE}/resp`, headers });
        if (isError(c)) expectInternalError(cmp, reply);
        else expectBytes(cmp, reply, reply.bytes, c.expected.body_b64, 'client received');
      }
      cmp.assertNone();
    });
  });
});
