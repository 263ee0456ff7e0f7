// Lambda TOKEN authorizer for the access-control benchmark target: it lets every token through,
// with the policy most authorizers return so one cached answer covers every method of the API
// (`{api ARN}/*`, which the gateway still matches against each request's method ARN), and a
// small context as real authorizers pass on. Trivial on purpose: with caching it runs once per
// run, so the numbers measure the gateway's per-request access control, not this function.
export const handler = async (event) => {
  const apiArn = event.methodArn.split('/')[0];
  return {
    principalId: 'bench-user',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${apiArn}/*` }],
    },
    context: { tier: 'bench' },
  };
};
