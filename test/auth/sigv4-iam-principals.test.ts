/**
 * The IAM principals behind data-plane SigV4: loading them from a file and the environment,
 * refusing configurations that are wrong or too large, and the identity fields each principal
 * gives `$context.identity`. Policies are checked for shape only; nothing here evaluates them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../helpers.js';
import {
  ENV_IAM_PRINCIPALS,
  ENV_IAM_PRINCIPALS_FILE,
  IamPrincipals,
  IamPrincipalsError,
  MAX_CONFIG_BYTES,
  MAX_POLICY_CHARS,
  MAX_PRINCIPALS,
  identityContext,
} from '../../src/auth/iam-principals.js';

const USER = { accessKeyId: 'AKIAUSEREXAMPLE', secretAccessKey: 'user-secret', arn: 'arn:aws:iam::111122223333:user/alice' };
const SESSION = {
  accessKeyId: 'ASIASESSIONEXAMPLE',
  secretAccessKey: 'session-secret',
  sessionToken: 'session-token',
  expiration: '2030-01-01T00:00:00Z',
  arn: 'arn:aws:sts::111122223333:assumed-role/deployer/ci-run-42',
};
const POLICY = {
  Version: '2012-10-17',
  Statement: { Sid: 'ReadPets', Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: 'arn:aws:execute-api:*:111122223333:*/prod/GET/pets' },
};

const build = (...principals: unknown[]): IamPrincipals => IamPrincipals.fromConfig({ principals });
const refuses = (config: unknown, message: RegExp): void => {
  assert.throws(() => IamPrincipals.fromConfig(config, 'test config'), (err: unknown) => err instanceof IamPrincipalsError && message.test(err.message));
};

describe('IamPrincipals: principals and their identity', () => {
  it('gives an IAM user the identity fields AWS fills, and keeps the secret out of the principal', () => {
    const set = build({ ...USER, uniqueId: 'AIDAEXAMPLEUNIQUE0001', policy: POLICY });
    const alice = set.lookup(USER.accessKeyId)!;
    assert.deepEqual(
      { ...alice },
      {
        accessKeyId: 'AKIAUSEREXAMPLE',
        arn: USER.arn,
        accountId: '111122223333',
        kind: 'user',
        principalId: 'AIDAEXAMPLEUNIQUE0001',
        temporary: false,
        policy: POLICY,
      },
    );
    assert.deepEqual(identityContext(alice), {
      accessKey: 'AKIAUSEREXAMPLE',
      accountId: '111122223333',
      caller: 'AIDAEXAMPLEUNIQUE0001',
      user: 'AIDAEXAMPLEUNIQUE0001',
      userArn: USER.arn,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
    });
    assert.deepEqual(set.credential(USER.accessKeyId), { accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey });
    assert.equal(set.lookup('AKIAUNKNOWN'), undefined);
    assert.equal(set.credential('AKIAUNKNOWN'), undefined);
  });

  it('derives stable, distinct unique ids when none is configured', () => {
    const one = build(USER, { ...USER, accessKeyId: 'AKIABOBEXAMPLE', arn: 'arn:aws:iam::111122223333:user/bob' });
    const again = build(USER);
    const alice = one.lookup(USER.accessKeyId)!.principalId;
    assert.match(alice, /^AIDA[A-Z2-7]{17}$/);
    assert.equal(again.lookup(USER.accessKeyId)!.principalId, alice);
    assert.notEqual(one.lookup('AKIABOBEXAMPLE')!.principalId, alice);
  });

  it('names an assumed-role session by role id and session name, and carries its token and expiry', () => {
    const set = build(SESSION, { ...SESSION, accessKeyId: 'ASIAOTHERSESSION', arn: 'arn:aws:sts::111122223333:assumed-role/deployer/other-run' });
    const session = set.lookup(SESSION.accessKeyId)!;
    assert.equal(session.kind, 'assumed-role');
    assert.equal(session.temporary, true);
    assert.equal(session.expiration?.toISOString(), '2030-01-01T00:00:00.000Z');
    assert.equal(session.policy, null);
    assert.match(session.principalId, /^AROA[A-Z2-7]{17}:ci-run-42$/);
    // Both sessions of the role share its id.
    assert.equal(set.lookup('ASIAOTHERSESSION')!.principalId.split(':')[0], session.principalId.split(':')[0]);
    assert.deepEqual(set.credential(SESSION.accessKeyId), {
      accessKeyId: SESSION.accessKeyId,
      secretAccessKey: SESSION.secretAccessKey,
      sessionToken: SESSION.sessionToken,
      expiration: new Date(SESSION.expiration),
    });
  });

  it('uses the account id as the principal id of the root', () => {
    const root = build({ accessKeyId: 'AKIAROOTEXAMPLE', secretAccessKey: 's', arn: 'arn:aws:iam::999988887777:root' }).lookup('AKIAROOTEXAMPLE')!;
    assert.equal(root.kind, 'root');
    assert.equal(identityContext(root).caller, '999988887777');
    assert.equal(identityContext(root).accountId, '999988887777');
  });

  it('freezes principals and policies so callers cannot change them', () => {
    const alice = build({ ...USER, policy: POLICY }).lookup(USER.accessKeyId)!;
    assert.throws(() => {
      (alice as { arn: string }).arn = 'arn:aws:iam::111122223333:user/mallory';
    }, TypeError);
    assert.throws(() => {
      (alice.policy!.Statement as { Effect: string }).Effect = 'Deny';
    }, TypeError);
  });
});

describe('IamPrincipals: refusing bad configuration', () => {
  it('refuses documents that are not a principals list', () => {
    refuses([], /must be a JSON object with a "principals" array/);
    refuses({ principal: [] }, /must be a JSON object with a "principals" array/);
    refuses({ principals: [], extra: 1 }, /unknown field "extra"/);
  });

  it('refuses unknown, missing and malformed principal fields', () => {
    refuses({ principals: [{ ...USER, sesionToken: 'x' }] }, /principals\[0\] has unknown field "sesionToken"/);
    refuses({ principals: [{ ...USER, secretAccessKey: '' }] }, /\.secretAccessKey must be a non-empty string/);
    refuses({ principals: [{ ...USER, accessKeyId: 'AKIA/ALICE' }] }, /contains whitespace, '\/', ',' or '='/);
    refuses({ principals: [{ ...USER, arn: 'arn:aws:iam::1111:user/alice' }] }, /is not an IAM user/);
    refuses({ principals: [{ ...USER, arn: 'arn:aws:iam::111122223333:role/admin' }] }, /is not an IAM user/);
    refuses({ principals: [{ ...USER, expiration: '2030-01-01T00:00:00Z' }] }, /only meaningful with a sessionToken/);
    refuses({ principals: [{ ...SESSION, expiration: 'next tuesday' }] }, /not an ISO 8601 date-time/);
    refuses({ principals: [{ ...SESSION, sessionToken: undefined, expiration: undefined }] }, /assumed-role credentials are temporary/);
    refuses({ principals: [{ ...USER, uniqueId: 'AROAWRONGPREFIX00001' }] }, /should look like an IAM unique id: 'AIDA'/);
    refuses({ principals: [{ ...USER, sessionToken: 't'.repeat(8193) }] }, /\.sessionToken is longer than 8192/);
  });

  it('refuses an access key defined twice differently, and accepts an identical repeat', () => {
    refuses({ principals: [USER, { ...USER, secretAccessKey: 'other' }] }, /already defined differently/);
    assert.equal(build(USER, { ...USER }).size, 1);
  });

  it('refuses policies IAM would refuse as identity policies', () => {
    const withStatement = (statement: unknown) => ({ principals: [{ ...USER, policy: { Version: '2012-10-17', Statement: statement } }] });
    refuses(withStatement({ Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' }), /has Principal/);
    refuses(withStatement({ Effect: 'Permit', Action: 'execute-api:Invoke', Resource: '*' }), /Effect must be "Allow" or "Deny"/);
    refuses(withStatement({ Effect: 'Allow', Action: 'execute-api:Invoke' }), /exactly one of Resource and NotResource/);
    refuses(withStatement({ Effect: 'Allow', Action: 'a', NotAction: 'b', Resource: '*' }), /exactly one of Action and NotAction/);
    refuses(withStatement([{ Effect: 'Allow', Action: [], Resource: '*' }]), /Statement\[0\]\.Action must be a non-empty/);
    refuses(withStatement([]), /non-empty array/);
    refuses({ principals: [{ ...USER, policy: { Version: '2012-10-18', Statement: POLICY.Statement } }] }, /Version must be/);
    refuses({ principals: [{ ...USER, policy: { ...POLICY, Effect: 'Allow' } }] }, /unknown field "Effect"/);
    // Conditions are kept as written for the evaluator.
    const conditioned = { Effect: 'Deny', NotAction: 'execute-api:Invoke', NotResource: ['*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
    assert.deepEqual(IamPrincipals.fromConfig(withStatement(conditioned)).lookup(USER.accessKeyId)!.policy!.Statement, conditioned);
  });

  it('bounds the policy size, the number of principals and the configuration size', () => {
    const resource = 'arn:aws:execute-api:eu-west-1:111122223333:abcdef/prod/GET/' + 'x'.repeat(MAX_POLICY_CHARS);
    refuses({ principals: [{ ...USER, policy: { Statement: { Effect: 'Allow', Action: '*', Resource: resource } } }] }, /IAM allows 6144/);
    const many = Array.from({ length: MAX_PRINCIPALS + 1 }, (_, i) => ({ ...USER, accessKeyId: `AKIA${i}`, arn: `arn:aws:iam::111122223333:user/u${i}` }));
    refuses({ principals: many }, /at most 1000 are read/);
    assert.equal(build(...many.slice(0, MAX_PRINCIPALS)).size, MAX_PRINCIPALS);
    assert.throws(() => IamPrincipals.load({ env: { [ENV_IAM_PRINCIPALS]: ' '.repeat(MAX_CONFIG_BYTES + 1) } }), /longer than 1048576 bytes/);
  });
});

describe('IamPrincipals.load: file and environment', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('portico-iam-');
  });
  after(() => dir.remove());

  it('is empty when nothing is configured', () => {
    assert.equal(IamPrincipals.load({ env: {} }).size, 0);
    assert.equal(IamPrincipals.empty().lookup(USER.accessKeyId), undefined);
  });

  it('merges the file option, the file named in the environment and the inline document', async () => {
    const a = join(dir.path, 'a.json');
    const b = join(dir.path, 'b.json');
    await writeFile(a, JSON.stringify({ principals: [USER] }));
    await writeFile(b, JSON.stringify({ principals: [SESSION, USER] }));
    const inline = JSON.stringify({ principals: [{ accessKeyId: 'AKIAINLINE', secretAccessKey: 's', arn: 'arn:aws:iam::111122223333:user/inline' }] });
    const set = IamPrincipals.load({ file: a, env: { [ENV_IAM_PRINCIPALS_FILE]: b, [ENV_IAM_PRINCIPALS]: inline } });
    assert.equal(set.size, 3);
    assert.equal(set.lookup('AKIAINLINE')!.arn, 'arn:aws:iam::111122223333:user/inline');
    assert.equal(set.lookup(SESSION.accessKeyId)!.kind, 'assumed-role');
  });

  it('names the source of a problem', async () => {
    const broken = join(dir.path, 'broken.json');
    await writeFile(broken, '{"principals": [');
    assert.throws(() => IamPrincipals.load({ file: broken, env: {} }), (err: unknown) => err instanceof IamPrincipalsError && err.message.startsWith(`${broken}: not valid JSON`));
    assert.throws(() => IamPrincipals.load({ file: join(dir.path, 'missing.json'), env: {} }), /cannot be read/);
    assert.throws(() => IamPrincipals.load({ file: dir.path, env: {} }), /not a regular file/);
    assert.throws(
      () => IamPrincipals.load({ env: { [ENV_IAM_PRINCIPALS]: JSON.stringify({ principals: [{ ...USER, arn: 'nope' }] }) } }),
      /^IamPrincipalsError: PORTICO_IAM_PRINCIPALS: principals\[0\]\.arn 'nope' is not/,
    );
    const big = join(dir.path, 'big.json');
    await writeFile(big, ' '.repeat(MAX_CONFIG_BYTES + 1));
    assert.throws(() => IamPrincipals.load({ file: big, env: {} }), /at most 1048576 are read/);
  });
});
