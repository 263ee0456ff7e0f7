/**
 * IPv4 and IPv6 address blocks for the `IpAddress` / `NotIpAddress` policy conditions.
 *
 * A block is parsed once (when a policy is compiled) and membership is answered by Node's
 * `net.BlockList`, which keeps the ranges in numeric form. IPv4 and IPv6 blocks are kept in
 * separate lists and an address is only checked against its own family: `BlockList` on its own
 * treats IPv4 addresses as IPv4-mapped IPv6 ones, which would let `::/0` admit every IPv4 caller.
 * Because Node reports IPv4 clients on a dual-stack socket as `::ffff:a.b.c.d`, such addresses
 * (and blocks inside `::ffff:0:0/96`) are unwrapped to plain IPv4 first.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface Cidr {
  /** The address as written, without the prefix (host bits may be set, as AWS allows). */
  address: string;
  prefix: number;
  family: IpFamily;
}

export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

// A CIDR string longer than this is not an address block; checking it costs nothing further.
const MAX_CIDR_CHARS = 64;

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, an IPv6 address or an IPv6 block. A bare address is a /32 or
 * /128. Host bits are allowed (`123.4.5.6/24` is the 123.4.5.0/24 block), as the developer guide's
 * own example uses them.
 *
 * @example parseCidr('192.0.2.0/24') // { ok: true, cidr: { address: '192.0.2.0', prefix: 24, family: 'ipv4' } }
 */
export function parseCidr(text: string): CidrParseResult {
  if (text.length === 0 || text.length > MAX_CIDR_CHARS) return { ok: false, reason: 'is not an IP address or CIDR block' };
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  if (address.includes('%')) return { ok: false, reason: 'must not carry an IPv6 zone index' };
  let family: IpFamily;
  if (isIPv4(address)) family = 'ipv4';
  else if (isIPv6(address)) family = 'ipv6';
  else return { ok: false, reason: 'is not an IP address or CIDR block' };
  const max = family === 'ipv4' ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const digits = text.slice(slash + 1);
    const parsed = parsePrefix(digits);
    if (parsed === undefined || parsed > max) {
      return { ok: false, reason: `has an invalid prefix length (must be 0-${max})` };
    }
    prefix = parsed;
  }
  if (family === 'ipv6') {
    // ::ffff:a.b.c.d/120 is written by people who think in IPv6 but means an IPv4 block.
    const mapped = unwrapMapped(address);
    if (mapped !== undefined && prefix >= 96) return { ok: true, cidr: { address: mapped, prefix: prefix - 96, family: 'ipv4' } };
  }
  return { ok: true, cidr: { address, prefix, family } };
}

/**
 * A set of address blocks, built once, asked many times.
 *
 * @example new CidrSet([cidr]).contains('::ffff:192.0.2.7')
 */
export class CidrSet {
  private readonly v4 = new BlockList();
  private readonly v6 = new BlockList();
  private hasV4 = false;
  private hasV6 = false;

  constructor(cidrs: Iterable<Cidr>) {
    for (const c of cidrs) {
      if (c.family === 'ipv4') {
        this.v4.addSubnet(c.address, c.prefix, 'ipv4');
        this.hasV4 = true;
      } else {
        this.v6.addSubnet(c.address, c.prefix, 'ipv6');
        this.hasV6 = true;
      }
    }
  }

  /** True when `address` (a textual IPv4 or IPv6 address) lies in one of the blocks. Malformed → false. */
  contains(address: string): boolean {
    const ip = normalizeIp(address);
    if (ip === undefined) return false;
    if (ip.family === 'ipv4') return this.hasV4 && this.v4.check(ip.address, 'ipv4');
    return this.hasV6 && this.v6.check(ip.address, 'ipv6');
  }
}

/**
 * The family of an address as a policy sees it: IPv4-mapped IPv6 addresses become IPv4 and an
 * IPv6 zone index (`fe80::1%eth0`) is dropped. Undefined for anything that is not an address.
 */
export function normalizeIp(address: string): { address: string; family: IpFamily } | undefined {
  if (address.length === 0 || address.length > MAX_CIDR_CHARS) return undefined;
  if (isIPv4(address)) return { address, family: 'ipv4' };
  const zone = address.indexOf('%');
  const bare = zone < 0 ? address : address.slice(0, zone);
  if (!isIPv6(bare)) return undefined;
  const mapped = unwrapMapped(bare);
  return mapped === undefined ? { address: bare, family: 'ipv6' } : { address: mapped, family: 'ipv4' };
}

function parsePrefix(digits: string): number | undefined {
  if (digits.length === 0 || digits.length > 3) return undefined;
  let n = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:0:0/96`), in any textual form
 * (`::ffff:192.0.2.1`, `::ffff:c000:201`, `0:0:0:0:0:ffff:192.0.2.1`); undefined otherwise.
 * Expects an address `isIPv6` already accepted.
 */
function unwrapMapped(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (groups === undefined) return undefined;
  for (let i = 0; i < 5; i++) if (groups[i] !== 0) return undefined;
  if (groups[5] !== 0xffff) return undefined;
  const hi = groups[6]!;
  const lo = groups[7]!;
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** The eight 16-bit groups of an address `isIPv6` accepted (a dotted IPv4 tail included). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    // Rewrite the dotted tail as the two hex groups it stands for, then parse uniformly.
    const o = last.split('.').map(Number);
    if (o.length !== 4) return undefined;
    text = `${text.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const hexGroups = (part: string): number[] => (part.length === 0 ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const gap = text.indexOf('::');
  if (gap < 0) {
    const groups = hexGroups(text);
    return groups.length === 8 ? groups : undefined;
  }
  const head = hexGroups(text.slice(0, gap));
  const rest = hexGroups(text.slice(gap + 2));
  const fill = 8 - head.length - rest.length;
  if (fill < 0) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...rest];
}
