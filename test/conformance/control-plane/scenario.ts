/**
 * The vocabulary of the management API conformance scenarios: a scenario rebuilds, with the AWS
 * SDK v3 against a real Portico, the state a recorded LocalStack test had built, then makes the
 * recorded call. Setups are lists of steps so that the operations a case needs are known when
 * the test is defined, and a case whose operations Portico lacks is reported, not run.
 */
import * as sdk from '@aws-sdk/client-api-gateway';
import type { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { handlerFor } from '../../../src/management/registry.js';

// Recorded inputs and SDK outputs are loose JSON here; the runners check what they rely on.
export type Json = any;

/** The state a scenario builds up: the client, and the ids its steps created, by name. */
export interface World {
  send(op: string, input: Json): Promise<Json>;
  /** `api` (the REST API id), `root` (its root resource id), and whatever steps saved. */
  ids: Record<string, string>;
}

export interface Step {
  op: string;
  run(w: World): Promise<void>;
}

export interface Call {
  op: string;
  input(w: World): Json;
}

/** A scenario that runs: the setup steps, then the call whose outcome is compared. */
export interface Scenario {
  id: string;
  setup: Step[];
  call: Call;
}

/** A recorded case no scenario can honestly rebuild, with the reason. */
export interface Unrunnable {
  id: string;
  outOfScope: string;
}

export type Entry = Scenario | Unrunnable;

export const isUnrunnable = (e: Entry): e is Unrunnable => 'outOfScope' in e;

export function commandOf(op: string): new (input: Json) => Json {
  const ctor = (sdk as Record<string, unknown>)[`${op}Command`];
  // A misspelt operation would otherwise be skipped forever as "not implemented".
  if (typeof ctor !== 'function') throw new Error(`no SDK command for the operation ${op}`);
  return ctor as new (input: Json) => Json;
}

export function worldOf(client: APIGatewayClient): World {
  return { send: (op, input) => client.send(new (commandOf(op))(input)), ids: {} };
}

/** Every operation a scenario calls, in order of first use. */
export function needsOf(s: Scenario): string[] {
  return [...new Set([...s.setup.map((st) => st.op), s.call.op])];
}

/** The first operation the scenario needs that Portico does not implement, if any. */
export function missingOperation(s: Scenario): string | undefined {
  for (const op of needsOf(s)) {
    commandOf(op);
    if (!handlerFor('apigateway', op)) return op;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Steps.

/** A setup call; `save` keeps ids from its output for later steps. */
export const step = (op: string, input: (w: World) => Json, save?: (w: World, out: Json) => void): Step => ({
  op,
  async run(w) {
    const out = await w.send(op, input(w));
    save?.(w, out);
  },
});

export const call = (op: string, input: (w: World) => Json): Call => ({ op, input });

let counter = 0;
/** short_uid() of the recorded tests: a fresh suffix, so names never collide between cases. */
export const shortUid = (): string => `${Date.now().toString(36).slice(-4)}${(counter++).toString(36)}`;

/** apigw_create_rest_api: a REST API, its id as `api` and its root resource as `root`. */
export const restApi = (extra: Json = {}): Step =>
  step(
    'CreateRestApi',
    () => ({ name: `test-api-${shortUid()}`, ...extra }),
    (w, out) => {
      w.ids.api = out.id;
      w.ids.root = out.rootResourceId;
    },
  );

export const resource = (name: string, parent: string, pathPart: string): Step =>
  step('CreateResource', (w) => ({ restApiId: w.ids.api, parentId: w.ids[parent], pathPart }), (w, out) => {
    w.ids[name] = out.id;
  });

export const method = (res: string, httpMethod: string, extra: Json = {}): Step =>
  step('PutMethod', (w) => ({ restApiId: w.ids.api, resourceId: w.ids[res], httpMethod, authorizationType: 'NONE', ...extra }));

/** The MOCK integration most recorded tests put behind a method. */
export const mockIntegration = (res: string, httpMethod: string, extra: Json = {}): Step =>
  step('PutIntegration', (w) => ({
    restApiId: w.ids.api,
    resourceId: w.ids[res],
    httpMethod,
    type: 'MOCK',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    ...extra,
  }));

export const methodResponse = (res: string, httpMethod: string, statusCode: string, extra: Json = {}): Step =>
  step('PutMethodResponse', (w) => ({ restApiId: w.ids.api, resourceId: w.ids[res], httpMethod, statusCode, ...extra }));

/** A deployment of the API to `stageName`, its id saved as `deployment`. */
export const deployment = (stageName?: string, name = 'deployment'): Step =>
  step('CreateDeployment', (w) => ({ restApiId: w.ids.api, ...(stageName === undefined ? {} : { stageName }) }), (w, out) => {
    w.ids[name] = out.id;
  });

/** An API with GET / backed by MOCK: what a deployment needs to exist. */
export const deployableApi = (): Step[] => [restApi(), method('root', 'GET'), mockIntegration('root', 'GET')];

// ---------------------------------------------------------------------------------------------
// Comparison of the recorded error message.

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The recorded message as a pattern: a snapshot placeholder `<...>` matches any non-empty text;
 * `111111111111` is the account id the snapshot transformer wrote for the recording account, so
 * it matches any 12-digit account id. Everything else must be identical.
 */
export function messagePattern(recorded: string): RegExp {
  const parts = recorded.split(/(<[^<>\s]+>|111111111111)/);
  const source = parts
    .map((part, i) => {
      if (i % 2 === 0) return escapeRegExp(part);
      return part === '111111111111' ? '\\d{12}' : '.+';
    })
    .join('');
  return new RegExp(`^${source}$`, 's');
}
