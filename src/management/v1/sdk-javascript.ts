/**
 * The JavaScript client SDK GetSdk hands out for a stage: a ZIP holding `apigClient.js` and a
 * README, generated from the stage's deployed snapshot. The client keeps the calling
 * convention of API Gateway's own JavaScript SDK — `apigClientFactory.newClient(config)`, one
 * method per resource and HTTP method named from the path (`petsPetIdGet`), each taking
 * `(params, body, additionalParams)` and returning a promise — but is one self-contained file:
 * requests go through `fetch` and optional SigV4 signing through Web Crypto, where AWS's SDK
 * bundles axios, CryptoJS and url-template.
 */
import type { HttpMethod, Method, RestApiDocument } from '../../model/rest-api.js';
import { HTTP_METHODS } from '../../model/rest-api.js';
import { writeZip } from './zip-writer.js';

/** The folder the archive unpacks into, the one AWS's JavaScript SDK archive uses. */
export const SDK_FOLDER = 'apiGateway-js-sdk';

export interface JavaScriptSdkInput {
  /** The deployed snapshot the client is generated from. */
  document: RestApiDocument;
  deploymentId: string;
  /** When the deployment was made, epoch seconds; also the archive entries' time. */
  deployedAt: number;
  stageName: string;
  /** The stage's invoke URL without a trailing slash, baked into the client. */
  invokeUrl: string;
  /** The region signed requests are scoped to unless the caller names another. */
  region: string;
}

/** One generated client method: what it sends and which of its parameters must be given. */
export interface SdkOperation {
  name: string;
  method: Exclude<HttpMethod, 'ANY'>;
  /** The resource path with `{label}` placeholders, e.g. `/pets/{petId}`. */
  path: string;
  pathParams: string[];
  query: string[];
  headers: string[];
  required: string[];
}

/**
 * The client method name AWS gives a resource and HTTP method: the path's words camel-cased
 * (path parameters count as words, punctuation separates them), `root` for `/`, then the
 * method, e.g. `/pets/{petId}` GET → `petsPetIdGet`, `/{a}/{b}/{op}` GET → `aBOpGet`.
 */
export function sdkMethodName(path: string, httpMethod: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const head =
    words.length === 0
      ? 'root'
      : words.map((w, i) => (i === 0 ? w[0]!.toLowerCase() : w[0]!.toUpperCase()) + w.slice(1)).join('');
  const name = head + httpMethod[0]!.toUpperCase() + httpMethod.slice(1).toLowerCase();
  // A path starting with a digit would not make an identifier; the prefix keeps it callable with dot syntax.
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

const PARAMETER = /^method\.request\.(path|querystring|multivaluequerystring|header|multivalueheader)\.(.+)$/;

function operationOf(path: string, verb: Exclude<HttpMethod, 'ANY'>, method: Method, name: string): SdkOperation {
  // Path parameters come from the path itself: every one must be filled to build the URL, declared or not.
  const pathParams = [...path.matchAll(/\{([^}]+?)\+?\}/g)].map((m) => m[1]!);
  const query = new Set<string>();
  const headers = new Set<string>();
  const required = new Set<string>(pathParams);
  for (const [key, isRequired] of Object.entries(method.requestParameters ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const match = PARAMETER.exec(key);
    if (!match) continue;
    const [, location, parameter] = match as unknown as [string, string, string];
    if (location === 'querystring' || location === 'multivaluequerystring') query.add(parameter);
    else if (location === 'header' || location === 'multivalueheader') headers.add(parameter);
    else continue;
    if (isRequired === true) required.add(parameter);
  }
  return { name, method: verb, path, pathParams, query: [...query], headers: [...headers], required: [...required] };
}

/**
 * The client's methods, by path then HTTP method. ANY methods are left out, as AWS leaves
 * them out: a client method needs one concrete verb. Names that two paths would share (`/a-b`
 * and `/aB`) get a number on the later one so that neither method is lost.
 */
export function sdkOperations(document: RestApiDocument): SdkOperation[] {
  const resources = Object.values(document.resources).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const taken = new Set<string>();
  const out: SdkOperation[] = [];
  for (const resource of resources) {
    for (const verb of HTTP_METHODS) {
      const method = resource.resourceMethods[verb];
      if (!method || verb === 'ANY') continue;
      const base = sdkMethodName(resource.path, verb);
      let name = base;
      for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
      taken.add(name);
      out.push(operationOf(resource.path, verb, method, name));
    }
  }
  return out;
}

/** Text on one line: a name with line breaks would break a heading or a comment. */
const oneLine = (text: string): string => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');

/** Text safe inside a `/* … *\/` comment and on one line. */
const commentText = (text: string): string => oneLine(text).replace(/\*\//g, '*\\/');

/** A JSON literal that is also a JavaScript literal in every engine (line separators escaped). */
const literal = (value: unknown): string => JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

function describeParameters(op: SdkOperation): string {
  const described = [
    ...op.pathParams.map((p) => `${p} (path, required)`),
    ...op.query.map((p) => `${p} (query${op.required.includes(p) ? ', required' : ''})`),
    ...op.headers.filter((p) => !op.query.includes(p)).map((p) => `${p} (header${op.required.includes(p) ? ', required' : ''})`),
  ];
  return described.length === 0 ? 'none' : described.join(', ');
}

/**
 * What every generated client shares: settings, request building, SigV4 and the fetch call.
 * Written without template literals so it can live in this raw string unchanged.
 */
const RUNTIME = String.raw`
  const SIGNING_ALGORITHM = 'AWS4-HMAC-SHA256';
  const SIGNING_SERVICE = 'execute-api';

  function clientSettings(config) {
    const c = config || {};
    const text = function (value) { return typeof value === 'string' ? value : ''; };
    return {
      accessKey: text(c.accessKey),
      secretKey: text(c.secretKey),
      sessionToken: text(c.sessionToken),
      region: text(c.region) || DEFAULT_REGION,
      apiKey: present(c.apiKey) && c.apiKey !== '' ? String(c.apiKey) : undefined,
      defaultContentType: text(c.defaultContentType) || 'application/json',
      defaultAcceptType: text(c.defaultAcceptType) || 'application/json',
      fetch: typeof c.fetch === 'function' ? c.fetch : function (url, init) { return root.fetch(url, init); },
    };
  }

  function present(value) {
    return value !== undefined && value !== null;
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters, as SigV4 expects. */
  function encodeRfc3986(value) {
    return encodeURIComponent(value).replace(/[!'()*]/g, function (c) {
      return '%' + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }

  function textOf(value) {
    if (typeof value === 'string') return value;
    if (typeof value === 'object') return JSON.stringify(value);
    return String(value);
  }

  /** A parameter's values as strings: arrays give one value per element (multi-value parameters). */
  function valuesOf(value) {
    return (Array.isArray(value) ? value : [value]).filter(present).map(textOf);
  }

  function setHeader(headers, name, value) {
    const lower = name.toLowerCase();
    for (const existing of Object.keys(headers)) {
      if (existing.toLowerCase() === lower) delete headers[existing];
    }
    headers[name] = value;
  }

  /** Fills {name} and greedy {name+} placeholders; a greedy value keeps its slashes. */
  function expandPath(template, params) {
    return template.replace(/\{([^}]+)\}/g, function (whole, label) {
      const greedy = label.charAt(label.length - 1) === '+';
      const value = textOf(params[greedy ? label.slice(0, -1) : label]);
      return greedy ? value.split('/').map(encodeRfc3986).join('/') : encodeRfc3986(value);
    });
  }

  /** The body as fetch sends it: strings and bytes as they are, anything else as JSON. */
  function requestBody(method, body) {
    if (method === 'GET' || method === 'HEAD' || !present(body)) return undefined;
    if (typeof body === 'string') return body;
    if (body instanceof ArrayBuffer) return new Uint8Array(body);
    if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    return JSON.stringify(body);
  }

  function utf8(text) {
    return new TextEncoder().encode(text);
  }

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  async function hmac(subtle, key, text) {
    const cryptoKey = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await subtle.sign('HMAC', cryptoKey, utf8(text)));
  }

  function comparePairs(a, b) {
    if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
    if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
    return 0;
  }

  /** Adds AWS Signature Version 4 headers for the execute-api service. */
  async function sign(settings, method, url, query, headers, payload) {
    const subtle = root.crypto && root.crypto.subtle;
    if (!subtle) throw new Error('Signing requests needs Web Crypto (crypto.subtle); browsers offer it on https pages only');
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const day = amzDate.slice(0, 8);
    setHeader(headers, 'x-amz-date', amzDate);
    if (settings.sessionToken !== '') setHeader(headers, 'x-amz-security-token', settings.sessionToken);
    const canonical = { host: url.host };
    for (const name of Object.keys(headers)) canonical[name.toLowerCase()] = String(headers[name]).replace(/\s+/g, ' ').trim();
    const names = Object.keys(canonical).sort();
    const canonicalRequest = [
      method,
      url.pathname.split('/').map(encodeRfc3986).join('/'),
      query.map(function (p) { return [encodeRfc3986(p[0]), encodeRfc3986(p[1])]; }).sort(comparePairs)
        .map(function (p) { return p[0] + '=' + p[1]; }).join('&'),
      names.map(function (n) { return n + ':' + canonical[n] + '\n'; }).join(''),
      names.join(';'),
      hex(await subtle.digest('SHA-256', typeof payload === 'string' ? utf8(payload) : payload || new Uint8Array(0))),
    ].join('\n');
    const scope = day + '/' + settings.region + '/' + SIGNING_SERVICE + '/aws4_request';
    const stringToSign = [SIGNING_ALGORITHM, amzDate, scope, hex(await subtle.digest('SHA-256', utf8(canonicalRequest)))].join('\n');
    let key = utf8('AWS4' + settings.secretKey);
    for (const part of [day, settings.region, SIGNING_SERVICE, 'aws4_request']) key = await hmac(subtle, key, part);
    const signature = hex(await hmac(subtle, key, stringToSign));
    setHeader(headers, 'Authorization', SIGNING_ALGORITHM + ' Credential=' + settings.accessKey + '/' + scope +
      ', SignedHeaders=' + names.join(';') + ', Signature=' + signature);
  }

  /** Response bodies are read as text and parsed when they are JSON. */
  function responseData(text) {
    if (text === '') return text;
    try {
      return JSON.parse(text);
    } catch (err) {
      return text;
    }
  }

  async function invoke(settings, operation, params, body, additionalParams) {
    const values = params || {};
    const extra = additionalParams || {};
    const missing = operation.required.filter(function (name) { return !present(values[name]); });
    if (missing.length > 0) throw new TypeError('Missing required parameter' + (missing.length > 1 ? 's: ' : ': ') + missing.join(', '));

    const query = [];
    for (const name of operation.query) {
      for (const value of valuesOf(values[name])) query.push([name, value]);
    }
    const extraQuery = extra.queryParams || {};
    for (const name of Object.keys(extraQuery)) {
      for (const value of valuesOf(extraQuery[name])) query.push([name, value]);
    }

    const headers = {};
    const payload = requestBody(operation.method, body);
    setHeader(headers, 'Accept', settings.defaultAcceptType);
    if (payload !== undefined) setHeader(headers, 'Content-Type', settings.defaultContentType);
    const addHeaders = function (names, source) {
      for (const name of names) {
        const list = valuesOf(source[name]);
        if (list.length > 0) setHeader(headers, name, list.join(','));
      }
    };
    addHeaders(operation.headers, values);
    addHeaders(Object.keys(extra.headers || {}), extra.headers || {});
    if (settings.apiKey !== undefined) setHeader(headers, 'x-api-key', settings.apiKey);

    const search = query.map(function (p) { return encodeRfc3986(p[0]) + '=' + encodeRfc3986(p[1]); }).join('&');
    const url = new URL(INVOKE_URL + expandPath(operation.path, values) + (search === '' ? '' : '?' + search));
    if (settings.accessKey !== '' && settings.secretKey !== '') await sign(settings, operation.method, url, query, headers, payload);

    const init = { method: operation.method, headers: headers };
    if (payload !== undefined) init.body = payload;
    if (extra.signal) init.signal = extra.signal;
    const response = await settings.fetch(url.href, init);
    const responseHeaders = {};
    response.headers.forEach(function (value, name) { responseHeaders[name] = value; });
    const result = {
      status: response.status,
      statusText: response.statusText,
      headers: responseHeaders,
      data: responseData(await response.text()),
    };
    if (response.status >= 200 && response.status < 300) return result;
    const error = new Error('Request failed with status code ' + response.status);
    error.status = result.status;
    error.statusText = result.statusText;
    error.headers = result.headers;
    error.data = result.data;
    error.response = result;
    throw error;
  }
`;

function clientSource(input: JavaScriptSdkInput, operations: SdkOperation[]): string {
  const api = input.document.restApi;
  const deployed = new Date(input.deployedAt * 1000).toISOString();
  const table = operations
    .map((op) => {
      const spec = { method: op.method, path: op.path, query: op.query, headers: op.headers, required: op.required };
      return `    ${literal(op.name)}: ${literal(spec)},`;
    })
    .join('\n');
  const methods = operations
    .map((op) =>
      [
        '    /**',
        `     * ${commentText(`${op.method} ${op.path}`)}`,
        `     * params: ${commentText(describeParameters(op))}`,
        '     */',
        `    apigClient.${op.name} = function (params, body, additionalParams) {`,
        `      return invoke(settings, OPERATIONS.${op.name}, params, body, additionalParams);`,
        '    };',
      ].join('\n'),
    )
    .join('\n\n');
  return `/*
 * apigClient.js: a client for the REST API ${commentText(`"${api.name}" (${api.id}), stage "${input.stageName}"`)}.
 * Generated from deployment ${commentText(input.deploymentId)} of ${deployed}; deploy again and download a
 * new copy to pick up later changes to the API.
 *
 * Self-contained: it needs fetch and, for signed requests only, Web Crypto (crypto.subtle), both
 * built into current browsers and Node.js 20 and later. Load it with a <script> tag (it defines
 * apigClientFactory) or require/import it from Node.js; README.md shows both.
 */
(function (root) {
  'use strict';

  /** The stage's invoke URL; each method appends its resource path. */
  const INVOKE_URL = ${literal(input.invokeUrl)};
  /** The region signed requests are scoped to unless newClient is given one. */
  const DEFAULT_REGION = ${literal(input.region)};

  /** The API's methods: verb, resource path, modeled query and header parameters, required ones. */
  const OPERATIONS = {
${table}
  };
${RUNTIME}
  function newClient(config) {
    const settings = clientSettings(config);
    const apigClient = {};

${methods}

    return apigClient;
  }

  const apigClientFactory = { newClient: newClient };
  if (typeof module === 'object' && module !== null && typeof module.exports === 'object') {
    module.exports = { apigClientFactory: apigClientFactory };
  } else {
    root.apigClientFactory = apigClientFactory;
  }
})(typeof globalThis !== 'undefined' ? globalThis : this);
`;
}

function readmeSource(input: JavaScriptSdkInput, operations: SdkOperation[]): string {
  const api = { ...input.document.restApi, name: oneLine(input.document.restApi.name) };
  const list =
    operations.length === 0
      ? '_This deployment has no methods a client can call by verb (ANY methods are not generated)._'
      : operations.map((op) => `- \`${op.name}\` — \`${op.method} ${op.path}\`; params: ${describeParameters(op)}`).join('\n');
  return `# JavaScript client for ${api.name}

This folder holds \`apigClient.js\`, a client for the REST API **${api.name}** (\`${api.id}\`) as it
was deployed to the stage **${input.stageName}** (deployment \`${input.deploymentId}\`). Requests go
to:

    ${input.invokeUrl}

The client describes one deployment. After changing and redeploying the API, download a new
copy.

## Loading it

The file has no dependencies. It needs \`fetch\`, and Web Crypto (\`crypto.subtle\`) if you sign
requests; current browsers and Node.js 20 or later have both.

In a web page:

\`\`\`html
<script src="apigClient.js"></script>
<script>
  const apigClient = apigClientFactory.newClient();
</script>
\`\`\`

The API's methods must answer CORS requests from your page's origin for a browser to let the
page read their responses.

In Node.js (CommonJS):

\`\`\`js
const { apigClientFactory } = require('./apigClient.js');
const apigClient = apigClientFactory.newClient();
\`\`\`

From an ES module, \`import { apigClientFactory } from './apigClient.js'\` works as long as the
nearest \`package.json\` does not declare \`"type": "module"\`; otherwise rename the file to
\`apigClient.cjs\`.

## Configuration

\`newClient(config)\` takes an optional object:

| Setting | Meaning |
| --- | --- |
| \`apiKey\` | Sent as the \`x-api-key\` header on every request. |
| \`accessKey\`, \`secretKey\`, \`sessionToken\` | AWS credentials. When both keys are given, every request is signed with Signature Version 4 for the \`execute-api\` service. |
| \`region\` | The region signatures are scoped to; default \`${input.region}\`. |
| \`defaultContentType\` | Content-Type of request bodies; default \`application/json\`. |
| \`defaultAcceptType\` | Accept header; default \`application/json\`. |
| \`fetch\` | A \`fetch\` function to use instead of the global one. |

## Calling the API

There is one method per resource and HTTP method. Its name is the resource path in camel case,
path parameters included, followed by the HTTP method; the root resource is \`root\`. So
\`GET /pets/{petId}\` is \`petsPetIdGet\`.

\`\`\`js
const result = await apigClient.petsPetIdGet(
  { petId: '42', type: 'cat' },              // path, query and header parameters by name
  undefined,                                 // the request body (ignored for GET and HEAD)
  { headers: { 'x-extra': '1' }, queryParams: { debug: 'true' } }, // anything not modeled
);
console.log(result.status, result.data);
\`\`\`

- \`params\` fills the path parameters and the query string and header parameters the method
  declares. An array gives a repeated query parameter or a comma-separated header. Required
  parameters must be present, or the call is rejected before anything is sent.
- \`body\` is sent as it is when it is a string or bytes, and as JSON otherwise.
- \`additionalParams.headers\` and \`additionalParams.queryParams\` add parameters the API does
  not declare; \`additionalParams.signal\` is an \`AbortSignal\` to cancel the request.

Each method returns a promise. It resolves for a 2xx answer with \`{ status, statusText,
headers, data }\`, where \`data\` is the parsed JSON body, or the text when the body is not JSON.
Any other status rejects with an \`Error\` that carries the same \`status\`, \`headers\` and
\`data\` (also as \`error.response\`). Failed requests are not retried.

## Methods

${list}

## How it differs from API Gateway's own JavaScript SDK

The calling convention is the same: \`apigClientFactory.newClient(config)\`, the method names, and
\`(params, body, additionalParams)\`. The differences:

- It is one file. AWS's archive adds axios, CryptoJS and url-template under \`lib/\`; this one
  uses \`fetch\` and Web Crypto instead.
- Only required parameters are checked before a call; optional ones may be left out.
- Promises resolve with \`{ status, statusText, headers, data }\` and reject with an \`Error\`
  carrying the same members.
- Methods declared as ANY have no client method, as with AWS.
`;
}

/** The archive GetSdk answers for `javascript`: `apiGateway-js-sdk/apigClient.js` and its README. */
export function generateJavaScriptSdk(input: JavaScriptSdkInput): Promise<Buffer> {
  const operations = sdkOperations(input.document);
  const modified = new Date(input.deployedAt * 1000);
  return writeZip([
    { name: `${SDK_FOLDER}/apigClient.js`, data: clientSource(input, operations), modified },
    { name: `${SDK_FOLDER}/README.md`, data: readmeSource(input, operations), modified },
  ]);
}
