/** How a MOCK integration reads the status code out of its mapped request. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mockStatusCode } from '../../src/integrations/mock.js';

/** The rule AWS applies, written as one pattern: the reference the quick path must agree with. */
const reference = (text: string): number | undefined => {
  const match = /"?statusCode"?\s*:\s*"?(\d{3})"?/.exec(text);
  return match ? Number(match[1]) : undefined;
};

describe('mockStatusCode', () => {
  const cases = [
    '{"statusCode": 200}',
    '{"statusCode":404}',
    '{ "statusCode" : "201" }',
    '{statusCode: 500}',
    '{"statusCode":\t302}',
    '{"statusCode":\n  204}',
    '{"statusCodes": 1, "statusCode": 418}',
    '{"statusCode": "abc", "other": {"statusCode": 409}}',
    '{"statusCode": 2000}',
    '{"statusCode": 20}',
    '{"statusCode": null}',
    '{"status": 200}',
    '',
    'statusCode',
    'statusCode:',
    '{"statusCode":\u00a0200}',
  ];

  for (const text of cases) {
    it(`reads ${JSON.stringify(text)} as the pattern does`, () => {
      assert.equal(mockStatusCode(text), reference(text));
    });
  }

  it('finds the usual forms', () => {
    assert.equal(mockStatusCode('{"statusCode": 200}'), 200);
    assert.equal(mockStatusCode('{statusCode: 500}'), 500);
    assert.equal(mockStatusCode('{"status": 200}'), undefined);
  });
});
