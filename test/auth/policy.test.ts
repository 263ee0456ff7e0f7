/**
 * Policy documents for execute-api:Invoke: the wildcard grammar, every statement element,
 * the condition operators and their missing-key rules, IPv4 / IPv6 / IPv4-mapped CIDRs, the
 * developer guide's example policies, and the rejection (with a reason) of malformed documents.
 * Also the method ARN builder the policies are matched against.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compilePolicy,
  compileWildcard,
  evaluatePolicies,
  validatePolicy,
  PolicyValidationError,
  DEFAULT_POLICY_LIMITS,
  type CompileOptions,
  type PolicyEffect,
  type PolicyKind,
  type PolicyRequest,
  type RequestContext,
  type RequestPrincipal,
} from '../../src/auth/policy.js';
import { CidrSet, normalizeIp, parseCidr, type Cidr } from '../../src/auth/cidr.js';
import { buildMethodArn, executeApiArnPrefix, expandExecuteApiShorthand, methodArnBuilder, type ExecuteApiScope } from '../../src/auth/method-arn.js';

const INVOKE = 'execute-api:Invoke';
const SCOPE: ExecuteApiScope = { region: 'us-east-1', accountId: '123456789012', apiId: 'a1b2c3' };
const API = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3';
const arn = (rest: string): string => `${API}/${rest}`;
const GET_PETS = arn('dev/GET/pets');

type Doc = Record<string, unknown>;

function statement(fields: Doc): Doc {
  return { Effect: 'Allow', Action: INVOKE, Resource: `${API}/*`, ...fields };
}
function resourceStatement(fields: Doc): Doc {
  return statement({ Principal: '*', ...fields });
}
function doc(...statements: Doc[]): Doc {
  return { Version: '2012-10-17', Statement: statements };
}

interface Req {
  action?: string;
  resource?: string;
  principal?: RequestPrincipal | null;
  context?: RequestContext;
}
function request(r: Req = {}): PolicyRequest {
  return { action: r.action ?? INVOKE, resource: r.resource ?? GET_PETS, principal: r.principal, context: r.context };
}
function evaluate(document: unknown, kind: PolicyKind, r: Req = {}, options: Partial<CompileOptions> = {}): PolicyEffect {
  return compilePolicy(document, { kind, ...options }).evaluate(request(r));
}
function problemsOf(document: unknown, options: CompileOptions): readonly string[] {
  try {
    compilePolicy(document, options);
  } catch (err) {
    assert.ok(err instanceof PolicyValidationError, `expected PolicyValidationError, got ${String(err)}`);
    assert.equal(err.name, 'PolicyValidationError');
    assert.ok(err.problems.length > 0);
    for (const p of err.problems) assert.ok(err.message.includes(p));
    assert.deepEqual(validatePolicy(document, options), [...err.problems]);
    return err.problems;
  }
  return assert.fail('the document was accepted');
}

describe('compileWildcard', () => {
  const cases: [pattern: string, value: string, expected: boolean][] = [
    ['*', 'anything/with:colons and spaces', true],
    ['*', '', true],
    [`${API}/*`, arn('dev/GET/pets/7/photos'), true],
    [`${API}/*`, 'arn:aws:execute-api:us-east-1:123456789012:zzz999/dev/GET/pets', false],
    ['arn:aws:execute-api:*:*:a1b2c3/*/GET/pets', GET_PETS, true],
    ['arn:aws:execute-api:*:*:a1b2c3/*/GET/pets', arn('dev/POST/pets'), false],
    ['arn:aws:execute-api:*', GET_PETS, true],
    [arn('dev/*/pets'), arn('dev/DELETE/pets'), true],
    [arn('dev/GET/pets/?'), arn('dev/GET/pets/7'), true],
    [arn('dev/GET/pets/?'), arn('dev/GET/pets/77'), false],
    [arn('dev/GET/pets/?'), arn('dev/GET/pets/'), false],
    [arn('dev/GET/'), arn('dev/GET/'), true],
    [arn('dev/GET/'), arn('dev/GET/pets'), false],
    [arn('dev/GET/Pets'), GET_PETS, false],
    ['a.b', 'axb', false],
    ['a+b(c)[d]$', 'a+b(c)[d]$', true],
    ['a*', '', false],
    ['*a', 'a', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'a-b-c-c', true],
    ['a*b*c', 'acb', false],
    ['ab*ba', 'aba', false],
    ['ab*ba', 'abba', true],
    ['?*', '', false],
    ['?*', 'x', true],
    ['*?', '', false],
    ['a?c*x?z', 'abcwwwxyz', true],
    ['a?c*x?z', 'abcwwwxz', false],
    ['*ab?d*', 'xxabxabcdyy', true],
  ];
  for (const [pattern, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
      assert.equal(compileWildcard(pattern)(value), expected);
    });
  }

  it('stays fast on a pattern that makes backtracking matchers explode', () => {
    const match = compileWildcard('*a*a*a*a*a*a*a*a*a*a*b');
    const value = 'a'.repeat(5000);
    const started = process.hrtime.bigint();
    assert.equal(match(value), false);
    assert.equal(match(`${value}b`), true);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 500, `took ${ms} ms`);
  });
});

describe('Action and Resource', () => {
  const cases: [name: string, action: string | string[], requestAction: string, expected: PolicyEffect][] = [
    ['exact action', INVOKE, INVOKE, 'Allow'],
    ['action names are case-insensitive', 'execute-api:invoke', 'EXECUTE-API:Invoke', 'Allow'],
    ['service wildcard', 'execute-api:*', INVOKE, 'Allow'],
    ['global wildcard', '*', INVOKE, 'Allow'],
    ['partial wildcard', 'execute-api:Inv*', INVOKE, 'Allow'],
    ['single-character wildcard', 'execute-api:Inv?ke', INVOKE, 'Allow'],
    ['other action of the service', 'execute-api:InvalidateCache', INVOKE, 'NotApplicable'],
    ['other service', 's3:*', INVOKE, 'NotApplicable'],
    ['list of actions', ['execute-api:InvalidateCache', INVOKE], INVOKE, 'Allow'],
  ];
  for (const [name, action, requestAction, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      assert.equal(evaluate(doc(statement({ Action: action })), 'identity', { action: requestAction }), expected);
    });
  }

  it('Lambda authorizer output from the guide: Statement as an object, Action and Resource as strings', () => {
    const output = {
      principalId: 'user',
      policyDocument: {
        Version: '2012-10-17',
        Statement: { Action: INVOKE, Effect: 'Deny', Resource: 'arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/GET/' },
      },
    };
    const policy = compilePolicy(output.policyDocument, { kind: 'authorizer' });
    assert.equal(policy.statementCount, 1);
    assert.equal(policy.evaluate({ action: INVOKE, resource: 'arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/GET/' }), 'Deny');
    assert.equal(policy.evaluate({ action: INVOKE, resource: 'arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/POST/' }), 'NotApplicable');
    assert.equal(policy.evaluate({ action: INVOKE, resource: 'arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/GET/pets' }), 'NotApplicable');
  });

  it('Resource as a list', () => {
    const d = doc(statement({ Resource: [arn('dev/GET/pets'), arn('dev/GET/pets/*')] }));
    assert.equal(evaluate(d, 'authorizer', { resource: arn('dev/GET/pets/7') }), 'Allow');
    assert.equal(evaluate(d, 'authorizer', { resource: arn('dev/GET/pets') }), 'Allow');
    assert.equal(evaluate(d, 'authorizer', { resource: arn('dev/GET/owners') }), 'NotApplicable');
  });

  it('the guide IAM example: allow GET /pets, deny POST /pets, in any stage', () => {
    const d = doc(
      statement({ Action: [INVOKE], Resource: ['arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/GET/pets'] }),
      statement({ Effect: 'Deny', Action: [INVOKE], Resource: ['arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*/POST/pets'] }),
    );
    assert.equal(evaluate(d, 'identity', { resource: arn('prod/GET/pets') }), 'Allow');
    assert.equal(evaluate(d, 'identity', { resource: arn('prod/POST/pets') }), 'Deny');
    assert.equal(evaluate(d, 'identity', { resource: arn('prod/PUT/pets') }), 'NotApplicable');
  });

  for (const order of ['Allow first', 'Deny first']) {
    it(`an explicit Deny overrides an Allow in another statement (${order})`, () => {
      const allow = statement({ Sid: 'AllowAll', Resource: '*' });
      const deny = statement({ Sid: 'NoDelete', Effect: 'Deny', Resource: arn('*/DELETE/*') });
      const policy = compilePolicy(doc(...(order === 'Allow first' ? [allow, deny] : [deny, allow])), { kind: 'identity' });
      assert.deepEqual(policy.explain(request({ resource: arn('dev/DELETE/pets/1') })), {
        effect: 'Deny',
        statementIndex: order === 'Allow first' ? 1 : 0,
        sid: 'NoDelete',
      });
      assert.deepEqual(policy.explain(request({ resource: arn('dev/GET/pets/1') })), {
        effect: 'Allow',
        statementIndex: order === 'Allow first' ? 0 : 1,
        sid: 'AllowAll',
      });
    });
  }

  it('a Deny-only policy is NotApplicable where it does not match (implicit deny, not Allow)', () => {
    const d = doc(statement({ Effect: 'Deny', Resource: arn('*/DELETE/*') }));
    assert.equal(evaluate(d, 'identity'), 'NotApplicable');
  });

  it('NotAction: every action except the listed ones', () => {
    const d = { Statement: { Effect: 'Allow', NotAction: 'execute-api:InvalidateCache', Resource: '*' } };
    assert.equal(evaluate(d, 'identity', { action: INVOKE }), 'Allow');
    assert.equal(evaluate(d, 'identity', { action: 'execute-api:InvalidateCache' }), 'NotApplicable');
    assert.equal(evaluate(d, 'identity', { action: 'EXECUTE-API:invalidatecache' }), 'NotApplicable');
  });

  it('NotResource: a Deny for everything outside the prod stage', () => {
    const d = doc(statement({ Resource: '*' }), { Effect: 'Deny', Action: INVOKE, NotResource: [arn('prod/*')] });
    assert.equal(evaluate(d, 'identity', { resource: arn('prod/GET/pets') }), 'Allow');
    assert.equal(evaluate(d, 'identity', { resource: arn('dev/GET/pets') }), 'Deny');
  });

  it('resources compare case-sensitively', () => {
    assert.equal(evaluate(doc(statement({ Resource: arn('dev/GET/Pets') })), 'identity'), 'NotApplicable');
  });

  it('Version may be 2008-10-17 or absent', () => {
    assert.equal(evaluate({ Version: '2008-10-17', Statement: [statement({})] }, 'identity'), 'Allow');
    assert.equal(evaluate({ Statement: [statement({})] }, 'identity'), 'Allow');
  });

  it('later changes to the caller\'s object do not change a compiled policy', () => {
    const input = doc(statement({}));
    const policy = compilePolicy(input, { kind: 'identity' });
    ((input.Statement as Doc[])[0] as Doc).Effect = 'Deny';
    assert.equal(policy.evaluate(request()), 'Allow');
    assert.equal(((policy.document.Statement as Doc[])[0] as Doc).Effect, 'Allow');
  });

  it('a policy given as a JSON string is parsed once', () => {
    const text = JSON.stringify(doc(statement({})));
    const policy = compilePolicy(text, { kind: 'identity' });
    assert.equal(policy.evaluate(request()), 'Allow');
    assert.deepEqual(policy.document, JSON.parse(text));
  });
});

describe('Principal and NotPrincipal (resource policies)', () => {
  const alice: RequestPrincipal = { accountId: '222222222222', arn: 'arn:aws:sts::222222222222:assumed-role/developer/alice' };
  const admin: RequestPrincipal = { accountId: '222222222222', arn: 'arn:aws:sts::222222222222:assumed-role/Admin/bob' };
  const intern: RequestPrincipal = { accountId: '222222222222', arn: 'arn:aws:sts::222222222222:assumed-role/intern/carol' };
  const user: RequestPrincipal = { accountId: '222222222222', arn: 'arn:aws:iam::222222222222:user/dave' };
  const elsewhere: RequestPrincipal = { accountId: '333333333333', arn: 'arn:aws:sts::333333333333:assumed-role/developer/eve' };
  const guideExample = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: ['arn:aws:iam::222222222222:role/developer', 'arn:aws:iam::222222222222:role/Admin'] },
        Action: INVOKE,
        Resource: ['execute-api:/stage/GET/pets'],
      },
    ],
  };
  const cases: [name: string, principalElement: unknown, who: RequestPrincipal | null, expected: PolicyEffect][] = [
    ['"*" admits anonymous callers', '*', null, 'Allow'],
    ['"*" admits IAM callers', '*', alice, 'Allow'],
    ['{"AWS":"*"} admits anonymous callers', { AWS: '*' }, null, 'Allow'],
    ['an account id admits its principals', { AWS: '222222222222' }, user, 'Allow'],
    ['an account id does not admit other accounts', { AWS: '222222222222' }, elsewhere, 'NotApplicable'],
    ['an account id does not admit anonymous callers', { AWS: '222222222222' }, null, 'NotApplicable'],
    ['a root ARN is the whole account', { AWS: 'arn:aws:iam::222222222222:root' }, intern, 'Allow'],
    ['a user ARN admits that user', { AWS: 'arn:aws:iam::222222222222:user/dave' }, user, 'Allow'],
    ['a user ARN does not admit another user', { AWS: 'arn:aws:iam::222222222222:user/frank' }, user, 'NotApplicable'],
    ['a role with a path admits its sessions', { AWS: 'arn:aws:iam::222222222222:role/team/developer' }, alice, 'Allow'],
    ['an exact session ARN', { AWS: alice.arn }, alice, 'Allow'],
    ['Service principals never match a caller', { Service: 'lambda.amazonaws.com' }, alice, 'NotApplicable'],
  ];
  for (const [name, element, who, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      assert.equal(evaluate(doc(statement({ Principal: element })), 'resource', { principal: who }), expected);
    });
  }

  it('the guide example: two roles of another account, on GET /pets of one stage', () => {
    const policy = compilePolicy(guideExample, { kind: 'resource', scope: SCOPE });
    const on = (who: RequestPrincipal | null, resource = arn('stage/GET/pets')): PolicyEffect => policy.evaluate({ action: INVOKE, resource, principal: who });
    assert.equal(on(alice), 'Allow');
    assert.equal(on(admin), 'Allow');
    assert.equal(on(intern), 'NotApplicable');
    assert.equal(on(elsewhere), 'NotApplicable', 'same role name, other account');
    assert.equal(on(null), 'NotApplicable');
    assert.equal(on(alice, arn('stage/POST/pets')), 'NotApplicable');
    assert.equal(on(alice, arn('other/GET/pets')), 'NotApplicable');
  });

  it('NotPrincipal: deny everyone outside one account', () => {
    const d = doc(resourceStatement({}), statement({ Effect: 'Deny', NotPrincipal: { AWS: ['222222222222'] } }));
    assert.equal(evaluate(d, 'resource', { principal: null }), 'Deny');
    assert.equal(evaluate(d, 'resource', { principal: elsewhere }), 'Deny');
    assert.equal(evaluate(d, 'resource', { principal: alice }), 'Allow');
  });

  it('authorizer policies may carry a Principal, which is not evaluated', () => {
    const d = doc(statement({ Principal: { AWS: '222222222222' } }));
    assert.equal(evaluate(d, 'authorizer', { principal: null }), 'Allow');
  });
});

describe('conditions: the developer guide examples', () => {
  const ipAllow = doc(resourceStatement({ Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '198.51.100.0/24'] } } }));
  const ipDeny = doc(resourceStatement({ Resource: ['execute-api:/*'] }), resourceStatement({ Effect: 'Deny', Resource: ['execute-api:/*'], Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '198.51.100.0/24'] } } }));
  const outsideRange = doc(
    resourceStatement({ Resource: 'arn:aws:execute-api:us-east-1:123456789012:*' }),
    resourceStatement({ Effect: 'Deny', Resource: 'arn:aws:execute-api:us-east-1:123456789012:*', Condition: { NotIpAddress: { 'aws:SourceIp': '123.4.5.6/24' } } }),
  );
  const vpcOnly = doc(resourceStatement({ Resource: ['execute-api:/*'] }), resourceStatement({ Effect: 'Deny', Resource: ['execute-api:/*'], Condition: { StringNotEquals: { 'aws:SourceVpc': 'vpc-1a2b3c4d' } } }));
  const vpceOnly = doc(resourceStatement({ Resource: ['execute-api:/*'] }), resourceStatement({ Effect: 'Deny', Resource: ['execute-api:/*'], Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }));
  const vpceDenyOnly = doc(resourceStatement({ Effect: 'Deny', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }));
  const vpcAllow = doc(resourceStatement({ Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-2f09a348' } } }));
  const privateIpDeny = doc(resourceStatement({ Resource: ['execute-api:/*'] }), resourceStatement({ Effect: 'Deny', Resource: ['execute-api:/*'], Condition: { IpAddress: { 'aws:VpcSourceIp': ['192.0.2.0/24', '198.51.100.0/24'] } } }));

  const cases: [name: string, policy: Doc, context: RequestContext, expected: PolicyEffect][] = [
    ['allow only from CIDRs: inside the first block', ipAllow, { sourceIp: '192.0.2.10' }, 'Allow'],
    ['allow only from CIDRs: inside the second block', ipAllow, { sourceIp: '198.51.100.255' }, 'Allow'],
    ['allow only from CIDRs: IPv4-mapped address as Node reports it', ipAllow, { sourceIp: '::ffff:192.0.2.10' }, 'Allow'],
    ['allow only from CIDRs: outside', ipAllow, { sourceIp: '203.0.113.1' }, 'NotApplicable'],
    ['allow only from CIDRs: no source address', ipAllow, {}, 'NotApplicable'],
    ['deny from CIDRs: inside', ipDeny, { sourceIp: '192.0.2.5' }, 'Deny'],
    ['deny from CIDRs: outside', ipDeny, { sourceIp: '203.0.113.9' }, 'Allow'],
    ['deny outside 123.4.5.6/24 (host bits set): inside', outsideRange, { sourceIp: '123.4.5.200' }, 'Allow'],
    ['deny outside 123.4.5.6/24: outside', outsideRange, { sourceIp: '123.4.6.1' }, 'Deny'],
    ['deny outside 123.4.5.6/24: NotIpAddress holds for a missing key', outsideRange, {}, 'Deny'],
    ['deny from a VPC: the allowed VPC', vpcOnly, { sourceVpc: 'vpc-1a2b3c4d' }, 'Allow'],
    ['deny from a VPC: another VPC', vpcOnly, { sourceVpc: 'vpc-99999999' }, 'Deny'],
    ['deny from a VPC: not through a VPC at all', vpcOnly, {}, 'Deny'],
    ['deny from a VPC: values compare case-sensitively', vpcOnly, { sourceVpc: 'VPC-1A2B3C4D' }, 'Deny'],
    ['allow only a VPC endpoint: that endpoint', vpceOnly, { sourceVpce: 'vpce-1a2b3c4d' }, 'Allow'],
    ['allow only a VPC endpoint: another endpoint', vpceOnly, { sourceVpce: 'vpce-0000' }, 'Deny'],
    ['Lambda workflow pre-auth deny: that endpoint is not denied', vpceDenyOnly, { sourceVpce: 'vpce-1a2b3c4d' }, 'NotApplicable'],
    ['Lambda workflow pre-auth deny: other callers are', vpceDenyOnly, {}, 'Deny'],
    ['IAM workflow cross-account VPC allow: that VPC', vpcAllow, { sourceVpc: 'vpc-2f09a348' }, 'Allow'],
    ['IAM workflow cross-account VPC allow: no VPC', vpcAllow, {}, 'NotApplicable'],
    ['private API: deny by original source IP', privateIpDeny, { vpcSourceIp: '198.51.100.7', sourceIp: '10.0.0.1' }, 'Deny'],
    ['private API: other original source IP', privateIpDeny, { vpcSourceIp: '203.0.113.7', sourceIp: '192.0.2.1' }, 'Allow'],
  ];
  for (const [name, policy, context, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      assert.equal(evaluate(policy, 'resource', { context }, { scope: SCOPE }), expected);
    });
  }
});

describe('conditions: IP addresses', () => {
  const allowFrom = (cidrs: string | string[]): Doc => doc(resourceStatement({ Condition: { IpAddress: { 'aws:SourceIp': cidrs } } }));
  const cases: [cidrs: string | string[], sourceIp: string, expected: PolicyEffect][] = [
    ['2001:db8::/32', '2001:db8:1::5', 'Allow'],
    ['2001:db8::/32', '2001:db9::1', 'NotApplicable'],
    ['2001:db8::/32', '192.0.2.1', 'NotApplicable'],
    ['2001:DB8::/32', '2001:db8::1', 'Allow'],
    ['2001:db8::1', '2001:db8::1', 'Allow'],
    ['2001:db8::1', '2001:db8::2', 'NotApplicable'],
    ['::/0', '::1', 'Allow'],
    ['::/0', '8.8.8.8', 'NotApplicable'],
    ['::/0', '::ffff:8.8.8.8', 'NotApplicable'],
    ['0.0.0.0/0', '::ffff:8.8.8.8', 'Allow'],
    ['0.0.0.0/0', '2001:db8::1', 'NotApplicable'],
    ['::ffff:10.0.0.0/104', '10.1.2.3', 'Allow'],
    ['10.0.0.0/8', '::ffff:a01:203', 'Allow'],
    ['10.0.0.0/8', '0:0:0:0:0:ffff:10.1.2.3', 'Allow'],
    ['203.0.113.7', '203.0.113.7', 'Allow'],
    ['203.0.113.7', '203.0.113.8', 'NotApplicable'],
    ['fe80::/10', 'fe80::1%eth0', 'Allow'],
    ['192.0.2.0/24', 'not-an-ip', 'NotApplicable'],
    [['192.0.2.0/24', '2001:db8::/32'], '2001:db8::9', 'Allow'],
    [['192.0.2.0/24', '2001:db8::/32'], '192.0.2.9', 'Allow'],
  ];
  for (const [cidrs, sourceIp, expected] of cases) {
    it(`${JSON.stringify(cidrs)} with ${sourceIp} → ${expected}`, () => {
      assert.equal(evaluate(allowFrom(cidrs), 'resource', { context: { sourceIp } }), expected);
    });
  }

  it('NotIpAddress matches an address that is not an address', () => {
    const d = doc(resourceStatement({ Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }));
    assert.equal(evaluate(d, 'resource', { context: { sourceIp: 'garbage' } }), 'Allow');
    assert.equal(evaluate(d, 'resource', { context: { sourceIp: '192.0.2.1' } }), 'NotApplicable');
  });
});

describe('conditions: operators, keys and values', () => {
  const T2024 = new Date('2024-06-01T12:00:00Z');
  const cases: [name: string, condition: Doc, context: RequestContext, expected: boolean, principal?: RequestPrincipal][] = [
    ['several values of one key are OR-ed', { StringEquals: { 'aws:SourceVpce': ['vpce-a', 'vpce-b'] } }, { sourceVpce: 'vpce-b' }, true],
    ['several values: none matches', { StringEquals: { 'aws:SourceVpce': ['vpce-a', 'vpce-b'] } }, { sourceVpce: 'vpce-c' }, false],
    ['negated operator over several values is a NOR', { StringNotEquals: { 'aws:SourceVpce': ['vpce-a', 'vpce-b'] } }, { sourceVpce: 'vpce-a' }, false],
    ['negated operator over several values: none equal', { StringNotEquals: { 'aws:SourceVpce': ['vpce-a', 'vpce-b'] } }, { sourceVpce: 'vpce-c' }, true],
    ['several keys of one operator are AND-ed: both hold', { StringEquals: { 'aws:SourceVpc': 'vpc-1', 'aws:SourceVpce': 'vpce-1' } }, { sourceVpc: 'vpc-1', sourceVpce: 'vpce-1' }, true],
    ['several keys of one operator are AND-ed: one fails', { StringEquals: { 'aws:SourceVpc': 'vpc-1', 'aws:SourceVpce': 'vpce-1' } }, { sourceVpc: 'vpc-1', sourceVpce: 'vpce-2' }, false],
    ['several operators are AND-ed: both hold', { StringEquals: { 'aws:SourceVpce': 'vpce-1' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { sourceVpce: 'vpce-1', sourceIp: '10.2.3.4' }, true],
    ['several operators are AND-ed: one fails', { StringEquals: { 'aws:SourceVpce': 'vpce-1' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { sourceVpce: 'vpce-1', sourceIp: '11.2.3.4' }, false],
    ['a positive operator fails on a missing key', { StringEquals: { 'aws:SourceVpce': 'vpce-1' } }, {}, false],
    ['a negated operator holds on a missing key', { StringNotLike: { 'aws:SourceVpce': 'vpce-*' } }, {}, true],
    ['condition key names are case-insensitive', { IpAddress: { 'AWS:SOURCEIP': '10.0.0.0/8' } }, { sourceIp: '10.0.0.1' }, true],
    ['StringEquals is case-sensitive', { StringEquals: { 'aws:username': 'Alice' } }, { username: 'alice' }, false],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'aws:username': 'Alice' } }, { username: 'aLICE' }, true],
    ['StringNotEqualsIgnoreCase', { StringNotEqualsIgnoreCase: { 'aws:username': 'Alice' } }, { username: 'aLICE' }, false],
    ['StringLike with *', { StringLike: { 'aws:SourceVpce': 'vpce-1*' } }, { sourceVpce: 'vpce-1a2b' }, true],
    ['StringLike with ?', { StringLike: { 'aws:SourceVpce': 'vpce-?' } }, { sourceVpce: 'vpce-12' }, false],
    ['StringNotLike', { StringNotLike: { 'aws:UserAgent': '*curl*' } }, { userAgent: 'curl/8.0' }, false],
    ['StringEqualsIfExists: missing key', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, {}, true],
    ['StringEqualsIfExists: present and different', { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1' } }, { sourceVpce: 'vpce-2' }, false],
    ['IpAddressIfExists: missing key', { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, {}, true],
    ['NotIpAddressIfExists: present and inside', { NotIpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }, { sourceIp: '10.9.9.9' }, false],
    ['ForAnyValue: one request value matches', { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': ['o-a/r-1/ou-1/', 'o-a/r-1/ou-2/'] } }, { keys: { 'aws:PrincipalOrgPaths': ['o-a/r-1/ou-9/', 'o-a/r-1/ou-2/'] } }, true],
    ['ForAnyValue: no request value matches', { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': ['o-a/r-1/ou-1/'] } }, { keys: { 'aws:PrincipalOrgPaths': ['o-a/r-1/ou-9/'] } }, false],
    ['ForAnyValue: missing key', { 'ForAnyValue:StringEquals': { 'aws:PrincipalOrgPaths': ['o-a/r-1/ou-1/'] } }, {}, false],
    ['ForAllValues: every request value matches', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*', 'cost'] } }, { keys: { 'aws:TagKeys': ['team', 'teamx', 'cost'] } }, true],
    ['ForAllValues: one request value does not', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*'] } }, { keys: { 'aws:TagKeys': ['team', 'cost'] } }, false],
    ['ForAllValues: missing key', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*'] } }, {}, true],
    ['ForAllValues: empty list counts as missing', { 'ForAllValues:StringLike': { 'aws:TagKeys': ['team*'] } }, { keys: { 'aws:TagKeys': [] } }, true],
    ['ForAllValues:StringNotLike (IAM guide): key1:legal', { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } }, { keys: { 'aws:TagKeys': ['key1:legal'] } }, false],
    ['ForAllValues:StringNotLike (IAM guide): key2:audit', { 'ForAllValues:StringNotLike': { 'aws:TagKeys': 'key1*' } }, { keys: { 'aws:TagKeys': ['key2:audit'] } }, true],
    ['ForAnyValue:StringNotEquals: one value outside the list', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a', 'b'] } }, { keys: { 'aws:TagKeys': ['a', 'z'] } }, true],
    ['ForAnyValue:StringNotEquals: all inside', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['a', 'b'] } }, { keys: { 'aws:TagKeys': ['a', 'b'] } }, false],
    ['NumericLessThan', { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, { keys: { 'aws:MultiFactorAuthAge': 100 } }, true],
    ['NumericLessThan with a string request value', { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } }, { keys: { 'aws:MultiFactorAuthAge': '5000' } }, false],
    ['Numeric on a non-number request value', { NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 } }, { keys: { 'aws:MultiFactorAuthAge': 'soon' } }, false],
    ['NumericEquals', { NumericEquals: { 'custom:n': ['1', '2.5'] } }, { keys: { 'custom:n': 2.5 } }, true],
    ['NumericGreaterThanEquals at the boundary', { NumericGreaterThanEquals: { 'custom:n': '10' } }, { keys: { 'custom:n': 10 } }, true],
    ['NumericGreaterThan at the boundary', { NumericGreaterThan: { 'custom:n': '10' } }, { keys: { 'custom:n': 10 } }, false],
    ['NumericNotEquals', { NumericNotEquals: { 'custom:n': '10' } }, { keys: { 'custom:n': 10 } }, false],
    ['NumericLessThanEquals at the boundary', { NumericLessThanEquals: { 'custom:n': '10' } }, { keys: { 'custom:n': 10 } }, true],
    ['NumericLessThan at the boundary', { NumericLessThan: { 'custom:n': '10' } }, { keys: { 'custom:n': 10 } }, false],
    ['DateGreaterThan aws:CurrentTime: after', { DateGreaterThan: { 'aws:CurrentTime': '2024-01-01T00:00:00Z' } }, { currentTime: T2024 }, true],
    ['DateGreaterThan aws:CurrentTime: before', { DateGreaterThan: { 'aws:CurrentTime': '2025-01-01T00:00:00Z' } }, { currentTime: T2024 }, false],
    ['DateLessThan with an epoch-seconds policy value', { DateLessThan: { 'aws:CurrentTime': String(Date.parse('2024-07-01T00:00:00Z') / 1000) } }, { currentTime: T2024 }, true],
    ['DateLessThanEquals with a date-only value', { DateLessThanEquals: { 'aws:CurrentTime': '2024-06-01' } }, { currentTime: T2024 }, false],
    ['DateEquals', { DateEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, { currentTime: T2024 }, true],
    ['DateLessThanEquals at the exact time', { DateLessThanEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, { currentTime: T2024 }, true],
    ['DateGreaterThanEquals at the exact time', { DateGreaterThanEquals: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, { currentTime: T2024 }, true],
    ['aws:EpochTime is epoch seconds', { NumericLessThan: { 'aws:EpochTime': Date.parse('2024-06-01T12:00:01Z') / 1000 } }, { currentTime: T2024 }, true],
    ['aws:CurrentTime as a string is ISO 8601 without milliseconds', { StringLike: { 'aws:CurrentTime': '2024-06-01T12:00:00Z' } }, { currentTime: T2024 }, true],
    ['Bool aws:SecureTransport false', { Bool: { 'aws:SecureTransport': 'false' } }, { secureTransport: false }, true],
    ['Bool aws:SecureTransport false on a secure request', { Bool: { 'aws:SecureTransport': 'false' } }, { secureTransport: true }, false],
    ['Bool with a JSON boolean value', { Bool: { 'aws:SecureTransport': true } }, { secureTransport: true }, true],
    ['Bool on a missing key', { Bool: { 'aws:SecureTransport': 'false' } }, {}, false],
    ['Null true: key absent', { Null: { 'aws:SourceVpce': 'true' } }, {}, true],
    ['Null true: key present', { Null: { 'aws:SourceVpce': 'true' } }, { sourceVpce: 'vpce-1' }, false],
    ['Null false: key present', { Null: { 'aws:SourceVpce': 'false' } }, { sourceVpce: 'vpce-1' }, true],
    ['BinaryEquals', { BinaryEquals: { 'custom:bin': 'QmluYXJ5' } }, { keys: { 'custom:bin': 'QmluYXJ5' } }, true],
    ['extra keys are looked up case-insensitively', { StringEquals: { 'aws:PrincipalTag/team': 'payments' } }, { keys: { 'AWS:principaltag/TEAM': 'payments' } }, true],
  ];
  for (const [name, condition, context, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const d = doc(resourceStatement({ Condition: condition }));
      assert.equal(evaluate(d, 'resource', { context }), expected ? 'Allow' : 'NotApplicable');
    });
  }

  const alice: RequestPrincipal = { accountId: '222222222222', arn: 'arn:aws:sts::222222222222:assumed-role/dev-team/alice' };
  const principalCases: [name: string, condition: Doc, who: RequestPrincipal | null, expected: boolean][] = [
    ['aws:PrincipalAccount comes from the principal', { StringEquals: { 'aws:PrincipalAccount': ['222222222222', '444444444444'] } }, alice, true],
    ['aws:PrincipalAccount: other account', { StringEquals: { 'aws:PrincipalAccount': '444444444444' } }, alice, false],
    ['aws:PrincipalAccount: anonymous callers have none', { StringEquals: { 'aws:PrincipalAccount': '222222222222' } }, null, false],
    ['ArnLike on aws:PrincipalArn', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:sts::222222222222:assumed-role/dev-*' } }, alice, true],
    ['ArnEquals takes wildcards too, component by component', { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:sts::*:assumed-role/dev-team/*' } }, alice, true],
    ['ArnLike does not let * cross components', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:sts::*' } }, alice, false],
    ['ArnNotLike', { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:sts::222222222222:assumed-role/dev-*' } }, alice, false],
  ];
  for (const [name, condition, who, expected] of principalCases) {
    it(`${name} → ${expected}`, () => {
      const d = doc(resourceStatement({ Condition: condition }));
      assert.equal(evaluate(d, 'resource', { principal: who }), expected ? 'Allow' : 'NotApplicable');
    });
  }

  it('aws:username and aws:PrincipalAccount given in the context override the principal', () => {
    const d = doc(resourceStatement({ Condition: { StringEquals: { 'aws:username': 'alice', 'aws:PrincipalAccount': '999999999999' } } }));
    assert.equal(evaluate(d, 'resource', { principal: alice, context: { username: 'alice', principalAccount: '999999999999' } }), 'Allow');
    assert.equal(evaluate(d, 'resource', { principal: alice, context: { username: 'alice' } }), 'NotApplicable');
  });
});

describe('execute-api:/ shorthand in resource policies', () => {
  it('expands against the API scope and keeps the expanded document', () => {
    const policy = compilePolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: INVOKE, Resource: ['execute-api:/stage/GET/pets', 'execute-api:/dev/*'] }] },
      { kind: 'resource', scope: SCOPE },
    );
    assert.deepEqual((policy.document.Statement as Doc[])[0]!.Resource, [arn('stage/GET/pets'), arn('dev/*')]);
    assert.equal(policy.evaluate({ action: INVOKE, resource: arn('stage/GET/pets') }), 'Allow');
    assert.equal(policy.evaluate({ action: INVOKE, resource: arn('dev/POST/anything/at/all') }), 'Allow');
    assert.equal(policy.evaluate({ action: INVOKE, resource: arn('stage/GET/owners') }), 'NotApplicable');
    assert.equal(policy.evaluate({ action: INVOKE, resource: 'arn:aws:execute-api:us-east-1:123456789012:zzz999/dev/GET/x' }), 'NotApplicable');
  });

  it('keeps a single-string resource a string', () => {
    const policy = compilePolicy({ Statement: { Effect: 'Deny', Principal: '*', Action: INVOKE, NotResource: 'execute-api:/prod/*' } }, { kind: 'resource', scope: SCOPE });
    assert.equal((policy.document.Statement as Doc).NotResource, arn('prod/*'));
    assert.equal(policy.evaluate({ action: INVOKE, resource: arn('dev/GET/x') }), 'Deny');
  });
});

describe('malformed documents are rejected with a reason', () => {
  const ok = statement({});
  const cases: [name: string, document: unknown, expectedProblem: string, options?: Partial<CompileOptions>][] = [
    ['not JSON', '{"Statement": [', 'not valid JSON'],
    ['a JSON array', '[]', 'must be a JSON object'],
    ['null', null, 'must be a JSON object'],
    ['no Statement', { Version: '2012-10-17' }, 'Statement: is required'],
    ['an empty Statement list', { Statement: [] }, 'Statement: must contain at least one statement'],
    ['Statement is a string', { Statement: 'allow' }, 'Statement: must be a statement object or a list of them'],
    ['a statement that is not an object', { Statement: [ok, 42] }, 'Statement[1]: must be an object'],
    ['an unknown Version', { Version: '2020-01-01', Statement: [ok] }, 'Version: must be "2012-10-17" or "2008-10-17"'],
    ['an unknown top-level element', { Statement: [ok], Statements: [] }, 'Statements: is not a policy element'],
    ['Id is not a string', { Id: 7, Statement: [ok] }, 'Id: must be a string'],
    ['no Effect', { Statement: [{ Action: INVOKE, Resource: '*' }] }, 'Statement[0].Effect: is required'],
    ['a lower-case Effect', doc(statement({ Effect: 'allow' })), 'Statement[0].Effect: must be "Allow" or "Deny", got "allow"'],
    ['both Action and NotAction', doc(statement({ NotAction: 's3:*' })), 'has both Action and NotAction'],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'needs Action or NotAction'],
    ['an empty Action list', doc(statement({ Action: [] })), 'Statement[0].Action: must not be an empty list'],
    ['an Action that is not a string', doc(statement({ Action: [INVOKE, 1] })), 'Statement[0].Action[1]: must be a string'],
    ['an Action without a service', doc(statement({ Action: 'Invoke' })), '"Invoke" is not "*" or "service:action"'],
    ['an empty Action', doc(statement({ Action: '' })), 'Statement[0].Action: must not be empty'],
    ['neither Resource nor NotResource', { Statement: [{ Effect: 'Allow', Action: INVOKE }] }, 'needs Resource or NotResource'],
    ['both Resource and NotResource', doc(statement({ NotResource: '*' })), 'has both Resource and NotResource'],
    ['a Resource that is not an ARN', doc(statement({ Resource: 'pets' })), '"pets" is not "*" or an ARN'],
    ['a Resource that is an object', doc(statement({ Resource: { arn: 'x' } })), 'must be a string or a list of strings'],
    ['an unknown statement element', doc(statement({ Conditions: {} })), 'Statement[0].Conditions: is not a statement element'],
    ['a Sid that is not a string', doc(statement({ Sid: 5 })), 'Statement[0].Sid: must be a string'],
    ['a Principal in an identity policy', doc(statement({ Principal: '*' })), 'is not allowed in an identity policy', { kind: 'identity' }],
    ['no Principal in a resource policy', doc(statement({})), 'needs Principal or NotPrincipal in a resource policy', { kind: 'resource' }],
    ['both Principal and NotPrincipal', doc(statement({ Principal: '*', NotPrincipal: '*' })), 'has both Principal and NotPrincipal', { kind: 'resource' }],
    ['a Principal string other than *', doc(statement({ Principal: 'someone' })), 'must be "*" or an object', { kind: 'resource' }],
    ['an empty Principal object', doc(statement({ Principal: {} })), 'must name at least one principal', { kind: 'resource' }],
    ['a partial wildcard in a Principal', doc(statement({ Principal: { AWS: 'arn:aws:iam::222222222222:role/dev*' } })), 'wildcards are not allowed in a principal', { kind: 'resource' }],
    ['a short account id', doc(statement({ Principal: { AWS: ['12345'] } })), 'Statement[0].Principal.AWS[0]: "12345" is not "*", a 12-digit account id', { kind: 'resource' }],
    ['an unknown principal type', doc(statement({ Principal: { Human: 'x' } })), 'Statement[0].Principal.Human: is not a principal type', { kind: 'resource' }],
    ['a Condition that is not an object', doc(statement({ Condition: 'x' })), 'Condition: must be an object of condition operators'],
    ['an empty Condition', doc(statement({ Condition: {} })), 'Condition: must contain at least one condition operator'],
    ['an unknown operator', doc(statement({ Condition: { StringEqualz: { 'aws:SourceVpc': 'v' } } })), 'Condition.StringEqualz: is not a condition operator'],
    ['Null with IfExists', doc(statement({ Condition: { NullIfExists: { 'aws:SourceVpc': 'true' } } })), 'Null tests whether a key exists'],
    ['an operator with no keys', doc(statement({ Condition: { IpAddress: {} } })), 'Condition.IpAddress: must be an object of condition keys and values'],
    ['an invalid IPv4 address', doc(statement({ Condition: { IpAddress: { 'aws:SourceIp': '300.1.1.1/8' } } })), 'Condition.IpAddress.aws:SourceIp: "300.1.1.1/8" is not an IP address'],
    ['an out-of-range prefix', doc(statement({ Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '10.0.0.0/33'] } } })), 'aws:SourceIp[1]: "10.0.0.0/33" has an invalid prefix length (must be 0-32)'],
    ['an out-of-range IPv6 prefix', doc(statement({ Condition: { IpAddress: { 'aws:SourceIp': '2001:db8::/129' } } })), 'has an invalid prefix length (must be 0-128)'],
    ['a number as an address', doc(statement({ Condition: { IpAddress: { 'aws:SourceIp': 10 } } })), 'is not an IP address'],
    ['an empty value list', doc(statement({ Condition: { IpAddress: { 'aws:SourceIp': [] } } })), 'must list at least one value'],
    ['an object as a value', doc(statement({ Condition: { StringEquals: { 'aws:SourceVpc': { id: 'v' } } } })), 'must be a string, number or boolean'],
    ['a date that is not a date', doc(statement({ Condition: { DateGreaterThan: { 'aws:CurrentTime': 'yesterday' } } })), '"yesterday" is not an ISO 8601 date or epoch seconds'],
    ['a number that is not a number', doc(statement({ Condition: { NumericLessThan: { 'aws:EpochTime': '0x10' } } })), '"0x10" is not a number'],
    ['a Bool that is not a boolean', doc(statement({ Condition: { Bool: { 'aws:SecureTransport': 'yes' } } })), '"yes" is not "true" or "false"'],
    ['shorthand without the API scope', doc(statement({ Principal: '*', Resource: 'execute-api:/*' })), 'needs the API\'s region, account and id', { kind: 'resource' }],
    ['shorthand in an authorizer policy', doc(statement({ Resource: 'execute-api:/*' })), 'only accepted in resource policies', { kind: 'authorizer' }],
    ['an authorizer resource over 512 characters', doc(statement({ Resource: arn(`dev/GET/${'x'.repeat(500)}`) })), 'an authorizer policy resource may have at most 512', { kind: 'authorizer' }],
    ['a document over the size limit', JSON.stringify(doc(statement({ Sid: 'x'.repeat(9000) }))), 'at most 8192 are allowed'],
    ['an object over the size limit', doc(statement({ Sid: 'x'.repeat(9000) })), 'characters as JSON; at most 8192 are allowed'],
    ['too many statements', { Statement: new Array(5).fill(ok) }, 'has 5 statements; at most 4 are allowed', { limits: { maxStatements: 4 } }],
    ['too many actions', doc(statement({ Action: new Array(9).fill(INVOKE) })), 'lists 9 values; at most 8 are allowed', { limits: { maxElementValues: 8 } }],
    ['too many condition values', doc(statement({ Condition: { IpAddress: { 'aws:SourceIp': new Array(9).fill('10.0.0.0/8') } } })), 'lists 9 values; at most 8 are allowed', { limits: { maxConditionValues: 8 } }],
    ['too many condition keys', doc(statement({ Condition: { StringEquals: { a: '1', b: '2', c: '3' } } })), 'has more than 2 condition keys', { limits: { maxConditionKeys: 2 } }],
  ];
  for (const [name, document, expectedProblem, options] of cases) {
    it(name, () => {
      const problems = problemsOf(document, { kind: 'identity', ...options });
      assert.ok(problems.some((p) => p.includes(expectedProblem)), `no problem mentions ${JSON.stringify(expectedProblem)}: ${JSON.stringify(problems)}`);
    });
  }

  it('a cyclic object is rejected, not thrown out of JSON.stringify', () => {
    const cyclic: Doc = { Statement: [ok] };
    cyclic.self = cyclic;
    assert.ok(problemsOf(cyclic, { kind: 'identity' }).some((p) => p.includes('cannot be represented as JSON')));
  });

  it('lists every problem, across statements', () => {
    const problems = problemsOf(
      { Version: '1', Statement: [statement({ Effect: 'Permit', Action: 'Invoke' }), statement({ Resource: 'nope' })] },
      { kind: 'identity' },
    );
    assert.deepEqual(problems, [
      'Version: must be "2012-10-17" or "2008-10-17", got "1"',
      'Statement[0].Effect: must be "Allow" or "Deny", got "Permit"',
      'Statement[0].Action: "Invoke" is not "*" or "service:action"',
      'Statement[1].Resource: "nope" is not "*" or an ARN',
    ]);
  });

  it('the default limits are the documented ones', () => {
    assert.equal(DEFAULT_POLICY_LIMITS.maxDocumentChars, 8192);
    assert.equal(problemsOf({ Statement: new Array(DEFAULT_POLICY_LIMITS.maxStatements + 1).fill({ Effect: 'Allow', Action: '*', Resource: '*' }) }, { kind: 'identity', limits: { maxDocumentChars: 1e6 } }).length, 1);
    assert.deepEqual(validatePolicy({ Statement: new Array(DEFAULT_POLICY_LIMITS.maxStatements).fill({ Effect: 'Allow', Action: '*', Resource: '*' }) }, { kind: 'identity', limits: { maxDocumentChars: 1e6 } }), []);
  });

  it('a valid document has no problems', () => {
    assert.deepEqual(validatePolicy(doc(resourceStatement({ Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } } })), { kind: 'resource' }), []);
  });
});

describe('evaluatePolicies (several identity policies of one principal)', () => {
  const allow = compilePolicy(doc(statement({})), { kind: 'identity' });
  const deny = compilePolicy(doc(statement({ Effect: 'Deny', Resource: arn('*/DELETE/*') })), { kind: 'identity' });
  const unrelated = compilePolicy(doc(statement({ Action: 's3:GetObject', Resource: '*' })), { kind: 'identity' });
  const cases: [name: string, policies: typeof allow[], resource: string, expected: PolicyEffect][] = [
    ['none', [], GET_PETS, 'NotApplicable'],
    ['one allows', [unrelated, allow], GET_PETS, 'Allow'],
    ['one allows, another denies', [allow, deny], arn('dev/DELETE/pets'), 'Deny'],
    ['nothing applies', [unrelated, deny], GET_PETS, 'NotApplicable'],
  ];
  for (const [name, policies, resource, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      assert.equal(evaluatePolicies(policies, { action: INVOKE, resource }), expected);
    });
  }
});

describe('CIDR parsing and matching', () => {
  const valid: [text: string, expected: Cidr][] = [
    ['192.0.2.0/24', { address: '192.0.2.0', prefix: 24, family: 'ipv4' }],
    ['192.0.2.7', { address: '192.0.2.7', prefix: 32, family: 'ipv4' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['2001:db8::/32', { address: '2001:db8::', prefix: 32, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['::ffff:10.0.0.0/104', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
  ];
  for (const [text, expected] of valid) {
    it(`parses ${text}`, () => assert.deepEqual(parseCidr(text), { ok: true, cidr: expected }));
  }
  for (const text of ['', '10.0.0.0/', '/8', '10.0.0/8', '10.0.0.0/-1', '10.0.0.0/+8', '10.0.0.0/8/8', '10.0.0.0/1000', 'fe80::1%eth0/64', 'example.com', '01.2.3.4']) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(parseCidr(text).ok, false));
  }

  const mapped: [text: string, expected: string | undefined][] = [
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:201', '192.0.2.1'],
    ['0:0:0:0:0:ffff:192.0.2.1', '192.0.2.1'],
    ['::192.0.2.1', undefined],
    ['::1', undefined],
    ['64:ff9b::192.0.2.1', undefined],
  ];
  for (const [text, expected] of mapped) {
    it(`normalizeIp(${text}) is ${expected ? `IPv4 ${expected}` : 'IPv6'}`, () => {
      const ip = normalizeIp(text);
      assert.ok(ip);
      if (expected === undefined) assert.equal(ip.family, 'ipv6');
      else assert.deepEqual(ip, { address: expected, family: 'ipv4' });
    });
  }
  it('normalizeIp refuses non-addresses', () => {
    assert.equal(normalizeIp('192.0.2'), undefined);
    assert.equal(normalizeIp(''), undefined);
  });

  it('a CidrSet answers for both families', () => {
    const set = new CidrSet(['10.0.0.0/8', '2001:db8::/32'].map((t) => {
      const r = parseCidr(t);
      assert.ok(r.ok);
      return r.cidr;
    }));
    assert.equal(set.contains('10.255.0.1'), true);
    assert.equal(set.contains('::ffff:10.255.0.1'), true);
    assert.equal(set.contains('11.0.0.1'), false);
    assert.equal(set.contains('2001:db8:ab::1'), true);
    assert.equal(set.contains('2001:db9::1'), false);
    assert.equal(new CidrSet([]).contains('10.0.0.1'), false);
  });
});

describe('method ARNs', () => {
  const cases: [resourcePath: string, expected: string][] = [
    ['/', `${API}/dev/GET/`],
    ['/pets', `${API}/dev/GET/pets`],
    ['/pets/7/photos', `${API}/dev/GET/pets/7/photos`],
    ['pets', `${API}/dev/GET/pets`],
    ['', `${API}/dev/GET/`],
  ];
  for (const [resourcePath, expected] of cases) {
    it(`${JSON.stringify(resourcePath)} → ${expected}`, () => {
      assert.equal(buildMethodArn({ ...SCOPE, stage: 'dev', method: 'GET', resourcePath }), expected);
      assert.equal(methodArnBuilder({ ...SCOPE, stage: 'dev' })('GET', resourcePath), expected);
    });
  }
  it('uses the given partition', () => {
    assert.equal(buildMethodArn({ ...SCOPE, partition: 'aws-cn', stage: 'prod', method: 'POST', resourcePath: '/x' }), 'arn:aws-cn:execute-api:us-east-1:123456789012:a1b2c3/prod/POST/x');
    assert.equal(executeApiArnPrefix(SCOPE), API);
  });
  it('expands only the execute-api:/ shorthand', () => {
    assert.equal(expandExecuteApiShorthand('execute-api:/*', SCOPE), `${API}/*`);
    assert.equal(expandExecuteApiShorthand('execute-api:/dev/GET/', SCOPE), `${API}/dev/GET/`);
    assert.equal(expandExecuteApiShorthand(`${API}/dev/*`, SCOPE), `${API}/dev/*`);
    assert.equal(expandExecuteApiShorthand('*', SCOPE), '*');
  });
  it('a built ARN is what a policy for that method matches', () => {
    const policy = compilePolicy(doc(statement({ Resource: `${API}/*/GET/` })), { kind: 'authorizer' });
    assert.equal(policy.evaluate({ action: INVOKE, resource: buildMethodArn({ ...SCOPE, stage: 'dev', method: 'GET', resourcePath: '/' }) }), 'Allow');
    assert.equal(policy.evaluate({ action: INVOKE, resource: buildMethodArn({ ...SCOPE, stage: 'dev', method: 'GET', resourcePath: '/pets' }) }), 'NotApplicable');
  });
});
