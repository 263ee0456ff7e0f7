/**
 * Dispatch: which API and stage a request is for, from its Host header and path.
 *
 * Two invoke URL forms reach the same stage:
 *   host style  http://{apiId}.execute-api.localhost:4566/{stage}/{path}
 *   path style  http://localhost:4566/_aws/execute-api/{apiId}/{stage}/{path}
 * Leading slashes before and after the stage are collapsed as AWS does; slashes inside the
 * resource path are kept (a greedy `{proxy+}` sees them).
 */

export interface InvokeTarget {
  apiId: string;
  stageName: string;
  /** The resource path after the stage, starting with '/', e.g. `/pets/1`. Still percent-encoded. */
  path: string;
  /** The raw query string without '?', or '' when absent. */
  rawQuery: string;
  /** What AWS reports as `requestContext.path`: `/{stage}/{path as sent}`. */
  requestPath: string;
}

const PATH_STYLE_PREFIX = '/_aws/execute-api/';
const HOST_STYLE = /^([a-z0-9]{10})\.execute-api\./;

/** Resolves the target of a data-plane request, or undefined when it names no API. */
export function resolveInvokeTarget(host: string | undefined, url: string): InvokeTarget | undefined {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q + 1);

  let apiId: string;
  let afterApi: string;
  const hostMatch = host ? HOST_STYLE.exec(host) : null;
  if (hostMatch) {
    apiId = hostMatch[1]!;
    afterApi = pathname;
  } else if (pathname.startsWith(PATH_STYLE_PREFIX)) {
    const rest = pathname.slice(PATH_STYLE_PREFIX.length);
    const slash = rest.indexOf('/');
    apiId = slash === -1 ? rest : rest.slice(0, slash);
    afterApi = slash === -1 ? '' : rest.slice(slash);
  } else {
    return undefined;
  }
  if (apiId === '') return undefined;

  const stageAndPath = stripLeadingSlashes(afterApi);
  const slash = stageAndPath.indexOf('/');
  const stageName = slash === -1 ? stageAndPath : stageAndPath.slice(0, slash);
  if (stageName === '') return undefined;
  const path = '/' + (slash === -1 ? '' : stripLeadingSlashes(stageAndPath.slice(slash)));
  return { apiId, stageName, path, rawQuery, requestPath: '/' + stageAndPath };
}

function stripLeadingSlashes(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) === 47 /* '/' */) i++;
  return i === 0 ? s : s.slice(i);
}
