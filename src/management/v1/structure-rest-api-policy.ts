/**
 * A REST API's resource policy as the management API takes and gives it. On the way in
 * (CreateRestApi, UpdateRestApi's `/policy`, ImportRestApi, PutRestApi) the document is
 * validated with the policy compiler the data plane uses, so a policy that could not be
 * evaluated is never stored, and it is stored as AWS stores it: minified, with the
 * `execute-api:/…` shorthand expanded to this API's ARN. On the way out AWS escapes the stored
 * JSON once more (`"` as `\"`, `/` as `\/`), which clients such as Terraform undo; responses do
 * the same.
 */
import type { AccountSettings } from '../../model/settings.js';
import type { RestApi } from '../../model/rest-api.js';
import { compilePolicy, PolicyValidationError } from '../../auth/policy.js';
import { badRequest } from '../errors.js';

/**
 * AWS's answer to a policy it cannot use. Source: the message quoted from CreateRestApi
 * failures in public infrastructure-as-code projects; no recorded case in the fixtures.
 */
export const INVALID_POLICY_MESSAGE = 'Invalid policy document. Please check the policy syntax and ensure that Principals are valid.';

/**
 * Validates `restApi.policy` and replaces it with its stored form; an empty policy is removed.
 * @throws BadRequestException with AWS's message followed by the problems found.
 */
export function normaliseRestApiPolicy(restApi: RestApi, account: AccountSettings): void {
  const policy = restApi.policy;
  if (policy === undefined) return;
  if (policy.trim() === '') {
    delete restApi.policy;
    return;
  }
  try {
    const compiled = compilePolicy(policy, { kind: 'resource', scope: { region: account.region, accountId: account.accountId, apiId: restApi.id } });
    restApi.policy = JSON.stringify(compiled.document);
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    throw badRequest(`${INVALID_POLICY_MESSAGE} ${err.problems.join('; ')}`);
  }
}

/** The stored policy as AWS returns it in a RestApi: its JSON escaped once more. */
export function escapedPolicy(policy: string | undefined): string | undefined {
  return policy?.replace(/[\\"/]/g, (c) => `\\${c}`);
}
