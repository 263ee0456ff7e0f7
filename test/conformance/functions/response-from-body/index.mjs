// Conformance function for the proxy-response cases: the client's request body is the value
// the function returns, so each case chooses the exact proxy result API Gateway must convert.
export const handler = async (event) => {
  // The recorded Python handler called json.loads(None) when no body was sent, which raises:
  // the function fails rather than returning null.
  if (event.body === null || event.body === undefined) {
    throw new TypeError('the JSON object must be str, bytes or bytearray, not NoneType');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return JSON.parse(text);
};
