/**
 * Success-shape scenarios (vpc-links), keyed like shapes.ts, after TestApiGatewayVpcLink's
 * test_vpc_link_lifecycle: a link to a Network Load Balancer is created, waited on until
 * AVAILABLE (the recording polls for it), then read, listed, renamed and deleted.
 */
import { call, shortUid, step, type Entry, type Step, type World } from './scenario.js';

const VL = (key: string): string => `TestApiGatewayVpcLink::test_vpc_link_lifecycle/${key}`;

/** An NLB ARN of the shape the recording's `<nlb-arn:1>` stands for. */
const NLB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/test-nlb/50dc6c495c0c9188';

const createLink = (): Step =>
  step(
    'CreateVpcLink',
    () => ({ name: `test-vpc-link-${shortUid()}`, targetArns: [NLB_ARN] }),
    (w, out) => {
      w.ids.vpcLink = out.id;
      w.ids.vpcLinkName = out.name;
    },
  );

/** Polls GetVpcLink until the link is AVAILABLE, as the recorded test waits before reading it. */
const untilAvailable = (): Step => ({
  op: 'GetVpcLink',
  async run(w: World) {
    const deadline = Date.now() + 30_000;
    while ((await w.send('GetVpcLink', { vpcLinkId: w.ids.vpcLink })).status !== 'AVAILABLE') {
      if (Date.now() > deadline) throw new Error(`VPC link ${w.ids.vpcLink} did not become AVAILABLE`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  },
});

/** The recording's account held only the lifecycle's link: links left by earlier scenarios go first. */
const noOtherLinks = (): Step => ({
  op: 'DeleteVpcLink',
  async run(w: World) {
    const { items = [] } = await w.send('GetVpcLinks', {});
    for (const link of items) await w.send('DeleteVpcLink', { vpcLinkId: link.id });
  },
});

export const VPC_LINK_SHAPE_SCENARIOS: Entry[] = [
  {
    id: VL('get_vpc_link'),
    setup: [createLink(), untilAvailable()],
    call: call('GetVpcLink', (w) => ({ vpcLinkId: w.ids.vpcLink })),
  },
  {
    id: VL('get_vpc_links'),
    setup: [noOtherLinks(), createLink(), untilAvailable()],
    call: call('GetVpcLinks', () => ({})),
  },
  {
    id: VL('update_vpc_link'),
    setup: [createLink(), untilAvailable()],
    call: call('UpdateVpcLink', (w) => ({
      vpcLinkId: w.ids.vpcLink,
      patchOperations: [{ op: 'replace', path: '/name', value: `${w.ids.vpcLinkName}-updated` }],
    })),
  },
  {
    id: VL('delete_vpc_link'),
    setup: [createLink(), untilAvailable()],
    call: call('DeleteVpcLink', (w) => ({ vpcLinkId: w.ids.vpcLink })),
  },
];
