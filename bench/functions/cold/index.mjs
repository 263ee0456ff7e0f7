// Handler for the cold-start measurement: the same trivial work as hello, plus whether this
// instance has answered before, so the driver can tell a cold invocation from a warm one.
let calls = 0;

export const handler = async () => ({ statusCode: 200, body: JSON.stringify({ cold: calls++ === 0 }) });
