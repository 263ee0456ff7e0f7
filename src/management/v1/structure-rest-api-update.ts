/**
 * UpdateRestApi's patch paths: the scalar settings (replace only), binary media types (one per
 * path, `~1` for the slash) and the endpoint configuration, with AWS's messages. Applied to a
 * copy of the document inside the update's transaction, so any refusal leaves the API as it was.
 */
import { ENDPOINT_TYPES, API_KEY_SOURCES, type ApiKeySourceType, type EndpointType, type RestApi } from '../../model/rest-api.js';
import { badRequest } from '../errors.js';
import type { PatchOperation } from '../patch.js';
import { IP_ADDRESS_TYPES, type EndpointConfigurationWithIp, type IpAddressType } from './shapes.js';
import { invalidPatchPath, onlyOps, patchBoolean } from './structure-checks.js';
import { checkCompressionSize, checkEndpointConfiguration } from './structure-rest-api-settings.js';

/** Applies checked patch operations to `restApi` (a copy) in order. */
export function applyRestApiPatch(restApi: RestApi, ops: readonly PatchOperation[]): void {
  for (const op of ops) applyOne(restApi, op);
  checkEndpointConfiguration(restApi.endpointConfiguration);
}

function replaceOnly(op: PatchOperation): void {
  if (op.op !== 'replace') throw onlyOps('replace');
}

/** Optional text: replacing with nothing removes it. */
function setOptional(restApi: RestApi, key: 'description' | 'version' | 'policy', op: PatchOperation): void {
  // Recorded: `remove /description` succeeds and clears it.
  if (op.op === 'remove') {
    delete restApi[key];
    return;
  }
  replaceOnly(op);
  if (op.value === undefined || op.value === '') delete restApi[key];
  else restApi[key] = op.value;
}

function applyOne(restApi: RestApi, op: PatchOperation): void {
  const [head, ...rest] = op.segments;
  if (head === 'binaryMediaTypes') return patchBinaryMediaTypes(restApi, op, rest);
  if (head === 'endpointConfiguration') return patchEndpointConfiguration(restApi.endpointConfiguration, op, rest);
  if (rest.length > 0) throw invalidPatchPath(op);
  switch (head) {
    case 'name':
      replaceOnly(op);
      if (!op.value) throw badRequest('The REST API name must not be empty');
      restApi.name = op.value;
      return;
    case 'description':
    case 'version':
    case 'policy':
      return setOptional(restApi, head, op);
    case 'apiKeySource':
      replaceOnly(op);
      if (!(API_KEY_SOURCES as readonly string[]).includes(op.value ?? '')) {
        throw badRequest(`Invalid API key source specified. Valid options are ${API_KEY_SOURCES.join(',')}`);
      }
      restApi.apiKeySource = op.value as ApiKeySourceType;
      return;
    case 'minimumCompressionSize':
      replaceOnly(op);
      if (op.value === undefined || op.value === '') {
        delete restApi.minimumCompressionSize;
        return;
      }
      if (!/^-?\d{1,10}$/.test(op.value)) checkCompressionSize(Number.NaN);
      checkCompressionSize(Number(op.value));
      restApi.minimumCompressionSize = Number(op.value);
      return;
    case 'disableExecuteApiEndpoint':
      replaceOnly(op);
      restApi.disableExecuteApiEndpoint = patchBoolean(op);
      return;
    default:
      throw invalidPatchPath(op);
  }
}

/** `/binaryMediaTypes/image~1png`: add, remove, or replace it with `value`. */
function patchBinaryMediaTypes(restApi: RestApi, op: PatchOperation, rest: string[]): void {
  if (rest.length !== 1 || rest[0] === '') throw invalidPatchPath(op);
  const type = rest[0]!;
  const types = restApi.binaryMediaTypes.filter((t) => t !== type);
  switch (op.op) {
    case 'add':
      restApi.binaryMediaTypes = [...types, type];
      return;
    case 'remove':
      restApi.binaryMediaTypes = types;
      return;
    case 'replace':
      if (!op.value) throw badRequest(`Invalid null or empty value in ${op.path}`);
      restApi.binaryMediaTypes = [...types.filter((t) => t !== op.value), op.value];
      return;
    default:
      throw onlyOps('add, remove, replace');
  }
}

function patchEndpointConfiguration(config: EndpointConfigurationWithIp, op: PatchOperation, rest: string[]): void {
  const [member, item] = rest;
  if (member === 'types' && rest.length <= 2) {
    if (op.op !== 'add' && op.op !== 'remove' && op.op !== 'replace') {
      throw badRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'");
    }
    if (op.op === 'remove') {
      const gone = item !== undefined && !/^\d+$/.test(item) ? item : op.value;
      config.types = config.types.filter((t, i) => t !== gone && String(i) !== item);
      return;
    }
    if (!(ENDPOINT_TYPES as readonly string[]).includes(op.value ?? '')) {
      throw badRequest(`Invalid EndpointTypes specified. Valid options are ${['REGIONAL', 'EDGE', 'PRIVATE'].join(',')}`);
    }
    const value = op.value as EndpointType;
    if (op.op === 'add') {
      if (!config.types.includes(value)) config.types = [...config.types, value];
      return;
    }
    // The path names the type (or position) being replaced; an API has exactly one.
    const index = item === undefined ? 0 : /^\d+$/.test(item) ? Number(item) : config.types.indexOf(item as EndpointType);
    if (index < 0 || index >= Math.max(config.types.length, 1)) throw invalidPatchPath(op);
    const types = [...config.types];
    types[index] = value;
    config.types = types;
    return;
  }
  if (member === 'ipAddressType' && rest.length === 1) {
    replaceOnly(op);
    if (!(IP_ADDRESS_TYPES as readonly string[]).includes(op.value ?? '')) throw badRequest('ipAddressType must be either ipv4 or dualstack.');
    config.ipAddressType = op.value as IpAddressType;
    return;
  }
  if (member === 'vpcEndpointIds' && rest.length === 1) {
    const ids = (op.value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const current = config.vpcEndpointIds ?? [];
    if (op.op === 'add') config.vpcEndpointIds = [...current, ...ids.filter((id) => !current.includes(id))];
    else if (op.op === 'remove') config.vpcEndpointIds = ids.length === 0 ? [] : current.filter((id) => !ids.includes(id));
    else if (op.op === 'replace') config.vpcEndpointIds = ids;
    else throw onlyOps('add, remove, replace');
    if (config.vpcEndpointIds.length === 0) delete config.vpcEndpointIds;
    return;
  }
  throw invalidPatchPath(op);
}
