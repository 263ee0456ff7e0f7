/**
 * X-Ray sampling rules for traced stages: which requests without a caller's decision are
 * recorded. The rules are X-Ray's own JSON, in either shape its API uses:
 *
 *   { "SamplingRules": [ { "RuleName": "pets", "Priority": 10, "ReservoirSize": 1, "FixedRate": 0.1,
 *                          "ServiceName": "pets/prod", "HTTPMethod": "GET", "URLPath": "/prod/pets/*" } ] }
 *   { "SamplingRuleRecords": [ { "SamplingRule": { … } } ] }   (what `aws xray get-sampling-rules` prints)
 *
 * Rules are tried in ascending Priority (ties by RuleName); the first whose ServiceName,
 * ServiceType, Host, HTTPMethod, URLPath, ResourceARN and Attributes all match decides. Those
 * are X-Ray wildcard patterns (`*` any run, `?` one character, case-insensitive) and default to
 * `*`. A rule samples the first ReservoirSize matching requests of each second, then FixedRate
 * (0 to 1) of the rest. The rule named "Default" matches everything and is tried last; without
 * one, AWS's default applies: 1 request a second, then 5%.
 *
 * For an API Gateway stage the request is described as X-Ray describes it: ServiceName
 * `{api name}/{stage name}`, ServiceType `AWS::ApiGateway::Stage`, ResourceARN
 * `arn:aws:apigateway:{region}::/restapis/{api id}/stages/{stage name}`, URLPath the request
 * path with the stage (`/prod/pets/1`), Host the Host header, Attributes its request headers.
 */

export class SamplingRulesError extends Error {
  override readonly name = 'SamplingRulesError';
}

export interface SamplingRule {
  ruleName: string;
  priority: number;
  reservoirSize: number;
  /** Share of requests past the reservoir, 0 to 1. */
  fixedRate: number;
  matches(request: SamplingRequest): boolean;
}

/** One request, as sampling rules see it. */
export interface SamplingRequest {
  serviceName: string;
  serviceType: string;
  resourceArn: string;
  host: string;
  httpMethod: string;
  urlPath: string;
  /** A request header's value (name in lower case), for rules with Attributes. */
  header(name: string): string | undefined;
}

/** X-Ray's account limit is 25 rules; this only bounds what one file can make us hold. */
const MAX_RULES = 1000;
const DEFAULT_RULE_NAME = 'Default';

/** AWS's default rule: the first request each second, then 5% of the others. */
export const AWS_DEFAULT_RULE: SamplingRule = { ruleName: DEFAULT_RULE_NAME, priority: 10000, reservoirSize: 1, fixedRate: 0.05, matches: () => true };

/**
 * Checks and compiles sampling rules (parsed JSON); undefined gives AWS's default rule alone.
 * Throws SamplingRulesError naming the rule and field at fault.
 */
export function parseSamplingRules(input: unknown): SamplingRule[] {
  if (input === undefined || input === null) return [AWS_DEFAULT_RULE];
  if (!isObject(input)) throw new SamplingRulesError('sampling rules must be a JSON object with "SamplingRules" (or "SamplingRuleRecords")');
  let raw: unknown[];
  let where: (i: number) => string;
  if (input.SamplingRules !== undefined) {
    if (!Array.isArray(input.SamplingRules)) throw new SamplingRulesError('sampling rules: "SamplingRules" must be an array of rules');
    raw = input.SamplingRules;
    where = (i) => `SamplingRules[${i}]`;
  } else if (input.SamplingRuleRecords !== undefined) {
    if (!Array.isArray(input.SamplingRuleRecords)) throw new SamplingRulesError('sampling rules: "SamplingRuleRecords" must be an array');
    raw = input.SamplingRuleRecords.map((record, i) => {
      if (!isObject(record) || !isObject(record.SamplingRule)) throw new SamplingRulesError(`sampling rules: SamplingRuleRecords[${i}] has no "SamplingRule" object`);
      return record.SamplingRule;
    });
    where = (i) => `SamplingRuleRecords[${i}].SamplingRule`;
  } else {
    throw new SamplingRulesError('sampling rules must be a JSON object with "SamplingRules" (or "SamplingRuleRecords")');
  }
  if (raw.length > MAX_RULES) throw new SamplingRulesError(`sampling rules: at most ${MAX_RULES} rules, got ${raw.length}`);
  const rules: SamplingRule[] = [];
  const names = new Set<string>();
  let fallback: SamplingRule = AWS_DEFAULT_RULE;
  raw.forEach((value, i) => {
    const rule = compileRule(value, where(i));
    if (names.has(rule.ruleName)) throw new SamplingRulesError(`sampling rules: ${where(i)}: RuleName "${rule.ruleName}" is used twice`);
    names.add(rule.ruleName);
    if (rule.ruleName === DEFAULT_RULE_NAME) fallback = { ...rule, priority: 10000, matches: () => true };
    else rules.push(rule);
  });
  rules.sort((a, b) => a.priority - b.priority || (a.ruleName < b.ruleName ? -1 : a.ruleName > b.ruleName ? 1 : 0));
  rules.push(fallback);
  return rules;
}

function compileRule(value: unknown, where: string): SamplingRule {
  if (!isObject(value)) throw new SamplingRulesError(`sampling rules: ${where} must be an object`);
  const fail = (message: string): never => {
    const name = typeof value.RuleName === 'string' ? ` (RuleName "${value.RuleName}")` : '';
    throw new SamplingRulesError(`sampling rules: ${where}${name}: ${message}`);
  };
  const ruleName = value.RuleName;
  if (typeof ruleName !== 'string' || ruleName.length < 1 || ruleName.length > 32) fail('RuleName must be a string of 1 to 32 characters');
  const isDefault = ruleName === DEFAULT_RULE_NAME;
  const priority = value.Priority;
  if (!isDefault && (!Number.isInteger(priority) || (priority as number) < 1 || (priority as number) > 9999)) fail('Priority must be an integer from 1 to 9999');
  const reservoirSize = value.ReservoirSize;
  if (!Number.isInteger(reservoirSize) || (reservoirSize as number) < 0 || (reservoirSize as number) > 2 ** 31 - 1) fail('ReservoirSize must be a non-negative integer');
  const fixedRate = value.FixedRate;
  if (typeof fixedRate !== 'number' || !(fixedRate >= 0 && fixedRate <= 1)) fail('FixedRate must be a number from 0 to 1 (0.05 is 5%)');
  if (value.Version !== undefined && value.Version !== 1) fail('Version must be 1');

  const pattern = (field: string, maxLength: number): Matcher | undefined => {
    const p = value[field];
    if (p === undefined) return undefined;
    if (typeof p !== 'string' || p.length > maxLength) fail(`${field} must be a string of at most ${maxLength} characters`);
    return compilePattern(p as string);
  };
  const fields: [Matcher | undefined, (r: SamplingRequest) => string][] = [
    [pattern('ServiceName', 64), (r) => r.serviceName],
    [pattern('ServiceType', 64), (r) => r.serviceType],
    [pattern('Host', 64), (r) => r.host],
    [pattern('HTTPMethod', 10), (r) => r.httpMethod],
    [pattern('URLPath', 128), (r) => r.urlPath],
    [pattern('ResourceARN', 500), (r) => r.resourceArn],
  ];
  const checks: ((r: SamplingRequest) => boolean)[] = [];
  for (const [matcher, field] of fields) if (matcher !== undefined) checks.push((r) => matcher(field(r)));
  if (value.Attributes !== undefined) {
    if (!isObject(value.Attributes)) fail('Attributes must be an object of header names and patterns');
    for (const [name, p] of Object.entries(value.Attributes as Record<string, unknown>)) {
      if (typeof p !== 'string' || p.length > 32) fail(`Attributes.${name} must be a string of at most 32 characters`);
      const matcher = compilePattern(p as string);
      const header = name.toLowerCase();
      if (matcher !== undefined) checks.push((r) => matcher(r.header(header) ?? ''));
    }
  }
  const matches = checks.length === 0 ? () => true : (r: SamplingRequest) => checks.every((check) => check(r));
  return { ruleName: ruleName as string, priority: isDefault ? 10000 : (priority as number), reservoirSize: reservoirSize as number, fixedRate: fixedRate as number, matches };
}

type Matcher = (text: string) => boolean;

/** A wildcard pattern as a matcher; undefined for `*`, which matches anything. */
function compilePattern(pattern: string): Matcher | undefined {
  if (pattern === '*') return undefined;
  const lower = pattern.toLowerCase();
  if (!lower.includes('*') && !lower.includes('?')) return (text) => text.length === lower.length && text.toLowerCase() === lower;
  return (text) => wildcardMatch(lower, text.toLowerCase());
}

/**
 * Glob matching in O(pattern × text) at worst: on a mismatch it resumes from the last `*`
 * instead of backtracking through every earlier one, as a regular expression would.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let resume = 0;
  while (t < text.length) {
    const c = pattern.charCodeAt(p);
    if (p < pattern.length && (c === 63 /* ? */ || c === text.charCodeAt(t))) {
      p++;
      t++;
    } else if (p < pattern.length && c === 42 /* * */) {
      star = p++;
      resume = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++;
  return p === pattern.length;
}

export interface SamplingDecision {
  sampled: boolean;
  /** The rule that decided. */
  ruleName: string;
}

/**
 * Applies compiled rules. Each rule's reservoir counts the requests it took in the current
 * second: one counter per rule, whatever the traffic.
 */
export class RuleSampler {
  private readonly second: Float64Array;
  private readonly taken: Float64Array;

  constructor(
    private readonly rules: SamplingRule[],
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.second = new Float64Array(rules.length).fill(-1);
    this.taken = new Float64Array(rules.length);
  }

  decide(request: SamplingRequest): SamplingDecision {
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      if (!rule.matches(request)) continue;
      return { sampled: this.take(i, rule), ruleName: rule.ruleName };
    }
    // Unreachable: the last rule (Default) matches everything.
    return { sampled: false, ruleName: DEFAULT_RULE_NAME };
  }

  private take(i: number, rule: SamplingRule): boolean {
    if (rule.reservoirSize > 0) {
      const second = Math.floor(this.now() / 1000);
      if (this.second[i] !== second) {
        this.second[i] = second;
        this.taken[i] = 0;
      }
      if (this.taken[i] < rule.reservoirSize) {
        this.taken[i]++;
        return true;
      }
    }
    return rule.fixedRate > 0 && this.random() < rule.fixedRate;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
