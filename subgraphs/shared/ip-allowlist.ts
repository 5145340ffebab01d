import { BlockList, isIP } from 'node:net';

/** Most entries an API key's IP allowlist may hold. */
export const MAX_IP_ALLOWLIST_ENTRIES = 50;

/** The 16-bit groups of an IPv6 address (already checked by `isIP`), an embedded IPv4 tail included. */
function ipv6Groups(address: string): number[] {
  let text = address.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = tail[1].split('.').map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  if (rest === undefined) return left;
  const right = parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** RFC 5952 text of eight 16-bit groups: lower case, the first longest run of two or more zero groups as `::`. */
function formatIpv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Clears the bits of `values` (each `width` bits wide) past the first `prefix`. */
function mask(values: readonly number[], width: number, prefix: number): number[] {
  return values.map((value, i) => {
    const keep = Math.max(0, Math.min(width, prefix - i * width));
    return keep === 0 ? 0 : value & ((((1 << keep) - 1) << (width - keep)) >>> 0);
  });
}

/**
 * Normalises a CIDR range: `a.b.c.d/n` for IPv4, the RFC 5952 form `…/n` for IPv6, with
 * the host bits cleared (`10.1.2.3/8` becomes `10.0.0.0/8`). A bare address becomes a /32
 * (IPv4) or /128 (IPv6) range. Throws an Error saying what is wrong for anything else
 * (zone ids, prefixes out of range, malformed addresses).
 */
export function parseCidr(value: string): string {
  const text = value.trim();
  const parts = text.split('/');
  if (parts.length > 2) throw new Error(`${JSON.stringify(value)} is not an IP address or CIDR range: more than one "/"`);
  const [address = '', prefixText] = parts;
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0) throw new Error(`${JSON.stringify(value)} is not an IP address or CIDR range such as 203.0.113.0/24 or 2001:db8::/32`);
  const bits = version === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
      throw new Error(`${JSON.stringify(value)} has a prefix length that is not an integer from 0 to ${bits}`);
    }
    prefix = Number(prefixText);
  }
  if (version === 4) return `${mask(address.split('.').map(Number), 8, prefix).join('.')}/${prefix}`;
  return `${formatIpv6(mask(ipv6Groups(address), 16, prefix))}/${prefix}`;
}

// Allowlists come from cached verdicts, so one array is checked many times: build its BlockList once.
const blockLists = new WeakMap<readonly string[], BlockList>();

function blockListOf(cidrs: readonly string[]): BlockList {
  let list = blockLists.get(cidrs);
  if (!list) {
    list = new BlockList();
    for (const cidr of cidrs) {
      let range: string;
      try {
        range = parseCidr(cidr);
      } catch {
        // Entries are validated when stored; one that is not a range allows nothing (fail closed).
        continue;
      }
      const [address = '', prefix = ''] = range.split('/');
      list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
    }
    blockLists.set(cidrs, list);
  }
  return list;
}

/**
 * True when `ip` falls in one of `cidrs` (ranges as `parseCidr` accepts them). An empty list
 * allows every address. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`, as a dual-stack
 * socket reports IPv4 peers) match IPv4 ranges; a zone id (`fe80::1%eth0`) is ignored.
 * Anything that is not an IP address is not allowed by a non-empty list.
 */
export function ipAllowed(ip: string, cidrs: readonly string[]): boolean {
  if (cidrs.length === 0) return true;
  const address = ip.trim().replace(/%.*$/, '');
  const version = isIP(address);
  if (version === 0) return false;
  return blockListOf(cidrs).check(address, version === 4 ? 'ipv4' : 'ipv6');
}
