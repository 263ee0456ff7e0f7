/**
 * The contract every integration compiles to: given a request that has matched a method,
 * produce a result or throw a GatewayError. Compilation happens once per deployment.
 */
import type { Integration } from '../model/rest-api.js';
import type { AccountSettings } from '../model/settings.js';
import type { FunctionInvoker } from '../functions/invoker.js';
import type { Invocation } from '../gateway/invocation.js';
import type { GatewayResult } from '../gateway/result.js';

export type IntegrationHandler = (inv: Invocation) => Promise<GatewayResult>;

/** What compiling an integration may read: the stage it serves and shared services. */
export interface IntegrationCompileContext {
  apiId: string;
  stageName: string;
  stageVariables: Record<string, string>;
  account: AccountSettings;
  invoker: FunctionInvoker;
  integration: Integration;
}
