/**
 * apigatewayv2 routing rules of custom domain names: CreateRoutingRule, GetRoutingRule,
 * ListRoutingRules, PutRoutingRule and DeleteRoutingRule. A rule sends the domain's requests that
 * meet its conditions (up to two header matches and one base path match, all of which must hold)
 * to a stage of a REST API; rules are evaluated by ascending priority, which is unique per
 * domain. Rules live on the domain's record, so they go when the domain goes.
 */
import type { ApiRecord } from '../../model/api.js';
import type { RoutingRule, RoutingRuleAction, RoutingRuleCondition } from '../../model/http-api.js';
import { newShortId } from '../../model/ids.js';
import { RECORD_KINDS, type DomainName } from '../../model/usage-plan.js';
import type { StoreReader } from '../../store/store.js';
import { badRequest, conflict, notFound } from '../errors.js';
import type { HandlerTable, ManagementContext } from '../operation.js';
import { pageV2 } from '../pagination.js';
import { limitExceeded } from '../v1/account-common.js';
import { mappingsOf } from '../v1/account-base-path-mappings.js';
import { compact } from './document.js';
import { has, integerIn, optionalBoolean, requiredString, structure } from './input.js';
import { readV2DomainName } from './domain-names.js';

/** AWS's default quota of routing rules per domain name. */
export const MAX_ROUTING_RULES = 50;
const MAX_HEADER_CONDITIONS = 2;
const MAX_BASE_PATH_CONDITIONS = 1;
/** Header names: under 40 characters of letters, digits and *?-!#$%&'.^_`|~. */
const HEADER_NAME = /^[A-Za-z0-9*?\-!#$%&'.^_`|~]{1,39}$/;
/** Header value globs: under 128 such characters; `*` only at the start and/or the end. */
const VALUE_GLOB = /^\*?[A-Za-z0-9?\-!#$%&'.^_`|~]+\*?$|^\*$/;
const MAX_VALUE_GLOB = 127;
/** Base paths: the characters of API mapping keys, matched literally. */
const BASE_PATH = /^[A-Za-z0-9$\-_.+!*'()]+(\/[A-Za-z0-9$\-_.+!*'()]+)*$/;
const MAX_BASE_PATH = 300;

const ruleArn = (ctx: ManagementContext, domainName: string, id: string): string =>
  `arn:aws:apigateway:${ctx.account.region}:${ctx.account.accountId}:/domainnames/${domainName}/routingrules/${id}`;

const ruleShape = (ctx: ManagementContext, domainName: string, r: RoutingRule): Record<string, unknown> => ({
  actions: r.actions,
  conditions: r.conditions,
  priority: r.priority,
  routingRuleArn: ruleArn(ctx, domainName, r.routingRuleId),
  routingRuleId: r.routingRuleId,
});

const byPriority = (a: RoutingRule, b: RoutingRule): number => a.priority - b.priority;

/** A list member that holds exactly one entry. */
function single(value: unknown, name: string): unknown {
  if (!Array.isArray(value) || value.length !== 1) throw badRequest(`${name} must hold exactly one entry`);
  return value[0];
}

function readCondition(value: unknown, i: number): RoutingRuleCondition {
  const where = `conditions[${i}]`;
  const c = structure(value, where, ['matchHeaders', 'matchBasePaths']);
  if (has(c, 'matchHeaders') === has(c, 'matchBasePaths')) throw badRequest(`${where} must have exactly one of matchHeaders and matchBasePaths`);
  if (has(c, 'matchHeaders')) {
    const headers = structure(c['matchHeaders'], `${where}.matchHeaders`, ['anyOf']);
    const match = structure(single(headers['anyOf'], `${where}.matchHeaders.anyOf`), `${where}.matchHeaders.anyOf`, ['header', 'valueGlob']);
    const header = requiredString(match, 'header');
    const valueGlob = requiredString(match, 'valueGlob');
    if (!HEADER_NAME.test(header)) throw badRequest(`Invalid header name '${header}': use under 40 letters, digits and *?-!#$%&'.^_\`|~`);
    if (valueGlob.length > MAX_VALUE_GLOB || !VALUE_GLOB.test(valueGlob)) {
      throw badRequest(`Invalid header value glob '${valueGlob}': use under 128 letters, digits and ?-!#$%&'.^_\`|~, with * only at the start or the end`);
    }
    return { matchHeaders: { anyOf: [{ header, valueGlob }] } };
  }
  const paths = structure(c['matchBasePaths'], `${where}.matchBasePaths`, ['anyOf']);
  const path = single(paths['anyOf'], `${where}.matchBasePaths.anyOf`);
  if (typeof path !== 'string' || path.length > MAX_BASE_PATH || !BASE_PATH.test(path)) {
    throw badRequest(`Invalid base path '${String(path)}': use letters, digits and $-_.+!*'() in levels separated by /`);
  }
  return { matchBasePaths: { anyOf: [path] } };
}

function readConditions(value: unknown): RoutingRuleCondition[] {
  if (!Array.isArray(value)) throw badRequest("1 validation error detected: Value null at 'conditions' failed to satisfy constraint: Member must not be null");
  if (value.length > MAX_HEADER_CONDITIONS + MAX_BASE_PATH_CONDITIONS) {
    throw badRequest(`A routing rule can have at most ${MAX_HEADER_CONDITIONS} matchHeaders conditions and ${MAX_BASE_PATH_CONDITIONS} matchBasePaths condition`);
  }
  const conditions = value.map(readCondition);
  if (conditions.filter((c) => c.matchHeaders).length > MAX_HEADER_CONDITIONS || conditions.filter((c) => c.matchBasePaths).length > MAX_BASE_PATH_CONDITIONS) {
    throw badRequest(`A routing rule can have at most ${MAX_HEADER_CONDITIONS} matchHeaders conditions and ${MAX_BASE_PATH_CONDITIONS} matchBasePaths condition`);
  }
  return conditions;
}

function readAction(value: unknown): RoutingRuleAction {
  if (!Array.isArray(value)) throw badRequest("1 validation error detected: Value null at 'actions' failed to satisfy constraint: Member must not be null");
  const action = structure(single(value, 'actions'), 'actions', ['invokeApi']);
  if (!has(action, 'invokeApi')) throw badRequest("1 validation error detected: Value null at 'actions.invokeApi' failed to satisfy constraint: Member must not be null");
  const invoke = structure(action['invokeApi'], 'actions.invokeApi', ['apiId', 'stage', 'stripBasePath']);
  return {
    invokeApi: {
      apiId: requiredString(invoke, 'apiId'),
      stage: requiredString(invoke, 'stage', 128),
      stripBasePath: optionalBoolean(invoke, 'stripBasePath') ?? false,
    },
  };
}

/** Rules invoke stages of REST APIs only. */
async function checkTarget(reader: StoreReader, action: RoutingRuleAction): Promise<void> {
  const { apiId, stage } = action.invokeApi;
  const api = (await reader.getApi(apiId)) as ApiRecord<unknown> | undefined;
  if (!api) throw badRequest(`Invalid API identifier specified ${apiId}`);
  if (api.protocolType !== 'REST') throw badRequest('Routing rules can invoke only REST APIs');
  if (!(await reader.getStage(apiId, stage))) throw badRequest('Invalid stage identifier specified');
}

/** AWS does not combine routing rules with API mappings to HTTP APIs on one domain. */
async function checkNoHttpMappings(reader: StoreReader, domain: DomainName): Promise<void> {
  for (const m of await mappingsOf(reader, domain.domainName)) {
    if (((await reader.getApi(m.restApiId)) as ApiRecord<unknown> | undefined)?.protocolType === 'HTTP') {
      throw badRequest('Routing rules are not supported on a domain name that has API mappings to HTTP APIs');
    }
  }
}

/** A rule read from a create or put body, checked against the domain's other rules. */
async function readRule(reader: StoreReader, body: Readonly<Record<string, unknown>>, domain: DomainName, routingRuleId: string): Promise<RoutingRule> {
  if (!has(body, 'priority')) throw badRequest("1 validation error detected: Value null at 'priority' failed to satisfy constraint: Member must not be null");
  const priority = integerIn(body['priority'], 'priority', 1, 1000000);
  const rule: RoutingRule = { routingRuleId, priority, conditions: readConditions(body['conditions']), actions: [readAction(body['actions'])] };
  await checkTarget(reader, rule.actions[0]!);
  await checkNoHttpMappings(reader, domain);
  if ((domain.routingRules ?? []).some((r) => r.routingRuleId !== routingRuleId && r.priority === priority)) {
    throw conflict(`A routing rule with priority ${priority} already exists for this domain name`);
  }
  return rule;
}

function findRule(domain: DomainName, id: string): RoutingRule {
  const rule = (domain.routingRules ?? []).find((r) => r.routingRuleId === id);
  if (!rule) throw notFound(`Invalid routing rule identifier specified ${id}`);
  return rule;
}

export const ROUTING_RULES_HANDLERS: HandlerTable = {
  async CreateRoutingRule(ctx, req) {
    const created = await ctx.store.transaction(async (tx) => {
      const domain = structuredClone(await readV2DomainName(tx, req.path['DomainName']!));
      const rule = await readRule(tx, req.body, domain, newShortId());
      const rules = domain.routingRules ?? [];
      if (rules.length >= MAX_ROUTING_RULES) throw limitExceeded(`A domain name can have at most ${MAX_ROUTING_RULES} routing rules`);
      domain.routingRules = [...rules, rule].sort(byPriority);
      await tx.putRecord(RECORD_KINDS.domainName, domain.domainName, domain);
      return { domain, rule };
    });
    return { body: ruleShape(ctx, created.domain.domainName, created.rule) };
  },

  async GetRoutingRule(ctx, req) {
    const domain = await readV2DomainName(ctx.store, req.path['DomainName']!);
    return { body: ruleShape(ctx, domain.domainName, findRule(domain, req.path['RoutingRuleId']!)) };
  },

  async ListRoutingRules(ctx, req) {
    const domain = await readV2DomainName(ctx.store, req.path['DomainName']!);
    const { items, nextToken } = pageV2([...(domain.routingRules ?? [])].sort(byPriority), req.query);
    return { body: compact({ routingRules: items.map((r) => ruleShape(ctx, domain.domainName, r)), nextToken }) };
  },

  async PutRoutingRule(ctx, req) {
    const replaced = await ctx.store.transaction(async (tx) => {
      const domain = structuredClone(await readV2DomainName(tx, req.path['DomainName']!));
      const current = findRule(domain, req.path['RoutingRuleId']!);
      const rule = await readRule(tx, req.body, domain, current.routingRuleId);
      domain.routingRules = (domain.routingRules ?? []).map((r) => (r === current ? rule : r)).sort(byPriority);
      await tx.putRecord(RECORD_KINDS.domainName, domain.domainName, domain);
      return { domain, rule };
    });
    return { body: ruleShape(ctx, replaced.domain.domainName, replaced.rule) };
  },

  async DeleteRoutingRule(ctx, req) {
    await ctx.store.transaction(async (tx) => {
      const domain = structuredClone(await readV2DomainName(tx, req.path['DomainName']!));
      const rule = findRule(domain, req.path['RoutingRuleId']!);
      domain.routingRules = (domain.routingRules ?? []).filter((r) => r !== rule);
      await tx.putRecord(RECORD_KINDS.domainName, domain.domainName, domain);
    });
    return {};
  },
};
