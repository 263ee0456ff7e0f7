/** apigateway (v1) TestInvokeMethod and TestInvokeAuthorizer. */
import type { HandlerTable } from '../operation.js';

export const TEST_INVOKE_HANDLERS: HandlerTable = {};
