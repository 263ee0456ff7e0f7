/**
 * Local stand-ins for VPCs: address blocks whose clients count as arriving through a VPC
 * endpoint, so resource policies with `aws:SourceVpc` / `aws:SourceVpce` conditions (private
 * APIs) can be exercised on one machine.
 *
 * Configured with a JSON object mapping a CIDR block to the VPC and VPC endpoint its clients
 * come from, in the `PORTICO_NETWORKS` environment variable or the `networks` option of
 * `Portico.start` (the option's entries win):
 *
 *   PORTICO_NETWORKS='{"10.1.0.0/16": {"vpc": "vpc-0a1b2c3d", "vpce": "vpce-0123456789abcdef0"}}'
 *
 * The most specific block containing the client address wins. As on AWS, a request that came
 * through a VPC endpoint has no `aws:SourceIp`; its address is `aws:VpcSourceIp` instead.
 */
import { CidrSet, normalizeIp, parseCidr, type Cidr } from './cidr.js';

/** The VPC and VPC endpoint clients of one block arrive through. */
export interface NetworkOrigin {
  vpc?: string;
  vpce?: string;
}

/** At most this many blocks: the lookup is a scan, and real setups name a handful. */
export const MAX_NETWORKS = 256;

const VPC_ID = /^vpc-[0-9a-z]{1,32}$/;
const VPCE_ID = /^vpce-[0-9a-z]{1,32}$/;

interface Block {
  cidr: Cidr;
  set: CidrSet;
  origin: NetworkOrigin;
}

export class Networks {
  private constructor(private readonly blocks: readonly Block[]) {}

  static readonly EMPTY = new Networks([]);

  /**
   * Parses a mapping of CIDR block → `{vpc, vpce}` (an object, or its JSON text).
   * @throws Error naming every malformed entry, with `source` (where the mapping came from).
   */
  static parse(input: unknown, source: string): Networks {
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input);
      } catch (err) {
        throw new Error(`${source} is not JSON: ${(err as Error).message}`);
      }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error(`${source} must be an object mapping CIDR blocks to {"vpc": "vpc-…", "vpce": "vpce-…"}`);
    }
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length > MAX_NETWORKS) throw new Error(`${source} names ${entries.length} blocks; at most ${MAX_NETWORKS} are allowed`);
    const problems: string[] = [];
    const blocks: Block[] = [];
    for (const [block, raw] of entries) {
      const parsed = parseCidr(block);
      if (!parsed.ok) {
        problems.push(`${JSON.stringify(block)} ${parsed.reason}`);
        continue;
      }
      const origin = readOrigin(raw);
      if (typeof origin === 'string') {
        problems.push(`${JSON.stringify(block)}: ${origin}`);
        continue;
      }
      blocks.push({ cidr: parsed.cidr, set: new CidrSet([parsed.cidr]), origin });
    }
    if (problems.length > 0) throw new Error(`${source}: ${problems.join('; ')}`);
    // Longest prefix first, so the first block that contains an address is the most specific.
    blocks.sort((a, b) => b.cidr.prefix - a.cidr.prefix);
    return new Networks(blocks);
  }

  /** The configured networks: `PORTICO_NETWORKS`, then `option` entries over it. */
  static configure(env: NodeJS.ProcessEnv, option: Readonly<Record<string, NetworkOrigin>> | undefined): Networks {
    const fromEnv = env.PORTICO_NETWORKS;
    const merged: Record<string, unknown> = {};
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      const parsed = Networks.parse(fromEnv, 'PORTICO_NETWORKS');
      for (const b of parsed.blocks) merged[`${b.cidr.address}/${b.cidr.prefix}`] = b.origin;
    }
    if (option) Object.assign(merged, option);
    return Object.keys(merged).length === 0 ? Networks.EMPTY : Networks.parse(merged, 'the networks option');
  }

  get size(): number {
    return this.blocks.length;
  }

  /** The origin of a client address, or undefined when it is in no configured block. */
  lookup(address: string): NetworkOrigin | undefined {
    if (this.blocks.length === 0 || normalizeIp(address) === undefined) return undefined;
    for (const b of this.blocks) if (b.set.contains(address)) return b.origin;
    return undefined;
  }
}

function readOrigin(raw: unknown): NetworkOrigin | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'must be an object with "vpc" and/or "vpce"';
  const out: NetworkOrigin = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'vpc' && typeof value === 'string' && VPC_ID.test(value)) out.vpc = value;
    else if (key === 'vpce' && typeof value === 'string' && VPCE_ID.test(value)) out.vpce = value;
    else if (key === 'vpc' || key === 'vpce') return `"${key}" must look like ${key}-0123abcd, got ${JSON.stringify(value)}`;
    else return `unknown member "${key}" (expected "vpc", "vpce")`;
  }
  if (out.vpc === undefined && out.vpce === undefined) return 'names neither "vpc" nor "vpce"';
  return out;
}
