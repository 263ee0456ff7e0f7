/**
 * apigateway (v1) account settings: GetAccount and UpdateAccount. The account's CloudWatch
 * role and feature flags are stored. The throttle shown is the account-level limit the data plane
 * enforces: the one Portico was started with, else AWS's default (10,000 requests per second,
 * bursts of 5,000). As on AWS, UpdateAccount cannot change it.
 */
import { RECORD_KINDS, type Account } from '../../model/usage-plan.js';
import type { StoreReader } from '../../store/store.js';
import { ACCOUNT_RECORD_ID, type AccountSettings } from '../../model/settings.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest } from '../errors.js';
import { invalidPath, parsePatchOperations, requireValue } from '../patch.js';
import { compact } from './shapes.js';

export const ACCOUNT_THROTTLE = { burstLimit: 5000, rateLimit: 10000 } as const;
/** Accounts created today have usage plans switched on. */
const DEFAULT_ACCOUNT: Account = { features: ['UsagePlans'] };
const KNOWN_FEATURES = ['UsagePlans'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

export async function readAccount(reader: StoreReader): Promise<Account> {
  return (await reader.getRecord<Account>(RECORD_KINDS.account, ACCOUNT_RECORD_ID)) ?? structuredClone(DEFAULT_ACCOUNT);
}

function accountShape(account: Account, settings: AccountSettings): Record<string, unknown> {
  const throttle = settings.throttle ?? ACCOUNT_THROTTLE;
  return {
    ...compact({ cloudwatchRoleArn: account.cloudwatchRoleArn }),
    throttleSettings: { burstLimit: throttle.burstLimit, rateLimit: throttle.rateLimit },
    features: account.features,
    apiKeyVersion: '4',
  };
}

const getAccount: OperationHandler = async (ctx) => ({ body: accountShape(await readAccount(ctx.store), ctx.account) });

const updateAccount: OperationHandler = async (ctx, req) => {
  const ops = parsePatchOperations(req.body.patchOperations);
  const account = await ctx.store.transaction(async (tx) => {
    const updated = await readAccount(tx);
    for (const op of ops) {
      if (op.path === '/cloudwatchRoleArn' && (op.op === 'replace' || op.op === 'remove')) {
        if (op.op === 'remove' || !op.value) {
          delete updated.cloudwatchRoleArn;
        } else {
          if (!ROLE_ARN.test(op.value)) throw badRequest(`Invalid IAM role ARN specified: ${op.value}`);
          updated.cloudwatchRoleArn = op.value;
        }
      } else if (op.path === '/features' && (op.op === 'add' || op.op === 'remove')) {
        const feature = requireValue(op);
        if (!KNOWN_FEATURES.includes(feature)) throw badRequest(`Invalid feature '${feature}': must be one of [${KNOWN_FEATURES.join(', ')}]`);
        updated.features = updated.features.filter((f) => f !== feature);
        if (op.op === 'add') updated.features.push(feature);
      } else {
        throw invalidPath(op);
      }
    }
    await tx.putRecord(RECORD_KINDS.account, ACCOUNT_RECORD_ID, updated);
    return updated;
  });
  return { body: accountShape(account, ctx.account) };
};

export const ACCOUNT_HANDLERS: HandlerTable = {
  GetAccount: getAccount,
  UpdateAccount: updateAccount,
};
