/**
 * Access log records against the text formatter: for the four presets and a format naming every
 * kind of variable, with the writer compiled for the format and with the generic one, a few
 * hundred requests with changing and repeating values (ids made by the
 * listener's generator and ids made elsewhere, non-ASCII and control characters, absent values,
 * requests with and without a matched method) are written as records into a small ring, read
 * back in batches of varying size (so records wrap around its end and meet a full ring), and
 * each line must equal the one compileAccessLogFormat makes. Also: the ring keeps records in
 * order and refuses what does not fit, and request ids rebuilt from their words are the same
 * text.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Invocation } from '../../src/gateway/invocation.js';
import type { CompiledMethod, CompiledStage } from '../../src/gateway/rest/compile.js';
import { GatewayError } from '../../src/gateway/errors.js';
import { RequestObservation } from '../../src/observability/request-observation.js';
import { ACCESS_LOG_FORMATS, compileAccessLogFormat } from '../../src/observability/access-log-format.js';
import { AccessRecordReader, AccessRecordWriter } from '../../src/observability/access-log-record.js';
import { ACCESS, RingReader, RingWriter, allocateRing } from '../../src/observability/log-ring.js';
import {
  EXTENDED_ID_PREFIX,
  lastRequestIdWords,
  nextExtendedRequestId,
  nextRequestId,
  writeExtendedRequestId,
  writeRequestIdOfWords,
} from '../../src/gateway/request-ids.js';

const STAGE = { apiId: 'abcde12345', apiName: 'logged', stageName: 'dev', deploymentId: 'd1', accountId: '000000000000', region: 'us-east-1', variables: {} } as unknown as CompiledStage;
const METHODS = [
  { resourceId: 'res123', resourcePath: '/pets/{id}', httpMethod: 'GET' },
  { resourceId: 'res456', resourcePath: '/données', httpMethod: 'POST' },
] as unknown as CompiledMethod[];

const EVERY_KIND =
  'rid=$context.requestId xid=$context.extendedRequestId ip=$context.identity.sourceIp ua="$context.identity.userAgent" ' +
  't=[$context.requestTime] e=$context.requestTimeEpoch m=$context.httpMethod p=$context.path r=$context.resourcePath ' +
  's=$context.status len=$context.responseLength lat=$context.responseLatency il=$context.integrationLatency ' +
  'is=$context.integration.status al=$context.authorizer.latency ail=$context.authorizer.integrationLatency ' +
  'err=$context.error.message ert=$context.error.responseType x=$context.xrayTraceId host=$context.domainName ' +
  'stage=$context.stage api=$context.apiId c=$context.constructor q=$context.__proto__ end';

const AGENTS = ['curl/8.5.0', 'Mozilla/5.0 (X11; Linux) ünïcödé ✓', 'agent\twith\ncontrols', 'emoji 🚀 agent'];
const ADDRESSES = ['127.0.0.1', '10.0.0.7', '2001:db8::1'];

/** A deterministic sequence of numbers in [0, 1). */
function numbers(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** The `i`th request of a run: mostly repeating values, as a busy stage's are. */
function observation(i: number, random: () => number): RequestObservation {
  const req = new IncomingMessage(new Socket());
  const agent = random() < 0.8 ? AGENTS[0]! : AGENTS[Math.floor(random() * AGENTS.length)]!;
  req.headers = random() < 0.05 ? { host: 'api.example.com:8080' } : { host: 'api.example.com:8080', 'user-agent': agent };
  req.httpVersion = '1.1';
  // Ids from the listener's generator travel as numbers; others (a test's, an old caller's) as text.
  const made = random() < 0.9;
  const requestId = made ? nextRequestId() : `custom-${i}`;
  const extendedRequestId = made ? nextExtendedRequestId() : `ext-é-${i}=`;
  const method = METHODS[i % 7 === 0 ? 1 : 0]!;
  const path = i % 7 === 0 ? '/données' : `/pets/${i % 3}`;
  const obs = new RequestObservation(req, STAGE, requestId, extendedRequestId, method.httpMethod, path);
  if (random() < 0.9) {
    const target = { apiId: STAGE.apiId, stageName: STAGE.stageName, path, rawQuery: '', requestPath: `/dev${path}` };
    const inv = new Invocation(req, requestId, extendedRequestId, target, STAGE, method, method.resourcePath, {}, 0, obs.requestTimeEpoch);
    obs.inv = inv;
    obs.method = method;
    if (random() < 0.3) {
      obs.authorizerLatencyMs = random() * 20;
      obs.authorizerStatus = 200;
    }
    if (random() < 0.8) {
      obs.integrationLatencyMs = random() * 40;
      obs.integrationStatus = random() < 0.9 ? 200 : 502;
    }
  }
  const failed = random() < 0.1;
  obs.sourceIp = random() < 0.9 ? ADDRESSES[0] : ADDRESSES[Math.floor(random() * ADDRESSES.length)];
  const error = failed ? new GatewayError(random() < 0.5 ? 'THROTTLED' : 'MISSING_AUTHENTICATION_TOKEN', 'Too Many Requests ✗', 429) : undefined;
  obs.responded(failed ? 429 : 200, random() < 0.1 ? -1 : Math.floor(random() * 70_000), error);
  return obs;
}

describe('access log records', () => {
  const cases = [...Object.entries(ACCESS_LOG_FORMATS), ['every kind of variable', EVERY_KIND]] as const;
  for (const [name, format] of cases) {
    for (const generic of [false, true]) {
      it(`make the same lines as the text formatter: ${name}, ${generic ? 'generic' : 'compiled'} writer`, () => {
        const text = compileAccessLogFormat(format);
        const writer = new AccessRecordWriter(7, format, { generic });
        assert.equal(writer.compiled, !generic);
        const reader = new AccessRecordReader(format, EXTENDED_ID_PREFIX);
        const memory = allocateRing(4096);
        const ring = new RingWriter(memory);
        const out = new RingReader(memory);
        const random = numbers(name.length);
        const expected: string[] = [];
        const lines: string[] = [];
        const drain = (): number => {
          ring.publish();
          return out.drain((kind, at) => {
            assert.equal(kind, ACCESS);
            assert.equal(ring.view.getInt32(at + 8, true), 7);
            lines.push(reader.read(out.view, out.bytes, at));
          });
        };
        let full = 0;
        let batch = 0;
        for (let i = 0; i < 400; i++) {
          const obs = observation(i, random);
          expected.push(text(obs));
          // A record the ring has no room for changes nothing: written again after a read, it
          // must still make the right line.
          if (writer.write(ring, obs) === 0) {
            full++;
            drain();
            assert.ok(writer.write(ring, obs) > 0);
          }
          if (++batch >= 1 + Math.floor(random() * 40)) {
            drain();
            batch = 0;
          }
        }
        drain();
        assert.equal(lines.length, expected.length);
        for (let i = 0; i < lines.length; i++) assert.equal(lines[i], expected[i], `line ${i}`);
        if (name === 'every kind of variable') {
          assert.ok(full > 0, 'the ring filled up at least once');
          assert.match(lines[0]!, / c=- q=- end$/, 'names of Object.prototype are not variables');
        }
      });
    }
  }

  it('write extended ids from their counters', () => {
    const prefix = Buffer.from(EXTENDED_ID_PREFIX, 'latin1');
    const buf = Buffer.alloc(40);
    for (const seq of [0, 1, 35, 36, 1295, 1296, 123456789, 2 ** 31, Number.MAX_SAFE_INTEGER]) {
      const end = writeExtendedRequestId(prefix, seq, buf, 1);
      assert.equal(buf.toString('latin1', 1, end), `${EXTENDED_ID_PREFIX}${seq.toString(36)}=`);
    }
  });

  it('write request ids from their words', () => {
    for (let i = 0; i < 300; i++) {
      const id = nextRequestId();
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const text = Buffer.alloc(40, '#');
      assert.equal(writeRequestIdOfWords(lastRequestIdWords[0]!, lastRequestIdWords[1]!, lastRequestIdWords[2]!, lastRequestIdWords[3]!, text, 2), 38);
      assert.equal(text.toString('latin1'), `##${id}##`);
    }
  });
});

describe('log ring', () => {
  it('keeps records in order across its end and refuses what does not fit', () => {
    const memory = allocateRing(256);
    const ring = new RingWriter(memory);
    const out = new RingReader(memory);
    assert.equal(ring.reserve(136), -1, 'more than half the ring is never reserved');
    const seen: number[] = [];
    const read = (kind: number, at: number): void => {
      assert.equal(kind, ACCESS);
      seen.push(out.view.getInt32(at + 8, true));
    };
    let written = 0;
    for (let round = 0; round < 50; round++) {
      // Fill until full with records of 24, 32 or 40 bytes, then read them all.
      for (;;) {
        const bytes = 24 + 8 * ((written + round) % 3);
        const at = ring.reserve(bytes);
        if (at === -1) break;
        ring.view.setInt32(at, ACCESS, true);
        ring.view.setInt32(at + 4, bytes, true);
        ring.view.setInt32(at + 8, written++, true);
        ring.commit(at, bytes);
      }
      assert.ok(written > seen.length + 3, 'several records fit before it is full');
      assert.equal(out.drain(read), 0, 'nothing is read before it is published');
      ring.publish();
      out.drain(read);
    }
    assert.deepEqual(seen, Array.from({ length: written }, (_, i) => i));
  });
});
