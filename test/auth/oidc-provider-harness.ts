/**
 * A real OpenID provider (the `oidc-provider` package) on an ephemeral 127.0.0.1 port, for the
 * JWT verification tests: it serves discovery and JWKS, issues ID tokens through its own IdToken
 * model and access tokens through a real client_credentials request to its token endpoint, and
 * counts the discovery and JWKS requests it answers. It can be restarted on the same port with a
 * new key set and stopped outright. Importing this module starts nothing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

export type SigningAlg = 'RS256' | 'PS256' | 'ES256';

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Private JWK handed to the provider; it publishes only the public half. */
  privateJwk: JWK;
}

/** Client ids registered with every provider, by the algorithm their ID tokens are signed with. */
export const CLIENTS = { RS256: 'portico-rs', PS256: 'portico-ps', ES256: 'portico-es' } as const;
export const CLIENT_SECRET = 'portico-client-secret';
export const RESOURCE = 'https://api.portico.test';
export const RESOURCE_SCOPES = 'pets.read pets.write pets.admin';

export interface ProviderOptions {
  keys: SigningKey[];
  /** Builds the issuer from the origin (http://127.0.0.1:port); the origin itself by default. */
  issuer?: (origin: string) => string;
  /** Claims added to every access token, e.g. Cognito's `token_use`. */
  accessTokenClaims?: Record<string, unknown>;
  accessTokenAlg?: SigningAlg;
}

export interface RunningProvider {
  readonly origin: string;
  readonly issuer: string;
  readonly jwksUrl: string;
  /** Requests answered since start: JWKS and discovery documents. */
  readonly hits: { jwks: number; discovery: number };
  issueIdToken(options?: {
    alg?: SigningAlg;
    sub?: string;
    claims?: Record<string, unknown>;
    /** Epoch seconds; may be in the past. */
    expiresAt?: number;
  }): Promise<string>;
  /** A real client_credentials grant for the RS256 client; signed with `accessTokenAlg`. */
  issueAccessToken(options: { scope: string }): Promise<string>;
  /** Stops the provider and starts a new one with `keys` on the same port and issuer. */
  restart(keys: SigningKey[]): Promise<void>;
  stop(): Promise<void>;
}

interface OidcClient {
  readonly clientId: string;
}

interface IdTokenModel {
  scope?: string;
  set(name: string, value: unknown): void;
  issue(options: { use: 'idtoken'; expiresAt?: number }): Promise<string>;
}

interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  Client: { find(id: string): Promise<OidcClient | undefined> };
  IdToken: new (available: Record<string, unknown>, options: { client: OidcClient }) => IdTokenModel;
}

type OidcProviderClass = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

export async function generateSigningKey(alg: SigningAlg, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  // No `alg` in the JWK: one RSA key then serves both RS256 and PS256, as in many real key sets.
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, use: 'sig' };
  return { kid, alg, privateKey, publicKey, privateJwk };
}

async function loadProviderClass(): Promise<OidcProviderClass> {
  // The package ships no type declarations; the specifier is a variable so it loads untyped.
  const specifier = 'oidc-provider';
  const mod = (await import(specifier)) as { default: OidcProviderClass };
  return mod.default;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startOidcProvider(options: ProviderOptions): Promise<RunningProvider> {
  const Provider = await loadProviderClass();
  const hits = { jwks: 0, discovery: 0 };
  let provider: OidcProvider | undefined;
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

  const newServer = (): Server =>
    createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/jwks') hits.jwks++;
      if (path === '/.well-known/openid-configuration') hits.discovery++;
      if (handler) handler(req, res);
      else res.writeHead(503).end();
    });

  let server = newServer();
  const port = await listen(server, 0);
  const origin = `http://127.0.0.1:${port}`;
  const issuer = options.issuer ? options.issuer(origin) : origin;

  const configure = (keys: SigningKey[]): OidcProvider => {
    const accessTokenAlg = options.accessTokenAlg ?? 'RS256';
    const p = new Provider(issuer, {
      jwks: { keys: keys.map((k) => k.privateJwk) },
      clients: (Object.entries(CLIENTS) as [SigningAlg, string][]).map(([alg, clientId]) => ({
        client_id: clientId,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        id_token_signed_response_alg: alg,
      })),
      cookies: { keys: ['portico-test-cookie-key'] },
      ttl: { IdToken: 3600, ClientCredentials: 600, AccessToken: 600 },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: RESOURCE_SCOPES,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
            jwt: { sign: { alg: accessTokenAlg } },
          }),
        },
      },
      extraTokenClaims: () => options.accessTokenClaims ?? {},
    });
    return p;
  };

  provider = configure(options.keys);
  handler = provider.callback();

  const current = (): OidcProvider => {
    if (!provider) throw new Error('provider is stopped');
    return provider;
  };

  return {
    origin,
    issuer,
    jwksUrl: `${origin}/jwks`,
    hits,

    async issueIdToken({ alg = 'RS256', sub = 'user-1', claims = {}, expiresAt } = {}) {
      const p = current();
      const client = await p.Client.find(CLIENTS[alg]);
      if (!client) throw new Error(`client ${CLIENTS[alg]} not found`);
      const token = new p.IdToken({ sub }, { client });
      token.scope = 'openid';
      for (const [name, value] of Object.entries(claims)) token.set(name, value);
      return token.issue({ use: 'idtoken', ...(expiresAt === undefined ? {} : { expiresAt }) });
    },

    async issueAccessToken({ scope }) {
      current();
      const res = await fetch(`${origin}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${CLIENTS.RS256}:${CLIENT_SECRET}`).toString('base64')}`,
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: RESOURCE }).toString(),
      });
      const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
      if (res.status !== 200 || typeof body.access_token !== 'string') {
        throw new Error(`token endpoint: HTTP ${res.status} ${body.error ?? ''} ${body.error_description ?? ''}`);
      }
      return body.access_token;
    },

    async restart(keys) {
      handler = undefined;
      provider = undefined;
      await close(server);
      server = newServer();
      await listen(server, port);
      provider = configure(keys);
      handler = provider.callback();
    },

    async stop() {
      handler = undefined;
      provider = undefined;
      await close(server);
    },
  };
}
