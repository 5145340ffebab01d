import type http from 'node:http';

/**
 * The client's address: the socket's peer, or, behind `trustedProxyHops` reverse proxies,
 * the address that many hops from the right of `X-Forwarded-For` (the part the proxies
 * wrote; what a client writes itself lies further left and is ignored). IPv4-mapped IPv6
 * addresses are returned as IPv4.
 */
export function clientIp(req: http.IncomingMessage, trustedProxyHops = 0): string {
  let address = req.socket.remoteAddress ?? '';
  if (trustedProxyHops > 0) {
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const forwarded = hops[hops.length - trustedProxyHops];
    if (forwarded) address = forwarded;
  }
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
