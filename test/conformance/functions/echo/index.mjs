// Conformance echo function: answers with the Lambda proxy event it received, as the recorded
// cases' Python handler did (`json.dumps(event)` as the body).
export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event), isBase64Encoded: false });
