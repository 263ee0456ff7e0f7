/**
 * The remaining account-level apigateway (v1) families through the real AWS SDK: VPC links
 * (with their PENDING → AVAILABLE provisioning and tags), client certificates (real X.509
 * certificates checked with node:crypto), access associations of private custom domain names,
 * SDK types and model templates (rendered through Portico's VTL engine). Every refused call
 * is checked to have left the store as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { request } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CreateDomainNameAccessAssociationCommand,
  CreateDomainNameCommand,
  CreateModelCommand,
  CreateRestApiCommand,
  CreateVpcLinkCommand,
  DeleteClientCertificateCommand,
  DeleteDomainNameAccessAssociationCommand,
  DeleteDomainNameCommand,
  DeleteVpcLinkCommand,
  GenerateClientCertificateCommand,
  GetClientCertificateCommand,
  GetClientCertificatesCommand,
  GetDomainNameAccessAssociationsCommand,
  GetDomainNameCommand,
  GetModelTemplateCommand,
  GetSdkTypeCommand,
  GetSdkTypesCommand,
  GetTagsCommand,
  GetVpcLinkCommand,
  GetVpcLinksCommand,
  RejectDomainNameAccessAssociationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateClientCertificateCommand,
  UpdateVpcLinkCommand,
} from '@aws-sdk/client-api-gateway';
import { RECORD_KINDS } from '../../src/model/usage-plan.js';
import type { ClientCertificate } from '../../src/model/account-resources.js';
import { MAX_VPC_LINKS, VPC_LINK_PROVISIONING_MS } from '../../src/management/v1/vpc-links.js';
import { MappingTemplate, TemplateContext } from '../../src/mapping/template.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const NLB = (n: number): string => `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb-${n}/0123456789abcdef`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Members of an SDK answer, without the SDK's own metadata. */
const keysOf = (out: object): string[] => Object.keys(out).filter((k) => k !== '$metadata').sort();

/** Renders a mapping template over a JSON body with Portico's VTL engine. */
function render(template: string, body: unknown): string {
  return MappingTemplate.compile(template).render({
    input: { body: JSON.stringify(body), params: { path: {}, querystring: {}, header: {} } },
    context: new TemplateContext({}),
    stageVariables: {},
  });
}

describe('apigateway account-level extras', () => {
  let h: ManagementHarness;
  before(async () => {
    h = await startManagement();
  });
  after(() => h.close());

  const records = (kind: string) => h.portico.store.listRecords<Record<string, unknown>>(kind);

  /** A signed request as the SDK would send it, answering the raw JSON text (to see members the SDK would drop). */
  async function rawCall(method: string, path: string): Promise<{ status: number; text: string }> {
    const url = new URL(h.endpoint);
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      region: 'us-east-1',
      service: 'apigateway',
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method,
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path,
      query: {},
      headers: { host: url.host },
    });
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method, path, headers: signed.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  describe('VPC links', () => {
    async function deleteAllLinks(): Promise<void> {
      for (const link of (await h.v1.send(new GetVpcLinksCommand({ limit: 500 }))).items ?? []) {
        await h.v1.send(new DeleteVpcLinkCommand({ vpcLinkId: link.id }));
      }
    }

    it('creates a link PENDING, which turns AVAILABLE once provisioned', async () => {
      const out = await h.v1.send(new CreateVpcLinkCommand({ name: 'link-a', description: 'to the NLB', targetArns: [NLB(1)] }));
      assert.equal(out.$metadata.httpStatusCode, 202);
      assert.deepEqual(keysOf(out), ['description', 'id', 'name', 'status', 'targetArns']);
      assert.match(out.id!, /^[a-z0-9]{6}$/);
      assert.equal(out.status, 'PENDING');
      assert.deepEqual(out.targetArns, [NLB(1)]);
      const pending = await h.v1.send(new GetVpcLinkCommand({ vpcLinkId: out.id }));
      assert.equal(pending.status, 'PENDING');
      assert.equal(pending.statusMessage, undefined);
      await sleep(VPC_LINK_PROVISIONING_MS + 50);
      const ready = await h.v1.send(new GetVpcLinkCommand({ vpcLinkId: out.id }));
      assert.equal(ready.status, 'AVAILABLE');
      assert.equal(ready.statusMessage, 'Your vpc link is ready for use');
      assert.deepEqual(ready.tags, {});
      assert.equal(ready.description, 'to the NLB');
    });

    it('answers the recorded CreateVpcLink errors, refuses targets that are not one NLB, and stores nothing', async () => {
      const before = (await records(RECORD_KINDS.vpcLink)).length;
      await rejectsWith(h.v1.send(new CreateVpcLinkCommand({ name: '', targetArns: [] })), 'BadRequestException', 'Name cannot be empty');
      await rejectsWith(
        h.v1.send(new CreateVpcLinkCommand({ name: 'bad', targetArns: ['invalid-arn'] })),
        'BadRequestException',
        'Invalid ARN. ARN is not well formed invalid-arn',
      );
      await rejectsWith(h.v1.send(new CreateVpcLinkCommand({ name: 'none', targetArns: [] })), 'BadRequestException', /exactly one target ARN/);
      await rejectsWith(h.v1.send(new CreateVpcLinkCommand({ name: 'two', targetArns: [NLB(1), NLB(2)] })), 'BadRequestException', /exactly one target ARN/);
      const alb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/my-alb/0123456789abcdef';
      await rejectsWith(h.v1.send(new CreateVpcLinkCommand({ name: 'alb', targetArns: [alb] })), 'BadRequestException', /must be a Network Load Balancer/);
      await rejectsWith(h.v1.send(new CreateVpcLinkCommand({ name: 'tags', targetArns: [NLB(1)], tags: { 'aws:x': 'y' } })), 'BadRequestException');
      assert.equal((await records(RECORD_KINDS.vpcLink)).length, before);
    });

    it('answers the recorded NotFoundException for unknown links', async () => {
      const message = 'Invalid Vpc Link identifier specified';
      await rejectsWith(h.v1.send(new GetVpcLinkCommand({ vpcLinkId: 'invalid-id' })), 'NotFoundException', message);
      await rejectsWith(h.v1.send(new DeleteVpcLinkCommand({ vpcLinkId: 'invalid-id' })), 'NotFoundException', message);
      await rejectsWith(
        h.v1.send(new UpdateVpcLinkCommand({ vpcLinkId: 'invalid-id', patchOperations: [{ op: 'replace', path: '/name', value: 'x' }] })),
        'NotFoundException',
        message,
      );
    });

    it('lists links a page at a page, without tags members when there are none', async () => {
      await deleteAllLinks();
      for (const name of ['page-c', 'page-a', 'page-b']) await h.v1.send(new CreateVpcLinkCommand({ name, targetArns: [NLB(1)] }));
      const first = await h.v1.send(new GetVpcLinksCommand({ limit: 2 }));
      assert.deepEqual(first.items!.map((l) => l.name), ['page-a', 'page-b']);
      assert.ok(first.position);
      assert.ok(first.items!.every((l) => l.tags === undefined));
      const second = await h.v1.send(new GetVpcLinksCommand({ limit: 2, position: first.position }));
      assert.deepEqual(second.items!.map((l) => l.name), ['page-c']);
      assert.equal(second.position, undefined);
      await rejectsWith(h.v1.send(new GetVpcLinksCommand({ limit: 0 })), 'BadRequestException');
    });

    it('updates name and description; a bad update changes nothing', async () => {
      const { id } = await h.v1.send(new CreateVpcLinkCommand({ name: 'before', description: 'old', targetArns: [NLB(1)] }));
      const out = await h.v1.send(
        new UpdateVpcLinkCommand({
          vpcLinkId: id,
          patchOperations: [
            { op: 'replace', path: '/name', value: 'after' },
            { op: 'replace', path: '/description', value: 'new' },
          ],
        }),
      );
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.equal(out.name, 'after');
      assert.equal(out.description, 'new');
      assert.deepEqual(out.tags, {});
      await rejectsWith(
        h.v1.send(
          new UpdateVpcLinkCommand({
            vpcLinkId: id,
            patchOperations: [
              { op: 'replace', path: '/name', value: 'half-way' },
              { op: 'replace', path: '/targetArns', value: NLB(2) },
            ],
          }),
        ),
        'BadRequestException',
        /Must be one of: \[\/name, \/description\]/,
      );
      await rejectsWith(h.v1.send(new UpdateVpcLinkCommand({ vpcLinkId: id, patchOperations: [{ op: 'replace', path: '/name', value: '' }] })), 'BadRequestException', 'Name cannot be empty');
      const after = await h.v1.send(new GetVpcLinkCommand({ vpcLinkId: id }));
      assert.equal(after.name, 'after');
      assert.deepEqual(after.targetArns, [NLB(1)]);
      const cleared = await h.v1.send(new UpdateVpcLinkCommand({ vpcLinkId: id, patchOperations: [{ op: 'replace', path: '/description', value: '' }] }));
      assert.equal(cleared.description, undefined);
    });

    it('deletes a link with 202', async () => {
      const { id } = await h.v1.send(new CreateVpcLinkCommand({ name: 'doomed', targetArns: [NLB(1)] }));
      const out = await h.v1.send(new DeleteVpcLinkCommand({ vpcLinkId: id }));
      assert.equal(out.$metadata.httpStatusCode, 202);
      await rejectsWith(h.v1.send(new GetVpcLinkCommand({ vpcLinkId: id })), 'NotFoundException');
    });

    it('tags a link by its ARN, and reads the tags back on the link', async () => {
      const { id, tags } = await h.v1.send(new CreateVpcLinkCommand({ name: 'tagged', targetArns: [NLB(1)], tags: { team: 'a' } }));
      assert.deepEqual(tags, { team: 'a' });
      const arn = `arn:aws:apigateway:us-east-1::/vpclinks/${id}`;
      await h.v1.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'dev' } }));
      assert.deepEqual((await h.v1.send(new GetTagsCommand({ resourceArn: arn }))).tags, { team: 'a', env: 'dev' });
      await h.v1.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team'] }));
      assert.deepEqual((await h.v1.send(new GetVpcLinkCommand({ vpcLinkId: id }))).tags, { env: 'dev' });
      await rejectsWith(h.v1.send(new GetTagsCommand({ resourceArn: 'arn:aws:apigateway:us-east-1::/vpclinks/nope00' })), 'NotFoundException', 'Invalid Vpc Link identifier specified');
    });

    it(`allows at most ${MAX_VPC_LINKS} links`, async () => {
      await deleteAllLinks();
      for (let i = 0; i < MAX_VPC_LINKS; i++) await h.v1.send(new CreateVpcLinkCommand({ name: `many-${i}`, targetArns: [NLB(i)] }));
      await rejectsWith(h.v1.send(new CreateVpcLinkCommand({ name: 'one-too-many', targetArns: [NLB(99)] })), 'LimitExceededException');
      assert.equal((await records(RECORD_KINDS.vpcLink)).length, MAX_VPC_LINKS);
      await deleteAllLinks();
    });
  });

  describe('client certificates', () => {
    it('generates a real self-signed certificate valid for 365 days whose key stays in the store', async () => {
      const out = await h.v1.send(new GenerateClientCertificateCommand({ description: 'for the backend', tags: { team: 'a' } }));
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.deepEqual(keysOf(out), ['clientCertificateId', 'createdDate', 'description', 'expirationDate', 'pemEncodedCertificate', 'tags']);
      const id = out.clientCertificateId!;
      assert.match(id, /^[a-z0-9]{6}$/);
      const cert = new X509Certificate(out.pemEncodedCertificate!);
      assert.match(cert.subject, new RegExp(`CN=${id}`));
      assert.equal(cert.subject, cert.issuer);
      assert.ok(cert.verify(cert.publicKey), 'the certificate is self-signed');
      assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
      const from = new Date(cert.validFrom).getTime();
      const to = new Date(cert.validTo).getTime();
      assert.equal(to - from, 365 * 24 * 60 * 60 * 1000);
      assert.equal(out.createdDate!.getTime(), from);
      assert.equal(out.expirationDate!.getTime(), to);
      assert.ok(Math.abs(from - Date.now()) < 60_000);

      const stored = await h.portico.store.getRecord<ClientCertificate>(RECORD_KINDS.clientCertificate, id);
      assert.ok(stored);
      const privateKey = createPrivateKey(stored.privateKeyPem);
      assert.ok(cert.checkPrivateKey(privateKey), 'the stored key is the certificate\'s');
      assert.equal(
        createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }),
        cert.publicKey.export({ type: 'spki', format: 'pem' }),
      );
      for (const path of [`/clientcertificates/${id}`, '/clientcertificates']) {
        const raw = await rawCall('GET', path);
        assert.equal(raw.status, 200);
        assert.ok(raw.text.includes('BEGIN CERTIFICATE'));
        assert.ok(!/PRIVATE KEY|privateKey/i.test(raw.text), `${path} must not answer the private key`);
      }
    });

    it('gets, lists, updates and deletes certificates', async () => {
      const a = await h.v1.send(new GenerateClientCertificateCommand({}));
      const b = await h.v1.send(new GenerateClientCertificateCommand({ description: 'second' }));
      assert.equal(a.tags, undefined);
      const got = await h.v1.send(new GetClientCertificateCommand({ clientCertificateId: a.clientCertificateId }));
      assert.equal(got.pemEncodedCertificate, a.pemEncodedCertificate);
      assert.deepEqual(got.tags, {});
      const all = (await h.v1.send(new GetClientCertificatesCommand({ limit: 500 }))).items!.map((c) => c.clientCertificateId);
      assert.ok(all.includes(a.clientCertificateId) && all.includes(b.clientCertificateId));
      const page = await h.v1.send(new GetClientCertificatesCommand({ limit: 1 }));
      assert.equal(page.items!.length, 1);
      assert.ok(page.position);
      const next = await h.v1.send(new GetClientCertificatesCommand({ limit: 1, position: page.position }));
      assert.notEqual(next.items![0]!.clientCertificateId, page.items![0]!.clientCertificateId);

      const updated = await h.v1.send(
        new UpdateClientCertificateCommand({ clientCertificateId: a.clientCertificateId, patchOperations: [{ op: 'replace', path: '/description', value: 'now described' }] }),
      );
      assert.equal(updated.description, 'now described');
      assert.equal(updated.pemEncodedCertificate, a.pemEncodedCertificate);
      await rejectsWith(
        h.v1.send(
          new UpdateClientCertificateCommand({
            clientCertificateId: a.clientCertificateId,
            patchOperations: [
              { op: 'replace', path: '/description', value: 'lost' },
              { op: 'replace', path: '/pemEncodedCertificate', value: 'x' },
            ],
          }),
        ),
        'BadRequestException',
        /Must be one of: \[\/description\]/,
      );
      assert.equal((await h.v1.send(new GetClientCertificateCommand({ clientCertificateId: a.clientCertificateId }))).description, 'now described');

      const arn = `arn:aws:apigateway:us-east-1::/clientcertificates/${b.clientCertificateId}`;
      await h.v1.send(new TagResourceCommand({ resourceArn: arn, tags: { k: 'v' } }));
      assert.deepEqual((await h.v1.send(new GetClientCertificateCommand({ clientCertificateId: b.clientCertificateId }))).tags, { k: 'v' });

      const deleted = await h.v1.send(new DeleteClientCertificateCommand({ clientCertificateId: a.clientCertificateId }));
      assert.equal(deleted.$metadata.httpStatusCode, 202);
      const message = 'Invalid Client Certificate identifier specified';
      await rejectsWith(h.v1.send(new GetClientCertificateCommand({ clientCertificateId: a.clientCertificateId })), 'NotFoundException', message);
      await rejectsWith(h.v1.send(new DeleteClientCertificateCommand({ clientCertificateId: a.clientCertificateId })), 'NotFoundException', message);
      await rejectsWith(
        h.v1.send(new UpdateClientCertificateCommand({ clientCertificateId: 'nope00', patchOperations: [{ op: 'replace', path: '/description', value: 'x' }] })),
        'NotFoundException',
        message,
      );
    });

    it('refuses bad tags and stores nothing', async () => {
      const before = (await records(RECORD_KINDS.clientCertificate)).length;
      await rejectsWith(h.v1.send(new GenerateClientCertificateCommand({ tags: { 'aws:reserved': 'x' } })), 'BadRequestException');
      assert.equal((await records(RECORD_KINDS.clientCertificate)).length, before);
    });
  });

  describe('domain name access associations', () => {
    const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f';
    const VPCE = 'vpce-0123456789abcdef0';
    let privateArn: string;
    let publicArn: string;

    before(async () => {
      await h.v1.send(new CreateDomainNameCommand({ domainName: 'private.example.com', certificateArn: CERT, endpointConfiguration: { types: ['PRIVATE'] } }));
      await h.v1.send(new CreateDomainNameCommand({ domainName: 'public.example.com', regionalCertificateArn: CERT, endpointConfiguration: { types: ['REGIONAL'] } }));
      privateArn = (await h.v1.send(new GetDomainNameCommand({ domainName: 'private.example.com' }))).domainNameArn!;
      publicArn = (await h.v1.send(new GetDomainNameCommand({ domainName: 'public.example.com' }))).domainNameArn!;
    });

    const associate = (source = VPCE, domainNameArn = privateArn) =>
      h.v1.send(new CreateDomainNameAccessAssociationCommand({ domainNameArn, accessAssociationSourceType: 'VPCE', accessAssociationSource: source }));

    it('associates a VPC endpoint with a private domain name, and lists it as the account\'s own', async () => {
      const out = await h.v1.send(
        new CreateDomainNameAccessAssociationCommand({ domainNameArn: privateArn, accessAssociationSourceType: 'VPCE', accessAssociationSource: VPCE, tags: { a: 'b' } }),
      );
      assert.equal(out.$metadata.httpStatusCode, 201);
      assert.equal(out.domainNameArn, privateArn);
      assert.equal(out.accessAssociationSource, VPCE);
      assert.equal(out.accessAssociationSourceType, 'VPCE');
      assert.deepEqual(out.tags, { a: 'b' });
      assert.match(out.domainNameAccessAssociationArn!, /^arn:aws:apigateway:us-east-1:\d{12}:\/domainnameaccessassociations\/domainname\/private\.example\.com\/vpcesource\/vpce-0123456789abcdef0$/);
      const self = await h.v1.send(new GetDomainNameAccessAssociationsCommand({ resourceOwner: 'SELF' }));
      assert.deepEqual(self.items!.map((a) => a.domainNameAccessAssociationArn), [out.domainNameAccessAssociationArn]);
      assert.equal((await h.v1.send(new GetDomainNameAccessAssociationsCommand({}))).items!.length, 1);
      assert.deepEqual((await h.v1.send(new GetDomainNameAccessAssociationsCommand({ resourceOwner: 'OTHER_ACCOUNTS' }))).items, []);
      await rejectsWith(h.v1.send(new GetDomainNameAccessAssociationsCommand({ resourceOwner: 'EVERYONE' as never })), 'BadRequestException');
      await h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: out.domainNameAccessAssociationArn }));
    });

    it('refuses bad associations and stores nothing', async () => {
      const { domainNameAccessAssociationArn } = await associate();
      const before = (await records(RECORD_KINDS.domainNameAccessAssociation)).length;
      await rejectsWith(associate(), 'ConflictException');
      await rejectsWith(associate('vpce-0123456789abcdef1', publicArn), 'BadRequestException', /not a PRIVATE domain name/);
      await rejectsWith(associate('vpce-0123456789abcdef1', 'arn:aws:apigateway:us-east-1::/domainnames/missing.example.com'), 'NotFoundException', 'Invalid domain name identifier specified');
      await rejectsWith(associate('vpce-0123456789abcdef1', 'not-an-arn'), 'BadRequestException');
      await rejectsWith(associate('endpoint-1'), 'BadRequestException', /accessAssociationSource/);
      await rejectsWith(
        h.v1.send(new CreateDomainNameAccessAssociationCommand({ domainNameArn: privateArn, accessAssociationSourceType: 'VPC' as never, accessAssociationSource: VPCE })),
        'BadRequestException',
        /accessAssociationSourceType/,
      );
      assert.equal((await records(RECORD_KINDS.domainNameAccessAssociation)).length, before);
      await h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn }));
    });

    it('pages, deletes with 202 and answers NotFoundException for an association that is gone', async () => {
      const a = await associate('vpce-0123456789abcdef1');
      const b = await associate('vpce-0123456789abcdef2');
      const first = await h.v1.send(new GetDomainNameAccessAssociationsCommand({ limit: 1 }));
      assert.equal(first.items!.length, 1);
      const both = await h.v1.send(new GetDomainNameAccessAssociationsCommand({ limit: 2 }));
      assert.deepEqual(both.items!.map((x) => x.accessAssociationSource), ['vpce-0123456789abcdef1', 'vpce-0123456789abcdef2']);
      const out = await h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: a.domainNameAccessAssociationArn }));
      assert.equal(out.$metadata.httpStatusCode, 202);
      await rejectsWith(
        h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: a.domainNameAccessAssociationArn })),
        'NotFoundException',
        'Invalid domain name access association identifier specified',
      );
      await h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: b.domainNameAccessAssociationArn }));
      assert.deepEqual((await h.v1.send(new GetDomainNameAccessAssociationsCommand({}))).items, []);
    });

    it('rejects an association of the domain named, and nothing else', async () => {
      const a = await associate();
      await rejectsWith(
        h.v1.send(new RejectDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: a.domainNameAccessAssociationArn, domainNameArn: publicArn })),
        'BadRequestException',
      );
      await rejectsWith(
        h.v1.send(
          new RejectDomainNameAccessAssociationCommand({
            domainNameAccessAssociationArn: a.domainNameAccessAssociationArn!.replace('abcdef0', 'abcdef9'),
            domainNameArn: privateArn,
          }),
        ),
        'NotFoundException',
      );
      assert.equal((await h.v1.send(new GetDomainNameAccessAssociationsCommand({}))).items!.length, 1);
      const out = await h.v1.send(new RejectDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: a.domainNameAccessAssociationArn, domainNameArn: privateArn }));
      assert.equal(out.$metadata.httpStatusCode, 202);
      assert.deepEqual((await h.v1.send(new GetDomainNameAccessAssociationsCommand({}))).items, []);
    });

    it('drops the associations of a deleted domain name, even when one of the same name is created again', async () => {
      await h.v1.send(new CreateDomainNameCommand({ domainName: 'short-lived.example.com', certificateArn: CERT, endpointConfiguration: { types: ['PRIVATE'] } }));
      const arn = (await h.v1.send(new GetDomainNameCommand({ domainName: 'short-lived.example.com' }))).domainNameArn!;
      const a = await associate(VPCE, arn);
      await h.v1.send(new DeleteDomainNameCommand({ domainName: 'short-lived.example.com' }));
      assert.deepEqual((await h.v1.send(new GetDomainNameAccessAssociationsCommand({}))).items, []);
      await h.v1.send(new CreateDomainNameCommand({ domainName: 'short-lived.example.com', certificateArn: CERT, endpointConfiguration: { types: ['PRIVATE'] } }));
      assert.deepEqual((await h.v1.send(new GetDomainNameAccessAssociationsCommand({}))).items, []);
      await rejectsWith(h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: a.domainNameAccessAssociationArn })), 'NotFoundException');
      const again = await associate(VPCE, arn);
      assert.equal(again.domainNameAccessAssociationArn, a.domainNameAccessAssociationArn);
      await h.v1.send(new DeleteDomainNameAccessAssociationCommand({ domainNameAccessAssociationArn: again.domainNameAccessAssociationArn }));
    });
  });

  describe('SDK types', () => {
    it('lists the platforms AWS generates SDKs for, with the parameters GetSdk takes', async () => {
      const out = await h.v1.send(new GetSdkTypesCommand({}));
      assert.deepEqual(out.items!.map((t) => t.id), ['android', 'java', 'javascript', 'objectivec', 'ruby', 'swift']);
      const required = (id: string) =>
        (out.items!.find((t) => t.id === id)!.configurationProperties ?? []).filter((p) => p.required).map((p) => p.name);
      assert.deepEqual(required('android'), ['groupId', 'invokerPackage', 'artifactId', 'artifactVersion']);
      assert.deepEqual(required('java'), ['serviceName', 'javaPackageName']);
      assert.deepEqual(required('objectivec'), ['classPrefix']);
      assert.deepEqual(required('swift'), ['classPrefix']);
      assert.deepEqual(required('ruby'), ['service.name']);
      assert.deepEqual(required('javascript'), []);
    });

    it('gets one SDK type, or NotFoundException', async () => {
      const ruby = await h.v1.send(new GetSdkTypeCommand({ id: 'ruby' }));
      assert.equal(ruby.id, 'ruby');
      assert.ok(ruby.friendlyName);
      const version = ruby.configurationProperties!.find((p) => p.name === 'ruby.gem-version')!;
      assert.equal(version.required, false);
      assert.equal(version.defaultValue, '1.0.0');
      await rejectsWith(h.v1.send(new GetSdkTypeCommand({ id: 'cobol' })), 'NotFoundException');
    });
  });

  describe('model templates', () => {
    let apiId: string;
    const model = (name: string, schema: unknown) =>
      h.v1.send(new CreateModelCommand({ restApiId: apiId, name, contentType: 'application/json', schema: JSON.stringify(schema) }));

    before(async () => {
      apiId = (await h.v1.send(new CreateRestApiCommand({ name: 'models' }))).id!;
      await model('Bin', {
        type: 'object',
        properties: { type: { type: 'string' }, price: { type: 'number' }, unit: { type: 'string' }, quantity: { type: 'integer' } },
      });
      await model('GroceryStoreInputModel', {
        $schema: 'http://json-schema.org/draft-04/schema#',
        title: 'GroceryStoreInputModel',
        type: 'object',
        properties: {
          department: { type: 'string' },
          open: { type: 'boolean' },
          categories: { type: 'array', items: { type: 'string' } },
          bins: { type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${apiId}/models/Bin` } },
          manager: { $ref: '#/definitions/Person' },
          'shelf code': { type: 'string' },
        },
        definitions: { Person: { type: 'object', properties: { name: { type: 'string' }, years: { type: 'integer' } } } },
      });
    });

    it('generates a template that maps a payload of the model to itself', async () => {
      const out = await h.v1.send(new GetModelTemplateCommand({ restApiId: apiId, modelName: 'GroceryStoreInputModel' }));
      assert.equal(out.$metadata.httpStatusCode, 200);
      const template = out.value!;
      assert.match(template, /^#set\(\$inputRoot = \$input\.path\('\$'\)\)\n/);
      assert.match(template, /"department" : "\$inputRoot\.department"/);
      assert.match(template, /#foreach\(\$elem in \$inputRoot\.bins\)/);
      const payload = {
        department: 'produce',
        open: true,
        categories: ['fruit', 'vegetables'],
        bins: [
          { type: 'apples', price: 1.99, unit: 'pound', quantity: 232 },
          { type: 'bananas', price: 0.19, unit: 'each', quantity: 112 },
        ],
        manager: { name: 'Ana', years: 7 },
        'shelf code': 'A-1',
      };
      assert.deepEqual(JSON.parse(render(template, payload)), payload);
      // Members the model does not declare are not carried over.
      assert.deepEqual(JSON.parse(render(template, { ...payload, extra: 1 })), payload);
    });

    it('ends a model that contains itself at the cycle', async () => {
      await model('Tree', {
        type: 'object',
        properties: { label: { type: 'string' }, children: { type: 'array', items: { $ref: `https://apigateway.amazonaws.com/restapis/${apiId}/models/Tree` } } },
      });
      const { value } = await h.v1.send(new GetModelTemplateCommand({ restApiId: apiId, modelName: 'Tree' }));
      const rendered = JSON.parse(render(value!, { label: 'root', children: [{ label: 'leaf', children: [] }] }));
      assert.deepEqual(rendered, { label: 'root', children: [{ label: 'leaf', children: [] }] });
    });

    it('maps top-level arrays and scalars', async () => {
      await model('Numbers', { type: 'array', items: { type: 'number' } });
      const { value } = await h.v1.send(new GetModelTemplateCommand({ restApiId: apiId, modelName: 'Numbers' }));
      assert.deepEqual(JSON.parse(render(value!, [1, 2.5, 3])), [1, 2.5, 3]);
    });

    it('answers NotFoundException for a missing model or API, and BadRequestException for a reference it cannot follow', async () => {
      await rejectsWith(h.v1.send(new GetModelTemplateCommand({ restApiId: apiId, modelName: 'Nope' })), 'NotFoundException', 'Invalid model name specified: Nope');
      await rejectsWith(h.v1.send(new GetModelTemplateCommand({ restApiId: 'nope000000', modelName: 'Bin' })), 'NotFoundException', 'Invalid model name specified: Bin');
      await model('Dangling', { type: 'object', properties: { x: { $ref: `https://apigateway.amazonaws.com/restapis/${apiId}/models/Missing` } } });
      await rejectsWith(h.v1.send(new GetModelTemplateCommand({ restApiId: apiId, modelName: 'Dangling' })), 'BadRequestException', /Missing/);
    });
  });
});
