/**
 * The authorization decision: every row of the developer guide's Table A (same account) and
 * Table B (cross account) for Lambda authorizers and IAM, the resource-policy-only and Cognito
 * workflows, the pre-authorizer explicit-deny check, and the exact ACCESS_DENIED messages and
 * bodies AWS sends.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  combineOutcomes,
  decideAuthorization,
  denyBeforeAuthorizer,
  maskAccountInArn,
  type AuthorizationDecision,
  type AuthorizationInput,
  type DeniedBy,
  type ResultingBehavior,
} from '../../src/auth/authorization-decision.js';
import { compilePolicy, type PolicyEffect, type RequestContext } from '../../src/auth/policy.js';
import { buildMethodArn } from '../../src/auth/method-arn.js';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/GET/pets';
const MASKED = 'arn:aws:execute-api:us-east-1:********9012:a1b2c3/dev/GET/pets';
const DAVE = 'arn:aws:iam::222222222222:user/dave';

const RP_EXPLICIT = `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${MASKED} with an explicit deny`;
const RP_IMPLICIT = `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${MASKED}`;
const AUTHORIZER_EXPLICIT = 'User is not authorized to access this resource with an explicit deny';
const AUTHORIZER_IMPLICIT = 'User is not authorized to access this resource';
/** AWS masks the caller's account id in the message too. */
const DAVE_MASKED = 'arn:aws:iam::********2222:user/dave';
const IAM_EXPLICIT = `User: ${DAVE_MASKED} is not authorized to perform: execute-api:Invoke on resource: ${MASKED} with an explicit deny`;
const IAM_IMPLICIT = `User: ${DAVE_MASKED} is not authorized to perform: execute-api:Invoke on resource: ${MASKED}`;

type Expected = { behavior: 'Allow' } | { behavior: 'ExplicitDeny' | 'ImplicitDeny'; deniedBy: DeniedBy; message: string };

function assertDecision(actual: AuthorizationDecision, expected: Expected): void {
  if (expected.behavior === 'Allow') {
    assert.deepEqual(actual, { allowed: true, behavior: 'Allow' });
    return;
  }
  assert.deepEqual(actual, {
    allowed: false,
    behavior: expected.behavior,
    responseType: 'ACCESS_DENIED',
    statusCode: 403,
    deniedBy: expected.deniedBy,
    message: expected.message,
    body: JSON.stringify({ Message: expected.message }),
  });
}

const ALLOW: Expected = { behavior: 'Allow' };
const explicit = (deniedBy: DeniedBy, message: string): Expected => ({ behavior: 'ExplicitDeny', deniedBy, message });
const implicit = (deniedBy: DeniedBy, message: string): Expected => ({ behavior: 'ImplicitDeny', deniedBy, message });

// The guide's tables, row by row: [IAM policy / authorizer, resource policy, resulting behavior].
const TABLE_A: [PolicyEffect, PolicyEffect, ResultingBehavior][] = [
  ['Allow', 'Allow', 'Allow'],
  ['Allow', 'NotApplicable', 'Allow'],
  ['Allow', 'Deny', 'ExplicitDeny'],
  ['NotApplicable', 'Allow', 'Allow'],
  ['NotApplicable', 'NotApplicable', 'ImplicitDeny'],
  ['NotApplicable', 'Deny', 'ExplicitDeny'],
  ['Deny', 'Allow', 'ExplicitDeny'],
  ['Deny', 'NotApplicable', 'ExplicitDeny'],
  ['Deny', 'Deny', 'ExplicitDeny'],
];
const TABLE_B: [PolicyEffect, PolicyEffect, ResultingBehavior][] = [
  ['Allow', 'Allow', 'Allow'],
  ['Allow', 'NotApplicable', 'ImplicitDeny'],
  ['Allow', 'Deny', 'ExplicitDeny'],
  ['NotApplicable', 'Allow', 'ImplicitDeny'],
  ['NotApplicable', 'NotApplicable', 'ImplicitDeny'],
  ['NotApplicable', 'Deny', 'ExplicitDeny'],
  ['Deny', 'Allow', 'ExplicitDeny'],
  ['Deny', 'NotApplicable', 'ExplicitDeny'],
  ['Deny', 'Deny', 'ExplicitDeny'],
];

const label = (e: PolicyEffect): string => (e === 'NotApplicable' ? 'Neither' : e);

describe('combineOutcomes: the guide tables', () => {
  for (const [table, rows, crossAccount] of [['A', TABLE_A, false], ['B', TABLE_B, true]] as const) {
    rows.forEach(([identity, resourcePolicy, behavior], i) => {
      it(`Table ${table} row ${i + 1}: ${label(identity)} × ${label(resourcePolicy)} → ${behavior}`, () => {
        assert.equal(combineOutcomes(identity, resourcePolicy, crossAccount), behavior);
      });
    });
  }
});

describe('Lambda authorizer (CUSTOM) with a resource policy', () => {
  // Which message each denying row produces: a resource-policy Deny is found before the
  // authorizer runs; otherwise the authorizer's Deny; otherwise whichever side did not allow.
  const expectations: Record<string, Expected> = {
    'A:Allow:Allow': ALLOW,
    'A:Allow:NotApplicable': ALLOW,
    'A:Allow:Deny': explicit('resource-policy', RP_EXPLICIT),
    'A:NotApplicable:Allow': ALLOW,
    'A:NotApplicable:NotApplicable': implicit('authorizer', AUTHORIZER_IMPLICIT),
    'A:NotApplicable:Deny': explicit('resource-policy', RP_EXPLICIT),
    'A:Deny:Allow': explicit('authorizer', AUTHORIZER_EXPLICIT),
    'A:Deny:NotApplicable': explicit('authorizer', AUTHORIZER_EXPLICIT),
    'A:Deny:Deny': explicit('resource-policy', RP_EXPLICIT),
    'B:Allow:Allow': ALLOW,
    'B:Allow:NotApplicable': implicit('resource-policy', RP_IMPLICIT),
    'B:Allow:Deny': explicit('resource-policy', RP_EXPLICIT),
    'B:NotApplicable:Allow': implicit('authorizer', AUTHORIZER_IMPLICIT),
    'B:NotApplicable:NotApplicable': implicit('authorizer', AUTHORIZER_IMPLICIT),
    'B:NotApplicable:Deny': explicit('resource-policy', RP_EXPLICIT),
    'B:Deny:Allow': explicit('authorizer', AUTHORIZER_EXPLICIT),
    'B:Deny:NotApplicable': explicit('authorizer', AUTHORIZER_EXPLICIT),
    'B:Deny:Deny': explicit('resource-policy', RP_EXPLICIT),
  };
  for (const [table, rows, crossAccount] of [['A', TABLE_A, false], ['B', TABLE_B, true]] as const) {
    rows.forEach(([authorizer, resourcePolicy, behavior], i) => {
      it(`Table ${table} row ${i + 1}: authorizer ${label(authorizer)} × resource policy ${label(resourcePolicy)} → ${behavior}`, () => {
        const expected = expectations[`${table}:${authorizer}:${resourcePolicy}`]!;
        assert.equal(expected.behavior, behavior, 'the expectation agrees with the guide table');
        assertDecision(decideAuthorization({ authorizationType: 'CUSTOM', identity: authorizer, resourcePolicy, crossAccount, methodArn: METHOD_ARN }), expected);
      });
    });
  }
});

describe('IAM (AWS_IAM) with a resource policy', () => {
  for (const [table, rows, crossAccount] of [['A', TABLE_A, false], ['B', TABLE_B, true]] as const) {
    rows.forEach(([identity, resourcePolicy, behavior], i) => {
      it(`Table ${table} row ${i + 1}: IAM policy ${label(identity)} × resource policy ${label(resourcePolicy)} → ${behavior}`, () => {
        let expected: Expected;
        if (behavior === 'Allow') expected = ALLOW;
        else if (behavior === 'ExplicitDeny') expected = explicit(resourcePolicy === 'Deny' ? 'resource-policy' : 'identity-policy', IAM_EXPLICIT);
        else expected = implicit(identity === 'Allow' ? 'resource-policy' : 'identity-policy', IAM_IMPLICIT);
        assertDecision(decideAuthorization({ authorizationType: 'AWS_IAM', identity, resourcePolicy, crossAccount, callerArn: DAVE, methodArn: METHOD_ARN }), expected);
      });
    });
  }
});

describe('other workflows', () => {
  const cases: [name: string, input: Omit<AuthorizationInput, 'methodArn'>, expected: Expected][] = [
    // Resource policy only: "seeking an explicit allow … An implicit denial or any explicit denial results in denying the caller."
    ['NONE, no resource policy', { authorizationType: 'NONE' }, ALLOW],
    ['NONE, resource policy Allow', { authorizationType: 'NONE', resourcePolicy: 'Allow' }, ALLOW],
    ['NONE, resource policy Neither', { authorizationType: 'NONE', resourcePolicy: 'NotApplicable' }, implicit('resource-policy', RP_IMPLICIT)],
    ['NONE, resource policy Deny', { authorizationType: 'NONE', resourcePolicy: 'Deny' }, explicit('resource-policy', RP_EXPLICIT)],
    ['NONE ignores an identity outcome', { authorizationType: 'NONE', resourcePolicy: 'Allow', identity: 'Deny' }, ALLOW],
    // Cognito: "the resource policy is evaluated independently, and an explicit allow is required".
    ['Cognito, no resource policy', { authorizationType: 'COGNITO_USER_POOLS' }, ALLOW],
    ['Cognito, resource policy Allow', { authorizationType: 'COGNITO_USER_POOLS', resourcePolicy: 'Allow' }, ALLOW],
    ['Cognito, resource policy Neither', { authorizationType: 'COGNITO_USER_POOLS', resourcePolicy: 'NotApplicable' }, implicit('resource-policy', RP_IMPLICIT)],
    ['Cognito, resource policy Deny', { authorizationType: 'COGNITO_USER_POOLS', resourcePolicy: 'Deny' }, explicit('resource-policy', RP_EXPLICIT)],
    ['Cognito cross-account, resource policy Allow', { authorizationType: 'COGNITO_USER_POOLS', resourcePolicy: 'Allow', crossAccount: true }, ALLOW],
    // Lambda authorizer and no resource policy: the authorizer's policy alone.
    ['CUSTOM, no resource policy, authorizer Allow', { authorizationType: 'CUSTOM', identity: 'Allow' }, ALLOW],
    ['CUSTOM, no resource policy, authorizer Deny', { authorizationType: 'CUSTOM', identity: 'Deny' }, explicit('authorizer', AUTHORIZER_EXPLICIT)],
    ['CUSTOM, no resource policy, authorizer policy does not cover the method', { authorizationType: 'CUSTOM', identity: 'NotApplicable' }, implicit('authorizer', AUTHORIZER_IMPLICIT)],
    ['CUSTOM, no outcome given', { authorizationType: 'CUSTOM' }, implicit('authorizer', AUTHORIZER_IMPLICIT)],
    ['CUSTOM cross-account, no resource policy, authorizer Allow', { authorizationType: 'CUSTOM', identity: 'Allow', crossAccount: true }, ALLOW],
    // IAM and no resource policy: the resource policy column is "Neither".
    ['AWS_IAM, no resource policy, same account, Allow', { authorizationType: 'AWS_IAM', identity: 'Allow', callerArn: DAVE }, ALLOW],
    ['AWS_IAM, no resource policy, same account, Deny', { authorizationType: 'AWS_IAM', identity: 'Deny', callerArn: DAVE }, explicit('identity-policy', IAM_EXPLICIT)],
    ['AWS_IAM, no resource policy, same account, Neither', { authorizationType: 'AWS_IAM', identity: 'NotApplicable', callerArn: DAVE }, implicit('identity-policy', IAM_IMPLICIT)],
    ['AWS_IAM, no resource policy, cross account, Allow', { authorizationType: 'AWS_IAM', identity: 'Allow', crossAccount: true, callerArn: DAVE }, implicit('resource-policy', IAM_IMPLICIT)],
    ['AWS_IAM without a caller ARN names anonymous', { authorizationType: 'AWS_IAM', identity: 'NotApplicable' }, implicit('identity-policy', RP_IMPLICIT)],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assertDecision(decideAuthorization({ ...input, methodArn: METHOD_ARN }), expected));
  }
});

describe('before the Lambda authorizer runs', () => {
  it('an explicit Deny in the resource policy stops the request', () => {
    const d = denyBeforeAuthorizer('Deny', METHOD_ARN);
    assert.ok(d);
    assertDecision(d, explicit('resource-policy', RP_EXPLICIT));
  });
  for (const rp of ['Allow', 'NotApplicable', undefined] as const) {
    it(`a resource policy outcome of ${rp ?? 'none'} lets the authorizer run`, () => {
      assert.equal(denyBeforeAuthorizer(rp, METHOD_ARN), undefined);
    });
  }
});

describe('ACCESS_DENIED messages', () => {
  it('reproduces a response recorded from AWS (ASFHyP3/hyp3 issue #2283)', () => {
    const methodArn = buildMethodArn({ region: 'us-west-2', accountId: '123456782543', apiId: 'vd2gh6uqw3', stage: 'api', method: 'GET', resourcePath: '/' });
    const d = decideAuthorization({ authorizationType: 'NONE', resourcePolicy: 'NotApplicable', methodArn });
    assert.equal(d.allowed, false);
    assert.equal(
      !d.allowed && d.body,
      '{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-west-2:********2543:vd2gh6uqw3/api/GET/"}',
    );
  });

  it('the Lambda authorizer explicit deny body', () => {
    const d = decideAuthorization({ authorizationType: 'CUSTOM', identity: 'Deny', methodArn: METHOD_ARN });
    assert.equal(!d.allowed && d.body, '{"Message":"User is not authorized to access this resource with an explicit deny"}');
  });

  it('the account id can be shown unmasked', () => {
    const d = decideAuthorization({ authorizationType: 'NONE', resourcePolicy: 'Deny', methodArn: METHOD_ARN, maskAccountId: false });
    assert.equal(!d.allowed && d.message, `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${METHOD_ARN} with an explicit deny`);
    const pre = denyBeforeAuthorizer('Deny', METHOD_ARN, false);
    assert.equal(pre?.message, `User: anonymous is not authorized to perform: execute-api:Invoke on resource: ${METHOD_ARN} with an explicit deny`);
  });

  const masks: [arn: string, expected: string][] = [
    [METHOD_ARN, MASKED],
    ['arn:aws:execute-api:us-east-1:1234:a1b2c3/dev/GET/', 'arn:aws:execute-api:us-east-1:1234:a1b2c3/dev/GET/'],
    ['arn:aws:execute-api:us-east-1:12345:a1b2c3/dev/GET/', 'arn:aws:execute-api:us-east-1:*2345:a1b2c3/dev/GET/'],
    ['arn:aws:s3:::bucket/key', 'arn:aws:s3:::bucket/key'],
    ['not-an-arn', 'not-an-arn'],
    ['arn:aws:execute-api:us-east-1', 'arn:aws:execute-api:us-east-1'],
  ];
  for (const [arn, expected] of masks) {
    it(`maskAccountInArn(${arn})`, () => assert.equal(maskAccountInArn(arn), expected));
  }
});

describe('compiled guide policies through the decision', () => {
  const scope = { region: 'us-east-1', accountId: '123456789012', apiId: 'a1b2c3' };
  const invoke = (resource: unknown, context: RequestContext, principal?: { accountId: string; arn?: string }) => ({
    action: 'execute-api:Invoke',
    resource: resource as string,
    context,
    principal,
  });

  it('Lambda authorizer workflow: only calls from vpce-1a2b3c4d reach the authorizer', () => {
    const resourcePolicy = compilePolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: ['execute-api:/*'], Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } }] },
      { kind: 'resource', scope },
    );
    const authorizerPolicy = compilePolicy(
      { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:us-east-1:123456789012:a1b2c3/dev/GET/*' }] },
      { kind: 'authorizer' },
    );

    const fromEndpoint = resourcePolicy.evaluate(invoke(METHOD_ARN, { sourceVpce: 'vpce-1a2b3c4d' }));
    assert.equal(denyBeforeAuthorizer(fromEndpoint, METHOD_ARN), undefined);
    const authorizer = authorizerPolicy.evaluate(invoke(METHOD_ARN, {}));
    assertDecision(decideAuthorization({ authorizationType: 'CUSTOM', resourcePolicy: fromEndpoint, identity: authorizer, methodArn: METHOD_ARN }), ALLOW);

    const fromElsewhere = resourcePolicy.evaluate(invoke(METHOD_ARN, { sourceIp: '203.0.113.9' }));
    assertDecision(denyBeforeAuthorizer(fromElsewhere, METHOD_ARN)!, explicit('resource-policy', RP_EXPLICIT));
  });

  it('Cognito workflow: an IP allow-list admits only its ranges', () => {
    const resourcePolicy = compilePolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*', Condition: { IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '198.51.100.0/24'] } } }] },
      { kind: 'resource', scope },
    );
    const decide = (sourceIp: string): AuthorizationDecision =>
      decideAuthorization({ authorizationType: 'COGNITO_USER_POOLS', resourcePolicy: resourcePolicy.evaluate(invoke(METHOD_ARN, { sourceIp })), methodArn: METHOD_ARN });
    assertDecision(decide('198.51.100.20'), ALLOW);
    assertDecision(decide('::ffff:192.0.2.1'), ALLOW);
    assertDecision(decide('203.0.113.1'), implicit('resource-policy', RP_IMPLICIT));
  });

  it('IAM cross-account workflow: an allowed identity from the allowed VPC only', () => {
    const resourcePolicy = compilePolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: ['execute-api:/*'], Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-2f09a348' } } }] },
      { kind: 'resource', scope },
    );
    const identityPolicy = compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:a1b2c3/*' }] }, { kind: 'identity' });
    const dave = { accountId: '222222222222', arn: DAVE };
    const decide = (context: RequestContext): AuthorizationDecision =>
      decideAuthorization({
        authorizationType: 'AWS_IAM',
        resourcePolicy: resourcePolicy.evaluate(invoke(METHOD_ARN, context, dave)),
        identity: identityPolicy.evaluate(invoke(METHOD_ARN, context, dave)),
        crossAccount: dave.accountId !== scope.accountId,
        callerArn: DAVE,
        methodArn: METHOD_ARN,
      });
    assertDecision(decide({ sourceVpc: 'vpc-2f09a348' }), ALLOW);
    assertDecision(decide({ sourceVpc: 'vpc-00000000' }), implicit('resource-policy', IAM_IMPLICIT));
  });
});
