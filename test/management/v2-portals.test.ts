/**
 * apigatewayv2 developer portals, driven through the real AWS SDK v3 clients: portals and
 * their publish, disable and preview lifecycle, portal products with their sharing policy and
 * display order, product pages and product REST endpoint pages (checked against REST APIs made
 * through the apigateway client), paging, and tags on portal and product ARNs. Refused calls
 * are checked to leave the store as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateApiCommand,
  CreatePortalCommand,
  CreatePortalProductCommand,
  CreateProductPageCommand,
  CreateProductRestEndpointPageCommand,
  DeletePortalCommand,
  DeletePortalProductCommand,
  DeletePortalProductSharingPolicyCommand,
  DeleteProductPageCommand,
  DeleteProductRestEndpointPageCommand,
  DisablePortalCommand,
  GetPortalCommand,
  GetPortalProductCommand,
  GetPortalProductSharingPolicyCommand,
  GetProductPageCommand,
  GetProductRestEndpointPageCommand,
  GetTagsCommand,
  ListPortalProductsCommand,
  ListPortalsCommand,
  ListProductPagesCommand,
  ListProductRestEndpointPagesCommand,
  PreviewPortalCommand,
  PublishPortalCommand,
  PutPortalProductSharingPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdatePortalCommand,
  UpdatePortalProductCommand,
  UpdateProductPageCommand,
  UpdateProductRestEndpointPageCommand,
  type CreatePortalCommandInput,
  type IdentifierParts,
} from '@aws-sdk/client-apigatewayv2';
import {
  CreateDeploymentCommand,
  CreateResourceCommand,
  CreateRestApiCommand,
  GetResourcesCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import { PORTAL_KIND, PORTAL_PRODUCT_KIND, PRODUCT_PAGE_KIND, PRODUCT_REST_ENDPOINT_PAGE_KIND } from '../../src/model/portal.js';
import { PAGE_PROCESSING_MS, PORTAL_PREVIEW_MS, PORTAL_TRANSITION_MS } from '../../src/management/v2/portal-status.js';
import { rejectsWith, startManagement, type ManagementHarness } from './harness.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const USER_POOL = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEfGhI';
const COLORS = {
  AccentColor: '#FF9900',
  BackgroundColor: '#FFFFFF',
  ErrorValidationColor: '#D13212',
  HeaderColor: '#232F3E',
  NavigationColor: '#232F3E',
  TextColor: '#000000',
};
const CONTENT = { DisplayName: 'Pet store', Description: 'Adopt a pet', Theme: { CustomColors: COLORS } };
const PORTAL_ARN = /^arn:aws:apigateway:us-east-1:(\d{12}):\/portals\/([a-z0-9]{10})$/;
const PRODUCT_ARN = /^arn:aws:apigateway:us-east-1:(\d{12}):\/portalproducts\/([a-z0-9]{10})$/;
const withoutMetadata = <T extends { $metadata?: unknown }>(out: T): Omit<T, '$metadata'> => {
  const { $metadata: _m, ...rest } = out;
  return rest;
};

describe('apigatewayv2 developer portals', () => {
  let h: ManagementHarness;
  let restApiId: string;
  let account: string;

  /** A REST API with MOCK GET / and GET /pets deployed to `prod`, and POST /pets not yet deployed. */
  async function restApi(): Promise<string> {
    const api = await h.v1.send(new CreateRestApiCommand({ name: 'pets' }));
    const rootId = (await h.v1.send(new GetResourcesCommand({ restApiId: api.id! }))).items![0]!.id!;
    const pets = await h.v1.send(new CreateResourceCommand({ restApiId: api.id!, parentId: rootId, pathPart: 'pets' }));
    const method = async (resourceId: string, httpMethod: string): Promise<void> => {
      await h.v1.send(new PutMethodCommand({ restApiId: api.id!, resourceId, httpMethod, authorizationType: 'NONE' }));
      await h.v1.send(new PutIntegrationCommand({ restApiId: api.id!, resourceId, httpMethod, type: 'MOCK' }));
    };
    await method(rootId, 'GET');
    await method(pets.id!, 'GET');
    await h.v1.send(new CreateDeploymentCommand({ restApiId: api.id!, stageName: 'prod' }));
    await method(pets.id!, 'POST');
    return api.id!;
  }

  before(async () => {
    h = await startManagement();
    restApiId = await restApi();
    const probe = await h.v2.send(new CreatePortalProductCommand({ DisplayName: 'probe' }));
    account = PRODUCT_ARN.exec(probe.PortalProductArn!)![1]!;
    await h.v2.send(new DeletePortalProductCommand({ PortalProductId: probe.PortalProductId! }));
  });
  after(() => h.close());

  /** Every portal record, to show a refused call stored nothing. */
  const snapshot = async () => ({
    portals: await h.portico.store.listRecords(PORTAL_KIND),
    products: await h.portico.store.listRecords(PORTAL_PRODUCT_KIND),
    pages: await h.portico.store.listRecords(PRODUCT_PAGE_KIND),
    endpoints: await h.portico.store.listRecords(PRODUCT_REST_ENDPOINT_PAGE_KIND),
  });
  const product = async (DisplayName = 'Pets'): Promise<string> =>
    (await h.v2.send(new CreatePortalProductCommand({ DisplayName }))).PortalProductId!;
  const productArn = (id: string): string => `arn:aws:apigateway:us-east-1:${account}:/portalproducts/${id}`;
  const portal = (extra: Partial<CreatePortalCommandInput> = {}) =>
    h.v2.send(new CreatePortalCommand({ Authorization: { None: {} }, EndpointConfiguration: { None: {} }, PortalContent: CONTENT, ...extra }));
  const parts = (over: Partial<IdentifierParts> = {}): IdentifierParts => ({ RestApiId: restApiId, Stage: 'prod', Path: '/pets', Method: 'GET', ...over });

  describe('portal products', () => {
    it('creates, reads, updates, lists and deletes products', async () => {
      const created = await h.v2.send(new CreatePortalProductCommand({ DisplayName: 'Adoption', Description: 'Adopt animals', Tags: { team: 'pets' } }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      assert.match(created.PortalProductId!, /^[a-z0-9]{10}$/);
      assert.equal(created.PortalProductArn, productArn(created.PortalProductId!));
      assert.equal(created.DisplayName, 'Adoption');
      assert.equal(created.Description, 'Adopt animals');
      assert.deepEqual(created.Tags, { team: 'pets' });
      assert.ok(created.LastModified instanceof Date);
      assert.equal(created.DisplayOrder, undefined);

      const read = await h.v2.send(new GetPortalProductCommand({ PortalProductId: created.PortalProductId! }));
      assert.deepEqual(withoutMetadata(read), withoutMetadata(created));
      const own = await h.v2.send(new GetPortalProductCommand({ PortalProductId: created.PortalProductId!, ResourceOwnerAccountId: account }));
      assert.equal(own.DisplayName, 'Adoption');
      await rejectsWith(
        h.v2.send(new GetPortalProductCommand({ PortalProductId: created.PortalProductId!, ResourceOwnerAccountId: '999999999999' })),
        'NotFoundException',
      );

      const updated = await h.v2.send(new UpdatePortalProductCommand({ PortalProductId: created.PortalProductId!, DisplayName: 'Adoptions' }));
      assert.equal(updated.DisplayName, 'Adoptions');
      assert.equal(updated.Description, 'Adopt animals');
      assert.ok(updated.LastModified! >= created.LastModified!);

      const plain = await h.v2.send(new CreatePortalProductCommand({ DisplayName: 'No description' }));
      assert.equal(plain.Description, '');
      assert.deepEqual(plain.Tags, {});

      const listed = await h.v2.send(new ListPortalProductsCommand({}));
      const mine = listed.Items!.find((p) => p.PortalProductId === created.PortalProductId)!;
      assert.deepEqual(mine, { Description: 'Adopt animals', DisplayName: 'Adoptions', LastModified: updated.LastModified, PortalProductArn: created.PortalProductArn, PortalProductId: created.PortalProductId, Tags: { team: 'pets' } });
      const shared = await h.v2.send(new ListPortalProductsCommand({ ResourceOwner: 'OTHER_ACCOUNTS' }));
      assert.deepEqual(shared.Items, []);

      for (const id of [created.PortalProductId!, plain.PortalProductId!]) {
        const deleted = await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        await rejectsWith(h.v2.send(new GetPortalProductCommand({ PortalProductId: id })), 'NotFoundException', `Invalid portal product identifier specified ${id}`);
      }
    });

    it('pages through products', async () => {
      const ids = [await product('p1'), await product('p2'), await product('p3')];
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await h.v2.send(new ListPortalProductsCommand({ MaxResults: '2', NextToken: token }));
        assert.ok(page.Items!.length <= 2);
        seen.push(...page.Items!.map((p) => p.PortalProductId!));
        token = page.NextToken;
        pages++;
      } while (token);
      assert.ok(pages >= 2);
      for (const id of ids) assert.ok(seen.includes(id));
      assert.equal(new Set(seen).size, seen.length);
      await rejectsWith(h.v2.send(new ListPortalProductsCommand({ MaxResults: 'lots' })), 'BadRequestException');
      for (const id of ids) await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
    });

    it('refuses bad products and changes nothing', async () => {
      const id = await product('Keep');
      const before = await snapshot();
      await rejectsWith(h.v2.send(new CreatePortalProductCommand({} as never)), 'BadRequestException', /'displayName'.*must not be null/);
      await rejectsWith(h.v2.send(new CreatePortalProductCommand({ DisplayName: '' })), 'BadRequestException', /greater than or equal to 1/);
      await rejectsWith(h.v2.send(new CreatePortalProductCommand({ DisplayName: 'x'.repeat(256) })), 'BadRequestException', /less than or equal to 255/);
      await rejectsWith(h.v2.send(new CreatePortalProductCommand({ DisplayName: 'd', Description: 'x'.repeat(1025) })), 'BadRequestException');
      await rejectsWith(h.v2.send(new CreatePortalProductCommand({ DisplayName: 'd', Tags: { 'aws:x': 'y' } })), 'BadRequestException');
      await rejectsWith(h.v2.send(new UpdatePortalProductCommand({ PortalProductId: id, DisplayName: '' })), 'BadRequestException');
      await rejectsWith(h.v2.send(new UpdatePortalProductCommand({ PortalProductId: 'missing000', DisplayName: 'x' })), 'NotFoundException');
      await rejectsWith(h.v2.send(new DeletePortalProductCommand({ PortalProductId: 'missing000' })), 'NotFoundException');
      assert.deepEqual(await snapshot(), before);
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
    });

    it('stores, returns and deletes the sharing policy', async () => {
      const id = await product('Shared');
      const none = await h.v2.send(new GetPortalProductSharingPolicyCommand({ PortalProductId: id }));
      assert.equal(none.PortalProductId, id);
      assert.equal(none.PolicyDocument, undefined);
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '222222222222' }, Action: 'apigateway:GetPortalProduct', Resource: productArn(id) }],
      });
      const put = await h.v2.send(new PutPortalProductSharingPolicyCommand({ PortalProductId: id, PolicyDocument: policy }));
      assert.equal(put.$metadata.httpStatusCode, 200);
      assert.equal((await h.v2.send(new GetPortalProductSharingPolicyCommand({ PortalProductId: id }))).PolicyDocument, policy);

      const before = await snapshot();
      await rejectsWith(h.v2.send(new PutPortalProductSharingPolicyCommand({ PortalProductId: id, PolicyDocument: 'not json' })), 'BadRequestException');
      await rejectsWith(h.v2.send(new PutPortalProductSharingPolicyCommand({ PortalProductId: id, PolicyDocument: '[]' })), 'BadRequestException');
      await rejectsWith(h.v2.send(new PutPortalProductSharingPolicyCommand({ PortalProductId: id, PolicyDocument: '' })), 'BadRequestException');
      await rejectsWith(h.v2.send(new PutPortalProductSharingPolicyCommand({ PortalProductId: 'missing000', PolicyDocument: policy })), 'NotFoundException');
      await rejectsWith(h.v2.send(new GetPortalProductSharingPolicyCommand({ PortalProductId: 'missing000' })), 'NotFoundException');
      await rejectsWith(h.v2.send(new DeletePortalProductSharingPolicyCommand({ PortalProductId: 'missing000' })), 'NotFoundException');
      assert.deepEqual(await snapshot(), before);

      const deleted = await h.v2.send(new DeletePortalProductSharingPolicyCommand({ PortalProductId: id }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      assert.equal((await h.v2.send(new GetPortalProductSharingPolicyCommand({ PortalProductId: id }))).PolicyDocument, undefined);
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
    });
  });

  describe('product pages', () => {
    it('creates, reads, lists, updates and deletes pages of a product', async () => {
      const id = await product();
      const created = await h.v2.send(new CreateProductPageCommand({ PortalProductId: id, DisplayContent: { Title: 'Getting started', Body: '# Hello' } }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      const pageId = created.ProductPageId!;
      assert.match(pageId, /^[a-z0-9]{10}$/);
      assert.equal(created.ProductPageArn, `${productArn(id)}/productpages/${pageId}`);
      assert.deepEqual(created.DisplayContent, { Title: 'Getting started', Body: '# Hello' });

      const read = await h.v2.send(new GetProductPageCommand({ PortalProductId: id, ProductPageId: pageId }));
      assert.deepEqual(withoutMetadata(read), withoutMetadata(created));

      const updated = await h.v2.send(new UpdateProductPageCommand({ PortalProductId: id, ProductPageId: pageId, DisplayContent: { Title: 'Start here', Body: 'Read me' } }));
      assert.deepEqual(updated.DisplayContent, { Title: 'Start here', Body: 'Read me' });
      const untouched = await h.v2.send(new UpdateProductPageCommand({ PortalProductId: id, ProductPageId: pageId }));
      assert.deepEqual(untouched.DisplayContent, updated.DisplayContent);

      const second = await h.v2.send(new CreateProductPageCommand({ PortalProductId: id, DisplayContent: { Title: 'FAQ', Body: 'Q and A' } }));
      const third = await h.v2.send(new CreateProductPageCommand({ PortalProductId: id, DisplayContent: { Title: 'Terms', Body: 'Be kind' } }));
      const first = await h.v2.send(new ListProductPagesCommand({ PortalProductId: id, MaxResults: '2' }));
      assert.equal(first.Items!.length, 2);
      assert.ok(first.NextToken);
      const rest = await h.v2.send(new ListProductPagesCommand({ PortalProductId: id, MaxResults: '2', NextToken: first.NextToken }));
      assert.equal(rest.NextToken, undefined);
      const all = [...first.Items!, ...rest.Items!];
      assert.deepEqual(all.map((p) => p.ProductPageId).sort(), [pageId, second.ProductPageId, third.ProductPageId].sort());
      const summary = all.find((p) => p.ProductPageId === pageId)!;
      assert.deepEqual(summary, { LastModified: updated.LastModified, PageTitle: 'Start here', ProductPageArn: created.ProductPageArn, ProductPageId: pageId });

      const deleted = await h.v2.send(new DeleteProductPageCommand({ PortalProductId: id, ProductPageId: pageId }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      await rejectsWith(h.v2.send(new GetProductPageCommand({ PortalProductId: id, ProductPageId: pageId })), 'NotFoundException', `Invalid product page identifier specified ${pageId}`);

      // Deleting the product takes its pages with it.
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
      const left = (await h.portico.store.listRecords<{ portalProductId: string }>(PRODUCT_PAGE_KIND)).filter((p) => p.portalProductId === id);
      assert.deepEqual(left, []);
    });

    it('keeps pages to their product and refuses bad pages, changing nothing', async () => {
      const a = await product('A');
      const b = await product('B');
      const page = (await h.v2.send(new CreateProductPageCommand({ PortalProductId: a, DisplayContent: { Title: 'Mine', Body: 'a' } }))).ProductPageId!;
      const before = await snapshot();
      await rejectsWith(h.v2.send(new GetProductPageCommand({ PortalProductId: b, ProductPageId: page })), 'NotFoundException');
      await rejectsWith(h.v2.send(new UpdateProductPageCommand({ PortalProductId: b, ProductPageId: page, DisplayContent: { Title: 't', Body: 'b' } })), 'NotFoundException');
      await rejectsWith(h.v2.send(new DeleteProductPageCommand({ PortalProductId: b, ProductPageId: page })), 'NotFoundException');
      await rejectsWith(h.v2.send(new CreateProductPageCommand({ PortalProductId: 'missing000', DisplayContent: { Title: 't', Body: 'b' } })), 'NotFoundException');
      await rejectsWith(h.v2.send(new ListProductPagesCommand({ PortalProductId: 'missing000' })), 'NotFoundException');
      await rejectsWith(h.v2.send(new CreateProductPageCommand({ PortalProductId: a } as never)), 'BadRequestException', /'displayContent'.*must not be null/);
      await rejectsWith(h.v2.send(new CreateProductPageCommand({ PortalProductId: a, DisplayContent: { Title: 't' } as never })), 'BadRequestException', /'displayContent.body'/);
      await rejectsWith(h.v2.send(new CreateProductPageCommand({ PortalProductId: a, DisplayContent: { Title: 'x'.repeat(256), Body: 'b' } })), 'BadRequestException');
      await rejectsWith(h.v2.send(new CreateProductPageCommand({ PortalProductId: a, DisplayContent: { Title: 't', Body: 'x'.repeat(32769) } })), 'BadRequestException');
      await rejectsWith(h.v2.send(new UpdateProductPageCommand({ PortalProductId: a, ProductPageId: page, DisplayContent: { Title: '', Body: 'b' } })), 'BadRequestException');
      await rejectsWith(h.v2.send(new GetProductPageCommand({ PortalProductId: a, ProductPageId: page, ResourceOwnerAccountId: '999999999999' })), 'NotFoundException');
      assert.deepEqual(await snapshot(), before);
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: a }));
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: b }));
    });
  });

  describe('product REST endpoint pages', () => {
    it('documents a deployed REST method, and reports IN_PROGRESS then AVAILABLE', async () => {
      const id = await product();
      const created = await h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: id, RestEndpointIdentifier: { IdentifierParts: parts() } }));
      assert.equal(created.$metadata.httpStatusCode, 201);
      const pageId = created.ProductRestEndpointPageId!;
      assert.equal(created.ProductRestEndpointPageArn, `${productArn(id)}/productrestendpointpages/${pageId}`);
      assert.deepEqual(created.RestEndpointIdentifier, { IdentifierParts: parts() });
      assert.equal(created.Status, 'IN_PROGRESS');
      assert.equal(created.TryItState, 'DISABLED');
      assert.deepEqual(created.DisplayContent, { Endpoint: `${h.endpoint}/_aws/execute-api/${restApiId}/prod` });

      await sleep(PAGE_PROCESSING_MS + 100);
      const read = await h.v2.send(new GetProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: pageId }));
      assert.equal(read.Status, 'AVAILABLE');
      assert.equal(read.RawDisplayContent, undefined);

      const updated = await h.v2.send(
        new UpdateProductRestEndpointPageCommand({
          PortalProductId: id,
          ProductRestEndpointPageId: pageId,
          TryItState: 'ENABLED',
          DisplayContent: { Overrides: { Body: '## Lists pets', OperationName: 'List pets', Endpoint: 'https://pets.example.com' } },
        }),
      );
      assert.equal(updated.TryItState, 'ENABLED');
      assert.deepEqual(updated.DisplayContent, { Body: '## Lists pets', Endpoint: 'https://pets.example.com', OperationName: 'List pets' });
      assert.equal(updated.Status, 'IN_PROGRESS');
      const raw = await h.v2.send(new GetProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: pageId, IncludeRawDisplayContent: 'true' }));
      assert.equal(raw.RawDisplayContent, '## Lists pets');

      const second = await h.v2.send(
        new CreateProductRestEndpointPageCommand({
          PortalProductId: id,
          RestEndpointIdentifier: { IdentifierParts: parts({ Path: '/' }) },
          TryItState: 'ENABLED',
          DisplayContent: { Overrides: { OperationName: 'Home' } },
        }),
      );
      assert.deepEqual(second.DisplayContent, { Endpoint: `${h.endpoint}/_aws/execute-api/${restApiId}/prod`, OperationName: 'Home' });
      const first = await h.v2.send(new ListProductRestEndpointPagesCommand({ PortalProductId: id, MaxResults: '1' }));
      assert.equal(first.Items!.length, 1);
      const rest = await h.v2.send(new ListProductRestEndpointPagesCommand({ PortalProductId: id, NextToken: first.NextToken }));
      assert.equal(rest.NextToken, undefined);
      const summaries = [...first.Items!, ...rest.Items!];
      assert.deepEqual(summaries.map((s) => s.ProductRestEndpointPageId).sort(), [pageId, second.ProductRestEndpointPageId].sort());
      const summary = summaries.find((s) => s.ProductRestEndpointPageId === pageId)!;
      assert.deepEqual(summary, {
        Endpoint: 'https://pets.example.com',
        LastModified: updated.LastModified,
        OperationName: 'List pets',
        ProductRestEndpointPageArn: created.ProductRestEndpointPageArn,
        ProductRestEndpointPageId: pageId,
        RestEndpointIdentifier: { IdentifierParts: parts() },
        Status: 'IN_PROGRESS',
        TryItState: 'ENABLED',
      });

      // `none` puts back what the REST API itself says.
      const cleared = await h.v2.send(new UpdateProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: pageId, DisplayContent: { None: {} } }));
      assert.deepEqual(cleared.DisplayContent, { Endpoint: `${h.endpoint}/_aws/execute-api/${restApiId}/prod` });
      assert.equal(cleared.TryItState, 'ENABLED');

      const deleted = await h.v2.send(new DeleteProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: pageId }));
      assert.equal(deleted.$metadata.httpStatusCode, 204);
      await rejectsWith(
        h.v2.send(new GetProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: pageId })),
        'NotFoundException',
        `Invalid product REST endpoint page identifier specified ${pageId}`,
      );
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
      const left = (await h.portico.store.listRecords<{ portalProductId: string }>(PRODUCT_REST_ENDPOINT_PAGE_KIND)).filter((p) => p.portalProductId === id);
      assert.deepEqual(left, []);
    });

    it('refuses endpoints that name no deployed REST method, and changes nothing', async () => {
      const id = await product();
      const other = await product('Other');
      const page = (await h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: id, RestEndpointIdentifier: { IdentifierParts: parts() } }))).ProductRestEndpointPageId!;
      const httpApiId = (await h.v2.send(new CreateApiCommand({ Name: 'http', ProtocolType: 'HTTP' }))).ApiId!;
      const create = (IdentifierParts: IdentifierParts, productId = id) =>
        h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: productId, RestEndpointIdentifier: { IdentifierParts } }));
      const before = await snapshot();
      await rejectsWith(create(parts({ RestApiId: 'nosuchapi0' })), 'BadRequestException', 'Invalid REST API identifier specified nosuchapi0');
      await rejectsWith(create(parts({ RestApiId: httpApiId })), 'BadRequestException', `Invalid REST API identifier specified ${httpApiId}`);
      await rejectsWith(create(parts({ Stage: 'dev' })), 'BadRequestException', 'Invalid stage identifier specified dev');
      await rejectsWith(create(parts({ Path: '/cats' })), 'BadRequestException');
      await rejectsWith(create(parts({ Method: 'DELETE' })), 'BadRequestException');
      await rejectsWith(create(parts({ Method: 'constructor' })), 'BadRequestException');
      // POST /pets exists in the REST API but was never deployed to prod.
      await rejectsWith(create(parts({ Method: 'POST' })), 'BadRequestException');
      await rejectsWith(create(parts()), 'BadRequestException', new RegExp(page));
      await rejectsWith(create(parts(), 'missing000'), 'NotFoundException');
      await rejectsWith(create({ RestApiId: restApiId, Stage: 'prod', Path: '/pets' } as never), 'BadRequestException', /identifierParts.method/);
      await rejectsWith(h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: id } as never)), 'BadRequestException', /'restEndpointIdentifier'/);
      await rejectsWith(h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: id, RestEndpointIdentifier: {} })), 'BadRequestException');
      await rejectsWith(
        h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: other, RestEndpointIdentifier: { IdentifierParts: parts({ Path: '/' }) }, TryItState: 'MAYBE' as never })),
        'BadRequestException',
        /enum/,
      );
      await rejectsWith(
        h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: other, RestEndpointIdentifier: { IdentifierParts: parts() }, DisplayContent: { None: {}, Overrides: { Body: 'x' } } })),
        'BadRequestException',
      );
      await rejectsWith(
        h.v2.send(new UpdateProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: page, DisplayContent: { Overrides: { Endpoint: 'x'.repeat(1025) } } })),
        'BadRequestException',
      );
      await rejectsWith(h.v2.send(new UpdateProductRestEndpointPageCommand({ PortalProductId: other, ProductRestEndpointPageId: page, TryItState: 'ENABLED' })), 'NotFoundException');
      await rejectsWith(h.v2.send(new DeleteProductRestEndpointPageCommand({ PortalProductId: other, ProductRestEndpointPageId: page })), 'NotFoundException');
      await rejectsWith(h.v2.send(new ListProductRestEndpointPagesCommand({ PortalProductId: 'missing000' })), 'NotFoundException');
      assert.deepEqual(await snapshot(), before);

      // The same endpoint may be documented by another product.
      const elsewhere = await create(parts(), other);
      assert.equal(elsewhere.$metadata.httpStatusCode, 201);
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: other }));
    });

    it('orders pages by the display order, which names only pages of the product', async () => {
      const id = await product();
      const other = await product('Other');
      const overview = await h.v2.send(new CreateProductPageCommand({ PortalProductId: id, DisplayContent: { Title: 'Overview', Body: 'o' } }));
      const guide = await h.v2.send(new CreateProductPageCommand({ PortalProductId: id, DisplayContent: { Title: 'Guide', Body: 'g' } }));
      const endpoint = await h.v2.send(new CreateProductRestEndpointPageCommand({ PortalProductId: id, RestEndpointIdentifier: { IdentifierParts: parts() } }));
      const foreign = await h.v2.send(new CreateProductPageCommand({ PortalProductId: other, DisplayContent: { Title: 'Not yours', Body: 'x' } }));
      const order = {
        OverviewPageArn: overview.ProductPageArn!,
        ProductPageArns: [guide.ProductPageArn!, overview.ProductPageArn!],
        Contents: [{ SectionName: 'Adopt', ProductRestEndpointPageArns: [endpoint.ProductRestEndpointPageArn!] }],
      };
      const updated = await h.v2.send(new UpdatePortalProductCommand({ PortalProductId: id, DisplayOrder: order }));
      assert.deepEqual(updated.DisplayOrder, order);
      assert.deepEqual((await h.v2.send(new GetPortalProductCommand({ PortalProductId: id }))).DisplayOrder, order);
      // Listings leave the display order out.
      assert.ok((await h.v2.send(new ListPortalProductsCommand({}))).Items!.every((p) => !('DisplayOrder' in p)));

      const before = await snapshot();
      await rejectsWith(h.v2.send(new UpdatePortalProductCommand({ PortalProductId: id, DisplayOrder: { ProductPageArns: [foreign.ProductPageArn!] } })), 'BadRequestException');
      await rejectsWith(h.v2.send(new UpdatePortalProductCommand({ PortalProductId: id, DisplayOrder: { OverviewPageArn: endpoint.ProductRestEndpointPageArn! } })), 'BadRequestException');
      await rejectsWith(
        h.v2.send(new UpdatePortalProductCommand({ PortalProductId: id, DisplayOrder: { Contents: [{ SectionName: 'x', ProductRestEndpointPageArns: [guide.ProductPageArn!] }] } })),
        'BadRequestException',
      );
      await rejectsWith(
        h.v2.send(
          new UpdatePortalProductCommand({
            PortalProductId: id,
            DisplayOrder: {
              Contents: [
                { SectionName: 'a', ProductRestEndpointPageArns: [endpoint.ProductRestEndpointPageArn!] },
                { SectionName: 'b', ProductRestEndpointPageArns: [endpoint.ProductRestEndpointPageArn!] },
              ],
            },
          }),
        ),
        'BadRequestException',
      );
      await rejectsWith(h.v2.send(new UpdatePortalProductCommand({ PortalProductId: id, DisplayOrder: { ProductPageArns: [guide.ProductPageArn!, guide.ProductPageArn!] } })), 'BadRequestException');
      assert.deepEqual(await snapshot(), before);

      // Deleted pages leave the display order.
      await h.v2.send(new DeleteProductPageCommand({ PortalProductId: id, ProductPageId: overview.ProductPageId! }));
      await h.v2.send(new DeleteProductRestEndpointPageCommand({ PortalProductId: id, ProductRestEndpointPageId: endpoint.ProductRestEndpointPageId! }));
      const after = await h.v2.send(new GetPortalProductCommand({ PortalProductId: id }));
      assert.deepEqual(after.DisplayOrder, { ProductPageArns: [guide.ProductPageArn!], Contents: [{ SectionName: 'Adopt', ProductRestEndpointPageArns: [] }] });
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: other }));
    });
  });

  describe('portals', () => {
    it('creates, reads, updates, lists and deletes portals', async () => {
      const included = await product('Included');
      const created = await portal({ IncludedPortalProductArns: [productArn(included)], Tags: { env: 'test' }, RumAppMonitorName: 'monitor' });
      assert.equal(created.$metadata.httpStatusCode, 201);
      const id = created.PortalId!;
      assert.match(id, /^[a-z0-9]{10}$/);
      assert.equal(PORTAL_ARN.exec(created.PortalArn!)?.[1], account);
      assert.equal(PORTAL_ARN.exec(created.PortalArn!)?.[2], id);
      assert.deepEqual(created.Authorization, { None: {} });
      assert.deepEqual(created.EndpointConfiguration, { PortalDefaultDomainName: `${id}.portal.invalid`, PortalDomainHostedZoneId: 'ZPORTICONOTHOSTED' });
      assert.deepEqual(created.PortalContent, CONTENT);
      assert.deepEqual(created.IncludedPortalProductArns, [productArn(included)]);
      assert.equal(created.RumAppMonitorName, 'monitor');
      assert.deepEqual(created.Tags, { env: 'test' });
      assert.equal(created.PublishStatus, undefined);
      assert.equal(created.LastPublished, undefined);
      assert.ok(created.LastModified instanceof Date);

      const read = await h.v2.send(new GetPortalCommand({ PortalId: id }));
      assert.deepEqual(withoutMetadata(read), withoutMetadata(created));

      const cognito = { CognitoConfig: { AppClientId: 'client123', UserPoolArn: USER_POOL, UserPoolDomain: 'https://pets.auth.us-east-1.amazoncognito.com' } };
      const updated = await h.v2.send(
        new UpdatePortalCommand({
          PortalId: id,
          Authorization: cognito,
          EndpointConfiguration: { AcmManaged: { CertificateArn: CERT, DomainName: 'Developers.Example.com' } },
          PortalContent: { DisplayName: 'Pets portal', Theme: { CustomColors: { ...COLORS, AccentColor: '#00FF00' } } },
          IncludedPortalProductArns: [],
          LogoUri: 's3://bucket/logo.png',
        }),
      );
      assert.deepEqual(updated.Authorization, cognito);
      assert.deepEqual(updated.EndpointConfiguration, {
        CertificateArn: CERT,
        DomainName: 'developers.example.com',
        PortalDefaultDomainName: `${id}.portal.invalid`,
        PortalDomainHostedZoneId: 'ZPORTICONOTHOSTED',
      });
      assert.equal(updated.PortalContent!.DisplayName, 'Pets portal');
      assert.equal(updated.PortalContent!.Description, undefined);
      assert.equal(updated.PortalContent!.Theme!.CustomColors!.AccentColor, '#00FF00');
      // Setting a logo stamps its upload time.
      assert.ok(updated.PortalContent!.Theme!.LogoLastUploaded instanceof Date);
      assert.deepEqual(updated.IncludedPortalProductArns, []);
      assert.equal(updated.RumAppMonitorName, 'monitor');
      assert.deepEqual(updated.Tags, { env: 'test' });
      const again = await h.v2.send(new UpdatePortalCommand({ PortalId: id, PortalContent: CONTENT }));
      assert.deepEqual(again.PortalContent!.Theme!.LogoLastUploaded, updated.PortalContent!.Theme!.LogoLastUploaded);

      const second = await portal();
      const third = await portal();
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await h.v2.send(new ListPortalsCommand({ MaxResults: '2', NextToken: token }));
        assert.ok(page.Items!.length <= 2);
        seen.push(...page.Items!.map((p) => p.PortalId!));
        token = page.NextToken;
      } while (token);
      assert.deepEqual(seen.filter((p) => [id, second.PortalId, third.PortalId].includes(p)).sort(), [id, second.PortalId!, third.PortalId!].sort());
      const listed = (await h.v2.send(new ListPortalsCommand({}))).Items!.find((p) => p.PortalId === id)!;
      assert.deepEqual(listed, withoutMetadata(await h.v2.send(new GetPortalCommand({ PortalId: id }))));

      for (const p of [id, second.PortalId!, third.PortalId!]) {
        const deleted = await h.v2.send(new DeletePortalCommand({ PortalId: p }));
        assert.equal(deleted.$metadata.httpStatusCode, 204);
        await rejectsWith(h.v2.send(new GetPortalCommand({ PortalId: p })), 'NotFoundException', `Invalid portal identifier specified ${p}`);
      }
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: included }));
    });

    it('refuses bad portals and changes nothing', async () => {
      const id = (await portal()).PortalId!;
      const before = await snapshot();
      const send = (input: Partial<CreatePortalCommandInput>) =>
        h.v2.send(new CreatePortalCommand({ Authorization: { None: {} }, EndpointConfiguration: { None: {} }, PortalContent: CONTENT, ...input } as CreatePortalCommandInput));
      await rejectsWith(send({ Authorization: undefined }), 'BadRequestException', /'authorization'.*must not be null/);
      await rejectsWith(send({ EndpointConfiguration: undefined }), 'BadRequestException', /'endpointConfiguration'/);
      await rejectsWith(send({ PortalContent: undefined }), 'BadRequestException', /'portalContent'/);
      await rejectsWith(send({ Authorization: {} }), 'BadRequestException', /exactly one/);
      await rejectsWith(
        send({ Authorization: { None: {}, CognitoConfig: { AppClientId: 'a', UserPoolArn: USER_POOL, UserPoolDomain: 'https://pets.auth.us-east-1.amazoncognito.com' } } }),
        'BadRequestException',
        /exactly one/,
      );
      await rejectsWith(
        send({ Authorization: { CognitoConfig: { AppClientId: 'a', UserPoolArn: 'arn:aws:s3:::not-a-user-pool', UserPoolDomain: 'https://pets.auth.us-east-1.amazoncognito.com' } } }),
        'BadRequestException',
      );
      await rejectsWith(send({ EndpointConfiguration: { AcmManaged: { CertificateArn: 'arn:x:certificate', DomainName: 'dev.example.com' } } }), 'BadRequestException');
      await rejectsWith(send({ EndpointConfiguration: { AcmManaged: { CertificateArn: CERT, DomainName: 'not a host' } } }), 'BadRequestException');
      await rejectsWith(send({ PortalContent: { ...CONTENT, DisplayName: 'ab' } }), 'BadRequestException', /'portalContent.displayName'.*greater than or equal to 3/);
      await rejectsWith(send({ PortalContent: { DisplayName: 'Pets' } as never }), 'BadRequestException', /'portalContent.theme'/);
      await rejectsWith(send({ PortalContent: { ...CONTENT, Theme: { CustomColors: { ...COLORS, TextColor: 'x'.repeat(17) } } } }), 'BadRequestException');
      await rejectsWith(send({ IncludedPortalProductArns: [productArn('missing000')] }), 'BadRequestException', `Invalid portal product ARN specified: ${productArn('missing000')}`);
      await rejectsWith(send({ IncludedPortalProductArns: ['arn:aws:apigateway:us-east-1:999999999999:/portalproducts/abcdefghij'] }), 'BadRequestException');
      await rejectsWith(send({ IncludedPortalProductArns: ['short'] }), 'BadRequestException');
      await rejectsWith(send({ LogoUri: 'x'.repeat(1093) }), 'BadRequestException');
      await rejectsWith(send({ Tags: { 'aws:owner': 'me' } }), 'BadRequestException');
      await rejectsWith(h.v2.send(new UpdatePortalCommand({ PortalId: id, PortalContent: { ...CONTENT, DisplayName: 'x'.repeat(256) } })), 'BadRequestException');
      await rejectsWith(h.v2.send(new UpdatePortalCommand({ PortalId: id, IncludedPortalProductArns: [productArn('missing000')] })), 'BadRequestException');
      for (const call of [
        new GetPortalCommand({ PortalId: 'missing000' }),
        new UpdatePortalCommand({ PortalId: 'missing000', RumAppMonitorName: 'm' }),
        new DeletePortalCommand({ PortalId: 'missing000' }),
        new PublishPortalCommand({ PortalId: 'missing000' }),
        new DisablePortalCommand({ PortalId: 'missing000' }),
        new PreviewPortalCommand({ PortalId: 'missing000' }),
      ]) {
        await rejectsWith(h.v2.send(call as never), 'NotFoundException', 'Invalid portal identifier specified missing000');
      }
      assert.deepEqual(await snapshot(), before);
      await h.v2.send(new DeletePortalCommand({ PortalId: id }));
    });

    it('publishes and disables asynchronously, refusing what the state forbids', async () => {
      const id = (await portal()).PortalId!;
      await rejectsWith(h.v2.send(new DisablePortalCommand({ PortalId: id })), 'ConflictException', 'The portal is not published');

      const published = await h.v2.send(new PublishPortalCommand({ PortalId: id, Description: 'First release' }));
      assert.equal(published.$metadata.httpStatusCode, 202);
      let read = await h.v2.send(new GetPortalCommand({ PortalId: id }));
      assert.equal(read.PublishStatus, 'PUBLISH_IN_PROGRESS');
      assert.equal(read.LastPublished, undefined);

      const before = await snapshot();
      await rejectsWith(h.v2.send(new PublishPortalCommand({ PortalId: id })), 'ConflictException');
      await rejectsWith(h.v2.send(new DisablePortalCommand({ PortalId: id })), 'ConflictException');
      await rejectsWith(h.v2.send(new UpdatePortalCommand({ PortalId: id, RumAppMonitorName: 'm' })), 'ConflictException');
      await rejectsWith(h.v2.send(new DeletePortalCommand({ PortalId: id })), 'BadRequestException', /PUBLISH_IN_PROGRESS/);
      await rejectsWith(h.v2.send(new PublishPortalCommand({ PortalId: id, Description: 'x'.repeat(1025) })), 'BadRequestException');
      assert.deepEqual(await snapshot(), before);

      await sleep(PORTAL_TRANSITION_MS + 100);
      read = await h.v2.send(new GetPortalCommand({ PortalId: id }));
      assert.equal(read.PublishStatus, 'PUBLISHED');
      assert.ok(read.LastPublished instanceof Date);
      assert.equal(read.LastPublishedDescription, 'First release');
      assert.equal((await h.v2.send(new ListPortalsCommand({}))).Items!.find((p) => p.PortalId === id)!.PublishStatus, 'PUBLISHED');
      await rejectsWith(h.v2.send(new DeletePortalCommand({ PortalId: id })), 'BadRequestException', /PUBLISHED/);
      const firstPublished = read.LastPublished!;

      // A published portal may change; the change waits for the next publish.
      const changed = await h.v2.send(new UpdatePortalCommand({ PortalId: id, RumAppMonitorName: 'monitor' }));
      assert.equal(changed.PublishStatus, 'PUBLISHED');

      await h.v2.send(new PublishPortalCommand({ PortalId: id }));
      read = await h.v2.send(new GetPortalCommand({ PortalId: id }));
      assert.equal(read.PublishStatus, 'PUBLISH_IN_PROGRESS');
      assert.deepEqual(read.LastPublished, firstPublished);
      await sleep(PORTAL_TRANSITION_MS + 100);
      read = await h.v2.send(new GetPortalCommand({ PortalId: id }));
      assert.equal(read.PublishStatus, 'PUBLISHED');
      assert.ok(read.LastPublished! > firstPublished);
      assert.equal(read.LastPublishedDescription, undefined);

      const disabled = await h.v2.send(new DisablePortalCommand({ PortalId: id }));
      assert.equal(disabled.$metadata.httpStatusCode, 204);
      assert.equal((await h.v2.send(new GetPortalCommand({ PortalId: id }))).PublishStatus, 'DISABLE_IN_PROGRESS');
      await rejectsWith(h.v2.send(new DisablePortalCommand({ PortalId: id })), 'ConflictException');
      await rejectsWith(h.v2.send(new DeletePortalCommand({ PortalId: id })), 'BadRequestException', /DISABLE_IN_PROGRESS/);
      await sleep(PORTAL_TRANSITION_MS + 100);
      read = await h.v2.send(new GetPortalCommand({ PortalId: id }));
      assert.equal(read.PublishStatus, 'DISABLED');
      assert.ok(read.LastPublished instanceof Date);
      await rejectsWith(h.v2.send(new DisablePortalCommand({ PortalId: id })), 'ConflictException', 'The portal is not published');

      await h.v2.send(new DeletePortalCommand({ PortalId: id }));
      await rejectsWith(h.v2.send(new GetPortalCommand({ PortalId: id })), 'NotFoundException');
    });

    it('previews asynchronously, without a preview site', async () => {
      const id = (await portal()).PortalId!;
      assert.equal((await h.v2.send(new GetPortalCommand({ PortalId: id }))).Preview, undefined);
      const previewed = await h.v2.send(new PreviewPortalCommand({ PortalId: id }));
      assert.equal(previewed.$metadata.httpStatusCode, 202);
      assert.deepEqual((await h.v2.send(new GetPortalCommand({ PortalId: id }))).Preview, { PreviewStatus: 'PREVIEW_IN_PROGRESS' });
      await rejectsWith(h.v2.send(new PreviewPortalCommand({ PortalId: id })), 'ConflictException');
      await sleep(PORTAL_PREVIEW_MS + 100);
      assert.deepEqual((await h.v2.send(new GetPortalCommand({ PortalId: id }))).Preview, { PreviewStatus: 'PREVIEW_READY' });
      // A ready preview may be generated again.
      await h.v2.send(new PreviewPortalCommand({ PortalId: id }));
      assert.equal((await h.v2.send(new GetPortalCommand({ PortalId: id }))).Preview!.PreviewStatus, 'PREVIEW_IN_PROGRESS');
      await h.v2.send(new DeletePortalCommand({ PortalId: id }));
    });

    it('keeps a product while a portal includes it', async () => {
      const id = await product('In use');
      await h.v2.send(new CreateProductPageCommand({ PortalProductId: id, DisplayContent: { Title: 'Page', Body: 'b' } }));
      const portalId = (await portal({ IncludedPortalProductArns: [productArn(id)] })).PortalId!;
      const before = await snapshot();
      await rejectsWith(h.v2.send(new DeletePortalProductCommand({ PortalProductId: id })), 'BadRequestException', new RegExp(portalId));
      assert.deepEqual(await snapshot(), before);

      await h.v2.send(new UpdatePortalCommand({ PortalId: portalId, IncludedPortalProductArns: [] }));
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: id }));
      await rejectsWith(h.v2.send(new GetPortalProductCommand({ PortalProductId: id })), 'NotFoundException');
      await h.v2.send(new DeletePortalCommand({ PortalId: portalId }));
    });
  });

  describe('tags', () => {
    it('tags portals and portal products by ARN', async () => {
      const created = await portal({ Tags: { a: '1' } });
      const productId = await product('Tagged');
      for (const [arn, read] of [
        [created.PortalArn!, async () => (await h.v2.send(new GetPortalCommand({ PortalId: created.PortalId! }))).Tags],
        [productArn(productId), async () => (await h.v2.send(new GetPortalProductCommand({ PortalProductId: productId }))).Tags],
      ] as const) {
        await h.v2.send(new TagResourceCommand({ ResourceArn: arn, Tags: { b: '2', c: '3' } }));
        const expected = arn === created.PortalArn ? { a: '1', b: '2', c: '3' } : { b: '2', c: '3' };
        assert.deepEqual((await h.v2.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, expected);
        assert.deepEqual(await read(), expected);
        await h.v2.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['b'] }));
        const { b: _b, ...remaining } = expected;
        assert.deepEqual((await h.v2.send(new GetTagsCommand({ ResourceArn: arn }))).Tags, remaining);
      }

      const before = await snapshot();
      const elsewhere = created.PortalArn!.replace(`:${account}:`, account === '999999999999' ? ':111111111111:' : ':999999999999:');
      await rejectsWith(h.v2.send(new GetTagsCommand({ ResourceArn: elsewhere })), 'NotFoundException');
      await rejectsWith(h.v2.send(new GetTagsCommand({ ResourceArn: created.PortalArn!.replace(`:${account}:`, '::') })), 'NotFoundException');
      await rejectsWith(h.v2.send(new TagResourceCommand({ ResourceArn: productArn('missing000'), Tags: { x: 'y' } })), 'NotFoundException');
      await rejectsWith(h.v2.send(new TagResourceCommand({ ResourceArn: created.PortalArn!, Tags: { 'aws:x': 'y' } })), 'BadRequestException');
      assert.deepEqual(await snapshot(), before);

      await h.v2.send(new DeletePortalCommand({ PortalId: created.PortalId! }));
      await h.v2.send(new DeletePortalProductCommand({ PortalProductId: productId }));
    });
  });
});
