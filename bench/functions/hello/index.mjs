// Hello-world Lambda handler the AWS_PROXY benchmark target invokes; kept trivial so the
// numbers measure Portico's invoke path rather than handler work.
export const handler = async () => ({ statusCode: 200, body: 'hello' });
