/**
 * Shared test helpers: temporary data directories, a raw HTTP client that controls the exact
 * path and Host header, small backends on ephemeral loopback ports, and handler files.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, createServer, type IncomingHttpHeaders, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export async function tempDir(prefix = 'portico-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  json(): any;
}

/** Sends one request with exactly this path and these headers. */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: options.method ?? 'GET', path: options.path, headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

export async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes a Node handler `index.mjs` into `dir/name` and returns the directory. */
export async function writeHandler(dir: string, name: string, source: string): Promise<string> {
  const codeDirectory = join(dir, name);
  await mkdir(codeDirectory, { recursive: true });
  await writeFile(join(codeDirectory, 'index.mjs'), source);
  return codeDirectory;
}

export const lambdaUri = (name: string): string =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${name}/invocations`;

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The AWS CLI v2 the tests drive (Debian's `awscli`); an `aws` on PATH may be an unrelated v1. */
export const AWS_CLI = '/usr/bin/aws';

/**
 * The skip reason for tests that drive the AWS CLI: off CI a machine without it skips them,
 * saying so; under CI (`.ci/run` sets PORTICO_CI and installs awscli) a missing CLI fails them.
 */
export const awsCliMissing: string | false =
  existsSync(AWS_CLI) || process.env.PORTICO_CI ? false : `the AWS CLI v2 is not installed at ${AWS_CLI} (apt-get install awscli)`;

/** The environment the CLI runs in: the local test credentials, no pager, and `home` for its files. */
export function awsCliEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}
