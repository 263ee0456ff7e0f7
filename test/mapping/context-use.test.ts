/** Which `$context` variables a template can observe, and building only those. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContextUse, MappingTemplate, MethodParameters, TemplateContext } from '../../src/mapping/template.js';
import { contextMap } from '../../src/gateway/rest/context-variables.js';
import { Invocation } from '../../src/gateway/invocation.js';
import type { CompiledMethod, CompiledStage } from '../../src/gateway/rest/compile.js';
import type { InvokeTarget } from '../../src/gateway/dispatch.js';

const useOf = (source: string): ContextUse => MappingTemplate.compile(source).contextUse;
const names = (set: ReadonlySet<string> | null): string[] | null => (set === null ? null : [...set].sort());

describe('ContextUse.of', () => {
  it('lists the literal names a template reads', () => {
    const use = useOf('$context.stage "$context.requestId" #if($context.httpMethod == "GET")$context["resourcePath"]#end');
    assert.deepEqual(names(use.entries), ['httpMethod', 'requestId', 'resourcePath', 'stage']);
    assert.deepEqual(names(use.identity), []);
  });

  it('looks one level into identity', () => {
    const use = useOf('$context.identity.sourceIp $util.escapeJavaScript($context.identity.userAgent)');
    assert.deepEqual(names(use.entries), ['identity']);
    assert.deepEqual(names(use.identity), ['sourceIp', 'userAgent']);
  });

  it('counts writes, method arguments, interpolations and macro bodies', () => {
    const use = useOf(
      '#set($context.requestOverride.header.x = "$context.domainName")#macro(m $a)$context.path $a#end#m($context.protocol)$util.urlEncode($context.requestTime)',
    );
    assert.deepEqual(names(use.entries), ['domainName', 'path', 'protocol', 'requestOverride', 'requestTime']);
  });

  it('gives up on any use of the whole map', () => {
    for (const source of [
      '$context',
      '#set($c = $context)$c.stage',
      '$context.keySet()',
      '$context.get("stage")',
      '#foreach($v in $context)$v#end',
      '#set($k = "stage")$context[$k]',
      '#macro(m $c)$c.stage#end#m($context)',
      '#set($all = [$context])',
    ]) {
      const use = useOf(source);
      assert.equal(use.entries, null, source);
      assert.equal(use.identity, null, source);
    }
  });

  it('gives up on identity alone when identity is used whole', () => {
    const use = useOf('#set($id = $context.identity)$id.caller $context.stage');
    assert.deepEqual(names(use.entries), ['identity', 'stage']);
    assert.equal(use.identity, null);
  });

  it('walks a recursive macro once', () => {
    const use = useOf('#macro(r $n)#if($n > 0)$context.stage#r($n - 1)#end#end#r(3)');
    assert.deepEqual(names(use.entries), ['stage']);
  });

  it('needs nothing for a static template, and unions', () => {
    assert.equal(useOf('{"statusCode": 200}'), ContextUse.NONE);
    const both = useOf('$context.stage').union(useOf('$context.identity.caller'));
    assert.deepEqual(names(both.entries), ['identity', 'stage']);
    assert.deepEqual(names(both.identity), ['caller']);
    assert.equal(useOf('$context.stage').union(useOf('$context')).entries, null);
  });
});

describe('contextMap with a ContextUse', () => {
  let server: Server;
  let captured: IncomingMessage;

  before(async () => {
    server = createServer((req, res) => {
      captured = req;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: '/pets/7?q=1', headers: { 'User-Agent': 'probe/1.0' } }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      r.on('error', reject);
      r.end();
    });
  });

  after(() => server.close());

  const invocation = (): Invocation => {
    const stage = { accountId: '123456789012', apiId: 'abc123', deploymentId: 'dep1', stageName: 'prod', variables: {} } as unknown as CompiledStage;
    const method = { resourceId: 'res1' } as unknown as CompiledMethod;
    const target = { rawQuery: 'q=1', requestPath: '/pets/7' } as unknown as InvokeTarget;
    return new Invocation(captured, 'req-1', 'ext-1', target, stage, method, '/pets/{id}', { id: '7' }, 4566);
  };

  // Every template renders the same whether the gateway builds all of $context or only what it reads.
  const templates = [
    '$context.stage $context.requestId $context.identity.sourceIp $context.identity.userAgent [$context.identity.caller]',
    '$context.domainName $context.domainPrefix $context.protocol $context.path $context.resourcePath $context.httpMethod',
    '$context.accountId $context.apiId $context.deploymentId $context.isCanaryRequest $context.resourceId $context.requestTimeEpoch',
    '$context.authorizer.keySet() $context.error.size() [$context.extendedRequestId] [$context.awsEndpointRequestId]',
    '#set($context.requestOverride.header.x = "1")$context.requestOverride [$context.notAVariable]',
    '$context.identity.keySet() $context.identity.size()',
    '#set($id = $context.identity)$id.sourceIp $id.accountId',
    '$context.keySet() $context.size()',
  ];

  for (const source of templates) {
    it(`renders ${JSON.stringify(source.slice(0, 50))}… the same as with every entry`, () => {
      const template = MappingTemplate.compile(source);
      const inv = invocation();
      const render = (use: ContextUse): string =>
        template
          .render({
            input: { body: '', params: MethodParameters.fromRecords({ path: {}, querystring: {}, header: {} }) },
            context: new TemplateContext(contextMap(inv, use)),
            stageVariables: {},
          })
          .replace(/\d{13}/g, 'EPOCH');
      assert.equal(render(template.contextUse), render(ContextUse.ALL));
    });
  }

  it('builds only what the templates read', () => {
    const map = contextMap(invocation(), useOf('$context.stage $context.identity.sourceIp'));
    assert.deepEqual([...map.keys()], ['stage', 'identity']);
    assert.deepEqual([...(map.get('identity') as Map<string, unknown>).keys()], ['sourceIp']);
    assert.ok(contextMap(invocation()).size > 15);
  });
});
