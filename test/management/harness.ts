/**
 * A real Portico on an ephemeral loopback port with the real AWS SDK v3 management clients
 * pointed at it (signed with the loopback default pair), for the management API tests.
 */
import assert from 'node:assert/strict';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client } from '@aws-sdk/client-apigatewayv2';
import { Portico } from '../../src/portico.js';
import { tempDir } from '../helpers.js';

export interface ManagementHarness {
  portico: Portico;
  endpoint: string;
  v1: APIGatewayClient;
  v2: ApiGatewayV2Client;
  close(): Promise<void>;
}

export async function startManagement(): Promise<ManagementHarness> {
  const dir = await tempDir('portico-mgmt-');
  const portico = await Portico.start({ port: 0, dataDir: dir.path });
  const endpoint = `http://127.0.0.1:${portico.port}`;
  const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  const v1 = new APIGatewayClient(config);
  const v2 = new ApiGatewayV2Client(config);
  return {
    portico,
    endpoint,
    v1,
    v2,
    async close() {
      v1.destroy();
      v2.destroy();
      await portico.close();
      await dir.remove();
    },
  };
}

export type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

/** Awaits a call that must fail with this error name (and message, when given); returns the error. */
export async function rejectsWith(promise: Promise<unknown>, name: string, message?: string | RegExp): Promise<SdkError> {
  try {
    await promise;
  } catch (err) {
    const e = err as SdkError;
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${name}, but the call succeeded`);
}
