/**
 * The global condition keys of a data-plane request, as resource policies and IAM identity
 * policies see them: the time, the transport, the client's headers, and where the client is —
 * `aws:SourceIp` for a client on no configured network, or `aws:VpcSourceIp`, `aws:SourceVpc` and
 * `aws:SourceVpce` for one on a network PORTICO_NETWORKS describes (AWS gives VPC endpoint
 * traffic no `aws:SourceIp`).
 */
import type { Invocation } from '../gateway/invocation.js';
import { normalizeIp } from './cidr.js';
import type { Networks } from './networks.js';
import type { RequestContext } from './policy.js';

export function requestConditions(inv: Invocation, networks: Networks, extra?: Partial<RequestContext>): RequestContext {
  const headers = inv.req.headers;
  const context: RequestContext = {
    currentTime: new Date(inv.requestTimeEpoch),
    // execute-api is only served over HTTPS on AWS.
    secureTransport: true,
    userAgent: headers['user-agent'],
    referer: headers.referer,
    ...extra,
  };
  const ip = normalizeIp(inv.req.socket.remoteAddress ?? '')?.address;
  if (ip === undefined) return context;
  const origin = networks.lookup(ip);
  if (origin === undefined) {
    context.sourceIp = ip;
  } else {
    context.vpcSourceIp = ip;
    context.sourceVpc = origin.vpc;
    context.sourceVpce = origin.vpce;
  }
  return context;
}
