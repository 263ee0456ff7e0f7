/**
 * X-Ray sampling rules: both JSON shapes X-Ray's API uses, the checks that refuse malformed
 * rules, wildcard matching of each field, priority order, and reservoir-then-rate sampling with
 * a clock and a draw the test controls.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RuleSampler, SamplingRulesError, parseSamplingRules, wildcardMatch, type SamplingRequest } from '../../src/observability/sampling-rules.js';

const request = (fields: Partial<Omit<SamplingRequest, 'header'>> & { headers?: Record<string, string> } = {}): SamplingRequest => ({
  serviceName: 'pets/prod',
  serviceType: 'AWS::ApiGateway::Stage',
  resourceArn: 'arn:aws:apigateway:us-east-1::/restapis/a1b2c3d4e5/stages/prod',
  host: 'a1b2c3d4e5.execute-api.localhost:4566',
  httpMethod: 'GET',
  urlPath: '/prod/pets/1',
  ...fields,
  header: (name) => fields.headers?.[name],
});

/** A clock the test moves, and draws it scripts. */
function controlled(draws: number[] = []) {
  const state = { now: 1_700_000_000_000, draws };
  return {
    state,
    now: () => state.now,
    random: () => {
      const draw = state.draws.shift();
      if (draw === undefined) throw new Error('no draw scripted');
      return draw;
    },
  };
}

const rule = (fields: Record<string, unknown>) => ({ RuleName: 'r', Priority: 10, ReservoirSize: 0, FixedRate: 1, ...fields });

describe('sampling rules', () => {
  it("AWS's default: the first request each second, then 5% of the others", () => {
    const c = controlled();
    const sampler = new RuleSampler(parseSamplingRules(undefined), c.now, c.random);
    // First of the second: the reservoir takes it without a draw.
    assert.deepEqual(sampler.decide(request()), { sampled: true, ruleName: 'Default' });
    c.state.draws.push(0.049, 0.05, 0.9);
    assert.equal(sampler.decide(request()).sampled, true);
    assert.equal(sampler.decide(request()).sampled, false);
    assert.equal(sampler.decide(request()).sampled, false);
    assert.equal(c.state.draws.length, 0);
    // A new second refills the reservoir.
    c.state.now += 1000;
    assert.equal(sampler.decide(request()).sampled, true);
    c.state.draws.push(0.99);
    assert.equal(sampler.decide(request()).sampled, false);
  });

  it('a reservoir of N takes N requests a second before the rate applies', () => {
    const c = controlled();
    const sampler = new RuleSampler(parseSamplingRules({ SamplingRules: [rule({ RuleName: 'three', ReservoirSize: 3, FixedRate: 0 })] }), c.now, c.random);
    const decisions = Array.from({ length: 5 }, () => sampler.decide(request()));
    assert.deepEqual(decisions.map((d) => d.sampled), [true, true, true, false, false]);
    assert.deepEqual(new Set(decisions.map((d) => d.ruleName)), new Set(['three']));
    c.state.now += 999 - (c.state.now % 1000);
    assert.equal(sampler.decide(request()).sampled, false, 'same second');
    c.state.now += 1;
    assert.equal(sampler.decide(request()).sampled, true, 'next second');
  });

  it('tries rules by Priority (then RuleName) and the first match decides; Default is last', () => {
    const c = controlled([0.5, 0.5, 0.5, 0.5]);
    const rules = parseSamplingRules({
      SamplingRules: [
        rule({ RuleName: 'Default', ReservoirSize: 0, FixedRate: 0 }),
        rule({ RuleName: 'b-posts', Priority: 5, HTTPMethod: 'POST', FixedRate: 0.6 }),
        rule({ RuleName: 'a-posts', Priority: 5, HTTPMethod: 'POST', FixedRate: 0.4 }),
        rule({ RuleName: 'pets', Priority: 1, URLPath: '/prod/pets/*', FixedRate: 0 }),
      ],
    });
    assert.deepEqual(rules.map((r) => r.ruleName), ['pets', 'a-posts', 'b-posts', 'Default']);
    const sampler = new RuleSampler(rules, c.now, c.random);
    assert.deepEqual(sampler.decide(request()), { sampled: false, ruleName: 'pets' });
    assert.deepEqual(sampler.decide(request({ httpMethod: 'POST', urlPath: '/prod/orders' })), { sampled: false, ruleName: 'a-posts' });
    assert.deepEqual(sampler.decide(request({ urlPath: '/prod/orders' })), { sampled: false, ruleName: 'Default' });
  });

  it('matches every field with X-Ray wildcards, case-insensitively', () => {
    const one = (fields: Record<string, unknown>, req: SamplingRequest): boolean => parseSamplingRules({ SamplingRules: [rule(fields)] })[0]!.matches(req);
    assert.equal(one({ ServiceName: 'pets/prod' }, request()), true);
    assert.equal(one({ ServiceName: 'pets/dev' }, request()), false);
    assert.equal(one({ ServiceName: 'PETS/*' }, request()), true);
    assert.equal(one({ ServiceName: 'pets/pro?' }, request()), true);
    assert.equal(one({ ServiceName: 'pets/pro?' }, request({ serviceName: 'pets/pro' })), false);
    assert.equal(one({ ServiceType: 'AWS::ApiGateway::*' }, request()), true);
    assert.equal(one({ ServiceType: 'AWS::Lambda' }, request()), false);
    assert.equal(one({ Host: '*.execute-api.*' }, request()), true);
    assert.equal(one({ Host: 'api.example.com' }, request()), false);
    assert.equal(one({ HTTPMethod: 'get' }, request()), true);
    assert.equal(one({ HTTPMethod: 'POST' }, request()), false);
    assert.equal(one({ URLPath: '/prod/pets/*' }, request()), true);
    assert.equal(one({ URLPath: '/prod/pets' }, request()), false);
    assert.equal(one({ ResourceARN: '*/restapis/a1b2c3d4e5/*' }, request()), true);
    assert.equal(one({ ResourceARN: '*/restapis/other/*' }, request()), false);
    assert.equal(one({ Attributes: { 'X-Tenant': 'gold-*' } }, request({ headers: { 'x-tenant': 'gold-7' } })), true);
    assert.equal(one({ Attributes: { 'X-Tenant': 'gold-*' } }, request({ headers: { 'x-tenant': 'silver' } })), false);
    assert.equal(one({ Attributes: { 'X-Tenant': 'gold-*' } }, request()), false);
    assert.equal(one({ ServiceName: 'pets/prod', HTTPMethod: 'GET', URLPath: '/prod/*', Host: '*' }, request()), true);
    assert.equal(one({ ServiceName: 'pets/prod', HTTPMethod: 'PUT', URLPath: '/prod/*' }, request()), false);
  });

  it('wildcards: * any run, ? one character, and no catastrophic backtracking', () => {
    assert.equal(wildcardMatch('*', ''), true);
    assert.equal(wildcardMatch('', ''), true);
    assert.equal(wildcardMatch('', 'a'), false);
    assert.equal(wildcardMatch('a*b*c', 'axxbyyc'), true);
    assert.equal(wildcardMatch('a*b*c', 'axxbyy'), false);
    assert.equal(wildcardMatch('a?c', 'abc'), true);
    assert.equal(wildcardMatch('a?c', 'ac'), false);
    assert.equal(wildcardMatch('*.example.com', 'api.example.com'), true);
    assert.equal(wildcardMatch('**a', 'bba'), true);
    assert.equal(wildcardMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(20_000)), false);
  });

  it('reads what `aws xray get-sampling-rules` prints', () => {
    const rules = parseSamplingRules({
      SamplingRuleRecords: [
        {
          SamplingRule: {
            RuleName: 'Default',
            RuleARN: 'arn:aws:xray:us-east-1:123456789012:sampling-rule/Default',
            ResourceARN: '*',
            Priority: 10000,
            FixedRate: 0.1,
            ReservoirSize: 2,
            ServiceName: '*',
            ServiceType: '*',
            Host: '*',
            HTTPMethod: '*',
            URLPath: '*',
            Version: 1,
            Attributes: {},
          },
          CreatedAt: 0.0,
          ModifiedAt: 1530558121.0,
        },
        { SamplingRule: { RuleName: 'pets', Priority: 1, FixedRate: 1, ReservoirSize: 0, ServiceName: 'pets/*', Version: 1 } },
      ],
    });
    assert.deepEqual(
      rules.map((r) => [r.ruleName, r.priority, r.reservoirSize, r.fixedRate]),
      [
        ['pets', 1, 0, 1],
        ['Default', 10000, 2, 0.1],
      ],
    );
  });

  it('refuses malformed rules with a message naming the rule and the field', () => {
    const refused = (input: unknown, message: RegExp): void => {
      assert.throws(() => parseSamplingRules(input), (err: unknown) => err instanceof SamplingRulesError && message.test(err.message), String(message));
    };
    refused([], /must be a JSON object with "SamplingRules"/);
    refused({ rules: [] }, /must be a JSON object with "SamplingRules"/);
    refused({ SamplingRules: {} }, /"SamplingRules" must be an array/);
    refused({ SamplingRules: ['x'] }, /SamplingRules\[0\] must be an object/);
    refused({ SamplingRules: [rule({ RuleName: undefined })] }, /SamplingRules\[0\]: RuleName must be a string of 1 to 32 characters/);
    refused({ SamplingRules: [rule({ RuleName: 'x'.repeat(33) })] }, /RuleName must be/);
    refused({ SamplingRules: [rule({ RuleName: 'p', Priority: 0 })] }, /SamplingRules\[0\] \(RuleName "p"\): Priority must be an integer from 1 to 9999/);
    refused({ SamplingRules: [rule({ Priority: 1.5 })] }, /Priority must be an integer/);
    refused({ SamplingRules: [rule({ Priority: '5' })] }, /Priority must be an integer/);
    refused({ SamplingRules: [rule({ ReservoirSize: -1 })] }, /ReservoirSize must be a non-negative integer/);
    refused({ SamplingRules: [rule({ FixedRate: 5 })] }, /FixedRate must be a number from 0 to 1/);
    refused({ SamplingRules: [rule({ FixedRate: '0.5' })] }, /FixedRate must be a number from 0 to 1/);
    refused({ SamplingRules: [rule({ Version: 2 })] }, /Version must be 1/);
    refused({ SamplingRules: [rule({ HTTPMethod: 7 })] }, /HTTPMethod must be a string/);
    refused({ SamplingRules: [rule({ URLPath: '/'.repeat(129) })] }, /URLPath must be a string of at most 128 characters/);
    refused({ SamplingRules: [rule({ Attributes: [] })] }, /Attributes must be an object/);
    refused({ SamplingRules: [rule({ Attributes: { a: 1 } })] }, /Attributes.a must be a string/);
    refused({ SamplingRules: [rule({ RuleName: 'same' }), rule({ RuleName: 'same' })] }, /SamplingRules\[1\]: RuleName "same" is used twice/);
    refused({ SamplingRuleRecords: [{ Rule: {} }] }, /SamplingRuleRecords\[0\] has no "SamplingRule" object/);
    refused({ SamplingRules: Array.from({ length: 1001 }, (_, i) => rule({ RuleName: `r${i}` })) }, /at most 1000 rules/);
  });
});
