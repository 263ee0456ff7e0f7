/**
 * The documentable entities of a REST API as documentation locations: the API, its resources,
 * methods, request parameters and bodies, method responses with their headers and bodies, its
 * authorizers and models. GetDocumentationParts with `locationStatus=UNDOCUMENTED` answers the
 * ones no part describes yet, as parts that have a location and no content.
 */
import type { DocumentationPartLocation, RestApiDocument } from '../../model/rest-api.js';

const REQUEST_PARAMETER_TYPES: Record<string, DocumentationPartLocation['type']> = {
  path: 'PATH_PARAMETER',
  querystring: 'QUERY_PARAMETER',
  multivaluequerystring: 'QUERY_PARAMETER',
  header: 'REQUEST_HEADER',
  multivalueheader: 'REQUEST_HEADER',
};

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Every entity of the API, in a stable order: API, resources by path, then authorizers and models. */
export function documentableLocations(doc: RestApiDocument): DocumentationPartLocation[] {
  const out: DocumentationPartLocation[] = [{ type: 'API' }];
  const resources = Object.values(doc.resources).sort((a, b) => byText(a.path, b.path));
  for (const resource of resources) {
    const path = resource.path;
    out.push({ type: 'RESOURCE', path });
    const methods = Object.entries(resource.resourceMethods).sort(([a], [b]) => byText(a, b));
    for (const [method, m] of methods) {
      if (!m) continue;
      out.push({ type: 'METHOD', path, method });
      const seen = new Set<string>();
      for (const key of Object.keys(m.requestParameters).sort(byText)) {
        const match = /^method\.request\.([a-z]+)\.(.+)$/.exec(key);
        const type = match ? REQUEST_PARAMETER_TYPES[match[1]!] : undefined;
        if (!match || !type) continue;
        const location: DocumentationPartLocation = { type, path, method, name: match[2]! };
        const id = `${type}\u0000${location.name}`;
        if (seen.has(id)) continue; // a name both single- and multi-valued is one entity
        seen.add(id);
        out.push(location);
      }
      if (Object.keys(m.requestModels).length > 0) out.push({ type: 'REQUEST_BODY', path, method });
      for (const statusCode of Object.keys(m.methodResponses).sort(byText)) {
        const response = m.methodResponses[statusCode]!;
        out.push({ type: 'RESPONSE', path, method, statusCode });
        for (const key of Object.keys(response.responseParameters).sort(byText)) {
          const match = /^method\.response\.header\.(.+)$/.exec(key);
          if (match) out.push({ type: 'RESPONSE_HEADER', path, method, statusCode, name: match[1]! });
        }
        if (Object.keys(response.responseModels).length > 0) out.push({ type: 'RESPONSE_BODY', path, method, statusCode });
      }
    }
  }
  for (const name of Object.values(doc.authorizers).map((a) => a.name).sort(byText)) out.push({ type: 'AUTHORIZER', name });
  for (const name of Object.keys(doc.models).sort(byText)) out.push({ type: 'MODEL', name });
  return out;
}
