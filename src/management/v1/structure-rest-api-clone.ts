/**
 * CreateRestApi's `cloneFrom`: the structure of an existing REST API copied into a new one.
 * Every part gets a fresh id and every reference between parts (a resource's parent, a method's
 * authorizer and request validator, an integration's default cache namespace, a model's link to
 * another model of the API) is carried over to the copy's ids, so the clone never points back
 * into its source. Deployments and stages belong to the source and are not copied.
 */
import { newResourceId, newShortId } from '../../model/ids.js';
import type { Method, Model, Resource, RestApi, RestApiDocument } from '../../model/rest-api.js';

/** Fresh ids of one kind, unique among themselves, remembered by the id they replace. */
class IdMap {
  private readonly ids = new Map<string, string>();
  private readonly taken = new Set<string>();

  constructor(private readonly fresh: () => string) {}

  of(old: string): string {
    let id = this.ids.get(old);
    if (id === undefined) {
      do id = this.fresh();
      while (this.taken.has(id));
      this.taken.add(id);
      this.ids.set(old, id);
    }
    return id;
  }

  /** The new id of `old` if it was mapped; an id of nothing in the source is kept as it was. */
  known(old: string): string {
    return this.ids.get(old) ?? old;
  }
}

/** A model schema's links to models of its own API (`…/restapis/{id}/models/{name}`). */
function relinkModel(model: Model, sourceId: string, cloneId: string, id: string): Model {
  const copy: Model = { ...model, id };
  if (copy.schema !== undefined) copy.schema = copy.schema.split(`/restapis/${sourceId}/models/`).join(`/restapis/${cloneId}/models/`);
  return copy;
}

function cloneMethod(method: Method, resourceIds: IdMap, oldResourceId: string, authorizers: IdMap, validators: IdMap): Method {
  const copy = structuredClone(method);
  if (copy.authorizerId !== undefined) copy.authorizerId = authorizers.known(copy.authorizerId);
  if (copy.requestValidatorId !== undefined) copy.requestValidatorId = validators.known(copy.requestValidatorId);
  // The cache namespace defaults to the resource's id: a default follows the resource.
  const integration = copy.methodIntegration;
  if (integration?.cacheNamespace === oldResourceId) integration.cacheNamespace = resourceIds.of(oldResourceId);
  return copy;
}

/**
 * The clone of `source` as a new API whose own settings are `restApi` (its id, name, creation
 * date and the settings the caller chose or the source had).
 */
export function cloneRestApiDocument(source: RestApiDocument, restApi: RestApi): RestApiDocument {
  const resourceIds = new IdMap(newResourceId);
  const authorizerIds = new IdMap(newShortId);
  const validatorIds = new IdMap(newShortId);
  const modelIds = new IdMap(newShortId);
  const partIds = new IdMap(newShortId);
  // Map the ids first, so references resolve whatever order the parts are stored in.
  for (const id of Object.keys(source.resources)) resourceIds.of(id);
  for (const id of Object.keys(source.authorizers)) authorizerIds.of(id);
  for (const id of Object.keys(source.requestValidators)) validatorIds.of(id);

  const resources: Record<string, Resource> = {};
  for (const resource of Object.values(source.resources)) {
    const id = resourceIds.of(resource.id);
    const resourceMethods: Resource['resourceMethods'] = {};
    for (const [httpMethod, method] of Object.entries(resource.resourceMethods)) {
      if (!method) continue;
      resourceMethods[httpMethod as keyof Resource['resourceMethods']] = cloneMethod(method, resourceIds, resource.id, authorizerIds, validatorIds);
    }
    resources[id] = {
      id,
      ...(resource.parentId !== undefined ? { parentId: resourceIds.known(resource.parentId) } : {}),
      ...(resource.pathPart !== undefined ? { pathPart: resource.pathPart } : {}),
      path: resource.path,
      resourceMethods,
    };
  }

  const models: RestApiDocument['models'] = {};
  for (const [name, model] of Object.entries(source.models)) models[name] = relinkModel(model, source.restApi.id, restApi.id, modelIds.of(model.id));

  const requestValidators: RestApiDocument['requestValidators'] = {};
  for (const validator of Object.values(source.requestValidators)) {
    const id = validatorIds.of(validator.id);
    requestValidators[id] = { ...validator, id };
  }

  const authorizers: RestApiDocument['authorizers'] = {};
  for (const authorizer of Object.values(source.authorizers)) {
    const id = authorizerIds.of(authorizer.id);
    authorizers[id] = { ...structuredClone(authorizer), id };
  }

  const clone: RestApiDocument = {
    restApi,
    rootResourceId: resourceIds.of(source.rootResourceId),
    resources,
    models,
    requestValidators,
    authorizers,
    gatewayResponses: structuredClone(source.gatewayResponses),
  };
  // Documentation describes the API's parts by path and name, so it applies to the clone as is;
  // documentation versions are published snapshots of the source and stay with it.
  if (source.documentationParts && source.documentationParts.length > 0) {
    clone.documentationParts = source.documentationParts.map((part) => ({ ...structuredClone(part), id: partIds.of(part.id) }));
  }
  return clone;
}
