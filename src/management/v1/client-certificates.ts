/**
 * apigateway (v1) client certificates: GenerateClientCertificate, GetClientCertificate,
 * GetClientCertificates, UpdateClientCertificate and DeleteClientCertificate. Each is a real
 * self-signed certificate with its own RSA key (client-certificate-generator.ts); the key stays
 * in the store and is never answered. Stages name a certificate by `clientCertificateId`;
 * presenting it on HTTP integrations' TLS connections is the data plane's, which does not yet.
 */
import type { StoreReader } from '../../store/store.js';
import { RECORD_KINDS } from '../../model/usage-plan.js';
import type { ClientCertificate } from '../../model/account-resources.js';
import { randomId } from '../../model/ids.js';
import type { HandlerTable, OperationHandler } from '../operation.js';
import { notFound } from '../errors.js';
import { pageV1 } from '../pagination.js';
import { compact } from './shapes.js';
import { checkTags, limitExceeded, optionalString, sortBy } from './account-common.js';
import { patchOperationsOf, simpleReplace } from './stage-patch-errors.js';
import { generateClientCertificate } from './client-certificate-generator.js';

/** AWS's client certificates per account and region. */
export const MAX_CLIENT_CERTIFICATES = 60;

export async function readClientCertificate(reader: StoreReader, id: string): Promise<ClientCertificate> {
  const certificate = await reader.getRecord<ClientCertificate>(RECORD_KINDS.clientCertificate, id);
  if (!certificate) throw notFound('Invalid Client Certificate identifier specified');
  return certificate;
}

/** The certificate as the wire shows it, without its private key. */
function clientCertificateShape(c: ClientCertificate, alwaysTags: boolean): Record<string, unknown> {
  return {
    ...compact({
      clientCertificateId: c.clientCertificateId,
      description: c.description,
      pemEncodedCertificate: c.pemEncodedCertificate,
      createdDate: c.createdDate,
      expirationDate: c.expirationDate,
    }),
    ...(alwaysTags || Object.keys(c.tags).length > 0 ? { tags: c.tags } : {}),
  };
}

const generate: OperationHandler = async (ctx, req) => {
  const description = optionalString(req.body, 'description');
  const tags = checkTags(req.body.tags);
  if ((await ctx.store.listRecords(RECORD_KINDS.clientCertificate)).length >= MAX_CLIENT_CERTIFICATES) {
    throw limitExceeded(`An account can have at most ${MAX_CLIENT_CERTIFICATES} client certificates`);
  }
  const id = randomId(6);
  // Key generation takes a while; it runs before the transaction, which only checks and stores.
  const generated = await generateClientCertificate(id);
  const certificate: ClientCertificate = {
    clientCertificateId: id,
    description,
    pemEncodedCertificate: generated.pemEncodedCertificate,
    privateKeyPem: generated.privateKeyPem,
    createdDate: generated.notBefore,
    expirationDate: generated.notAfter,
    tags,
  };
  await ctx.store.transaction(async (tx) => {
    if ((await tx.listRecords(RECORD_KINDS.clientCertificate)).length >= MAX_CLIENT_CERTIFICATES) {
      throw limitExceeded(`An account can have at most ${MAX_CLIENT_CERTIFICATES} client certificates`);
    }
    await tx.putRecord(RECORD_KINDS.clientCertificate, id, certificate);
  });
  return { body: clientCertificateShape(certificate, false) };
};

const getClientCertificate: OperationHandler = async (ctx, req) => ({
  body: clientCertificateShape(await readClientCertificate(ctx.store, req.path.clientCertificateId!), true),
});

const getClientCertificates: OperationHandler = async (ctx, req) => {
  const all = sortBy(await ctx.store.listRecords<ClientCertificate>(RECORD_KINDS.clientCertificate), (c) => `${c.createdDate}`.padStart(12, '0') + c.clientCertificateId);
  const page = pageV1(all, req.query);
  return { body: { ...page, item: page.item.map((c) => clientCertificateShape(c, false)) } };
};

const updateClientCertificate: OperationHandler = async (ctx, req) => {
  const ops = patchOperationsOf(req.body.patchOperations, 'updateClientCertificateInput');
  const certificate = await ctx.store.transaction(async (tx) => {
    const updated = structuredClone(await readClientCertificate(tx, req.path.clientCertificateId!));
    for (const op of ops) {
      const { value } = simpleReplace(op, ['/description']);
      updated.description = value === '' ? undefined : value;
    }
    await tx.putRecord(RECORD_KINDS.clientCertificate, updated.clientCertificateId, updated);
    return updated;
  });
  return { body: clientCertificateShape(certificate, true) };
};

const deleteClientCertificate: OperationHandler = async (ctx, req) => {
  await ctx.store.transaction(async (tx) => {
    const certificate = await readClientCertificate(tx, req.path.clientCertificateId!);
    await tx.deleteRecord(RECORD_KINDS.clientCertificate, certificate.clientCertificateId);
  });
  return {};
};

export const CLIENT_CERTIFICATES_HANDLERS: HandlerTable = {
  GenerateClientCertificate: generate,
  GetClientCertificate: getClientCertificate,
  GetClientCertificates: getClientCertificates,
  UpdateClientCertificate: updateClientCertificate,
  DeleteClientCertificate: deleteClientCertificate,
};
