import dns from 'node:dns/promises';
import net from 'node:net';

/** Address ranges a webhook may never reach (SSRF): loopback, private, link-local, metadata, and the like. */
const BLOCKED = new net.BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 (embeds IPv4)
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
  ['fd00:ec2::254', 128], // AWS metadata over IPv6
] as const) {
  BLOCKED.addSubnet(prefix, bits, 'ipv6');
}

/** The IPv4 address an IPv4-mapped or -compatible IPv6 address carries (`::ffff:127.0.0.1`), if any. */
function embeddedIpv4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted?.[1]) return dotted[1];
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex?.[1] && hex[2]) {
    const a = parseInt(hex[1], 16);
    const b = parseInt(hex[2], 16);
    return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  return null;
}

/** Why `address` (an IP literal) may not be reached, or null when it is a public address. */
export function blockedAddressReason(address: string): string | null {
  const family = net.isIP(address);
  if (family === 0) return 'is not an IP address';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== null) return blockedAddressReason(v4);
  }
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6')
    ? `resolves to ${address}, a loopback, private, link-local or reserved address`
    : null;
}

/** Resolves a host name to all its addresses (IP literals resolve to themselves). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = async (host) => dns.lookup(host, { all: true, verbatim: true });

/** Whether the URL checks allow `http` and loopback/private addresses (development only). */
export interface UrlPolicy {
  readonly allowInsecure: boolean;
  readonly resolve: Resolver;
}

/** A URL that passed the checks, with the address to connect to (so DNS cannot change between check and connect). */
export interface CheckedUrl {
  readonly url: URL;
  readonly address: string;
  readonly family: number;
}

/** Thrown with a rule for `url` (a user-facing reason). */
export class UnsafeUrlError extends Error {}

/**
 * Parses and checks an endpoint URL: absolute, `https` (or `http` with `allowInsecure`),
 * no credentials, at most 2,000 characters, and every address its host resolves to public
 * (unless `allowInsecure`). Returns the first resolved address, to connect to.
 */
export async function checkEndpointUrl(raw: string, policy: UrlPolicy): Promise<CheckedUrl> {
  if (raw.length > 2000) throw new UnsafeUrlError('must have at most 2000 characters');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) throw new UnsafeUrlError('must use https');
  if (url.username || url.password) throw new UnsafeUrlError('must not contain credentials');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw new UnsafeUrlError('must name a host');
  let addresses: { address: string; family: number }[];
  try {
    addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await policy.resolve(host);
  } catch {
    throw new UnsafeUrlError(`host ${host} does not resolve`);
  }
  const first = addresses[0];
  if (!first) throw new UnsafeUrlError(`host ${host} does not resolve`);
  if (!policy.allowInsecure) {
    for (const { address } of addresses) {
      const reason = blockedAddressReason(address);
      if (reason !== null) throw new UnsafeUrlError(`must not reach a private network: ${host} ${reason}`);
    }
  }
  return { url, address: first.address, family: first.family };
}
