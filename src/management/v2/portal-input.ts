/**
 * Reading the developer portal operations' nested request members: authorization, endpoint
 * configuration, portal content, page display content and REST endpoint identifiers. Each is
 * checked as AWS's model constrains it (required members, lengths, one-of choices) and
 * answered with AWS's validation wording, naming the member by its path in the request.
 */
import type {
  CustomColors,
  DisplayContentOverrides,
  IdentifierParts,
  PortalAuthorization,
  PortalContent,
  PortalEndpointConfiguration,
} from '../../model/portal.js';
import { badRequest } from '../errors.js';
import { HOSTNAME } from '../v1/domain-names.js';
import { structure } from './input.js';

type Obj = Readonly<Record<string, unknown>>;

const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/;

const present = (value: unknown): boolean => value !== undefined && value !== null;

function invalid(value: unknown, path: string, constraint: string): Error {
  const shown = value === undefined || value === null ? 'null' : `'${typeof value === 'string' ? value : JSON.stringify(value)}'`;
  return badRequest(`1 validation error detected: Value ${shown} at '${path}' failed to satisfy constraint: ${constraint}`);
}

/** AWS's answer for a required member the request leaves out. */
export function requireMember(obj: Obj, key: string, path = key): unknown {
  if (!present(obj[key])) throw invalid(undefined, path, 'Member must not be null');
  return obj[key];
}

/** A string member within `min`–`max` characters; undefined when absent and not required. */
export function text(obj: Obj, key: string, path: string, min: number, max: number, required: true): string;
export function text(obj: Obj, key: string, path: string, min: number, max: number, required?: false): string | undefined;
export function text(obj: Obj, key: string, path: string, min: number, max: number, required = false): string | undefined {
  const value = obj[key];
  if (!present(value)) {
    if (required) throw invalid(undefined, path, 'Member must not be null');
    return undefined;
  }
  if (typeof value !== 'string') throw invalid(value, path, 'Member must be a string');
  if (value.length < min) throw invalid(value, path, `Member must have length greater than or equal to ${min}`);
  if (value.length > max) throw invalid(value, path, `Member must have length less than or equal to ${max}`);
  return value;
}

/** A nested structure member, required or not; unknown members inside it are refused. */
function nested(obj: Obj, key: string, path: string, members: readonly string[], required: boolean): Obj | undefined {
  const value = obj[key];
  if (!present(value)) {
    if (required) throw invalid(undefined, path, 'Member must not be null');
    return undefined;
  }
  return structure(value, path, members);
}

/** `none` members are empty structures: they say which choice was made and carry nothing. */
function none(obj: Obj, path: string): Record<string, never> | undefined {
  return nested(obj, 'none', `${path}.none`, [], false) === undefined ? undefined : {};
}

function exactlyOne(path: string, choices: string, count: number): void {
  if (count !== 1) throw badRequest(`${path} must set exactly one of ${choices}`);
}

export function readAuthorization(value: unknown, path = 'authorization'): PortalAuthorization {
  const auth = structure(value, path, ['cognitoConfig', 'none']);
  const cognito = nested(auth, 'cognitoConfig', `${path}.cognitoConfig`, ['appClientId', 'userPoolArn', 'userPoolDomain'], false);
  const open = none(auth, path);
  exactlyOne(path, 'cognitoConfig or none', (cognito ? 1 : 0) + (open ? 1 : 0));
  if (!cognito) return { none: {} };
  const userPoolArn = text(cognito, 'userPoolArn', `${path}.cognitoConfig.userPoolArn`, 20, 2048, true);
  if (!USER_POOL_ARN.test(userPoolArn)) throw badRequest(`Invalid Amazon Cognito user pool ARN specified: ${userPoolArn}`);
  return {
    cognitoConfig: {
      appClientId: text(cognito, 'appClientId', `${path}.cognitoConfig.appClientId`, 1, 256, true),
      userPoolArn,
      userPoolDomain: text(cognito, 'userPoolDomain', `${path}.cognitoConfig.userPoolDomain`, 20, 2048, true),
    },
  };
}

export function readEndpointConfiguration(value: unknown, path = 'endpointConfiguration'): PortalEndpointConfiguration {
  const config = structure(value, path, ['acmManaged', 'none']);
  const acm = nested(config, 'acmManaged', `${path}.acmManaged`, ['certificateArn', 'domainName'], false);
  const defaultDomain = none(config, path);
  exactlyOne(path, 'acmManaged or none', (acm ? 1 : 0) + (defaultDomain ? 1 : 0));
  if (!acm) return { none: {} };
  const certificateArn = text(acm, 'certificateArn', `${path}.acmManaged.certificateArn`, 10, 2048, true);
  if (!CERTIFICATE_ARN.test(certificateArn)) throw badRequest(`Invalid certificate ARN specified: ${certificateArn}`);
  const domainName = text(acm, 'domainName', `${path}.acmManaged.domainName`, 3, 256, true);
  if (!HOSTNAME.test(domainName) || domainName.startsWith('*.')) throw badRequest(`Invalid domain name '${domainName}'`);
  return { acmManaged: { certificateArn, domainName: domainName.toLowerCase() } };
}

const COLORS: readonly (keyof CustomColors)[] = ['accentColor', 'backgroundColor', 'errorValidationColor', 'headerColor', 'navigationColor', 'textColor'];

/**
 * The portal's content. `theme.logoLastUploaded` is accepted, as tools send back what they
 * read, but not taken: the portal sets it itself when its logo changes.
 */
export function readPortalContent(value: unknown, path = 'portalContent'): PortalContent {
  const content = structure(value, path, ['displayName', 'description', 'theme']);
  const theme = nested(content, 'theme', `${path}.theme`, ['customColors', 'logoLastUploaded'], true)!;
  const colors = nested(theme, 'customColors', `${path}.theme.customColors`, COLORS, true)!;
  const customColors = Object.fromEntries(COLORS.map((c) => [c, text(colors, c, `${path}.theme.customColors.${c}`, 1, 16, true)])) as unknown as CustomColors;
  const description = text(content, 'description', `${path}.description`, 0, 1024);
  return {
    displayName: text(content, 'displayName', `${path}.displayName`, 3, 255, true),
    ...(description === undefined ? {} : { description }),
    theme: { customColors },
  };
}

/** A product page's content: both members required. */
export function readDisplayContent(value: unknown, path = 'displayContent'): { title: string; body: string } {
  const content = structure(value, path, ['title', 'body']);
  return {
    title: text(content, 'title', `${path}.title`, 1, 255, true),
    body: text(content, 'body', `${path}.body`, 1, 32768, true),
  };
}

/**
 * A REST endpoint page's content: `none` (show what the REST API says) or `overrides`.
 * Returns undefined for `none`, and for an empty structure, which chooses nothing to override.
 */
export function readEndpointDisplayContent(value: unknown, path = 'displayContent'): DisplayContentOverrides | undefined {
  const content = structure(value, path, ['none', 'overrides']);
  const overrides = nested(content, 'overrides', `${path}.overrides`, ['body', 'endpoint', 'operationName'], false);
  if (overrides && none(content, path)) exactlyOne(path, 'none or overrides', 2);
  if (!overrides) return undefined;
  const read: DisplayContentOverrides = {};
  const body = text(overrides, 'body', `${path}.overrides.body`, 1, 32768);
  const endpoint = text(overrides, 'endpoint', `${path}.overrides.endpoint`, 1, 1024);
  const operationName = text(overrides, 'operationName', `${path}.overrides.operationName`, 1, 255);
  if (body !== undefined) read.body = body;
  if (endpoint !== undefined) read.endpoint = endpoint;
  if (operationName !== undefined) read.operationName = operationName;
  return Object.keys(read).length === 0 ? undefined : read;
}

export function readIdentifierParts(value: unknown, path = 'restEndpointIdentifier'): IdentifierParts {
  const identifier = structure(value, path, ['identifierParts']);
  const parts = nested(identifier, 'identifierParts', `${path}.identifierParts`, ['method', 'path', 'restApiId', 'stage'], true)!;
  const at = `${path}.identifierParts`;
  return {
    method: text(parts, 'method', `${at}.method`, 1, 20, true),
    path: text(parts, 'path', `${at}.path`, 1, 4096, true),
    restApiId: text(parts, 'restApiId', `${at}.restApiId`, 1, 50, true),
    stage: text(parts, 'stage', `${at}.stage`, 1, 128, true),
  };
}

/** A list of ARNs (20–2048 characters each) of at most `max` entries, without repeats. */
export function arnList(value: unknown, path: string, max: number): string[] {
  if (!Array.isArray(value)) throw invalid(value, path, 'Member must be a list');
  if (value.length > max) throw badRequest(`${path} can hold at most ${max} ARNs`);
  const seen = new Set<string>();
  value.forEach((item, i) => {
    if (typeof item !== 'string') throw invalid(item, `${path}.${i + 1}.member`, 'Member must be a string');
    if (item.length < 20 || item.length > 2048) {
      throw invalid(item, `${path}.${i + 1}.member`, 'Member must have length less than or equal to 2048 and greater than or equal to 20');
    }
    if (seen.has(item)) throw badRequest(`${path} names ${item} more than once`);
    seen.add(item);
  });
  return [...seen];
}
