import { describe, expect, it } from 'vitest';
import { ipAllowed, parseCidr } from '../../../subgraphs/shared/ip-allowlist.ts';

describe('parseCidr', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7/32'],
    [' 203.0.113.7/32 ', '203.0.113.7/32'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['192.168.1.200/25', '192.168.1.128/25'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['172.16.5.4/12', '172.16.0.0/12'],
    ['2001:DB8::1', '2001:db8::1/128'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001/64', '2001:db8::/64'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['2001:db8:abcd:12ff::/56', '2001:db8:abcd:1200::/56'],
    ['::1', '::1/128'],
    ['::/0', '::/0'],
    ['fe80::/10', 'fe80::/10'],
    ['::ffff:10.1.2.3/104', '::ffff:a00:0/104'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3/128'],
  ])('should normalise %j to %j', (input, expected) => {
    expect(parseCidr(input)).toBe(expected);
  });

  it('should give the same range for every spelling of it', () => {
    expect(new Set(['2001:db8::/32', '2001:0DB8:0:0::/32', '2001:db8:ffff::/32'].map(parseCidr))).toEqual(new Set(['2001:db8::/32']));
  });

  it.each([
    ['', 'is not an IP address'],
    ['example.com', 'is not an IP address'],
    ['256.1.1.1', 'is not an IP address'],
    ['1.2.3', 'is not an IP address'],
    ['01.2.3.4', 'is not an IP address'],
    ['fe80::1%eth0', 'is not an IP address'],
    ['1.2.3.4/33', 'prefix length that is not an integer from 0 to 32'],
    ['1.2.3.4/-1', 'prefix length'],
    ['1.2.3.4/', 'prefix length'],
    ['1.2.3.4/8.0', 'prefix length'],
    ['2001:db8::/129', 'from 0 to 128'],
    ['1.2.3.4/8/8', 'more than one "/"'],
  ])('should refuse %j saying why', (input, message) => {
    expect(() => parseCidr(input)).toThrow(message);
  });
});

describe('ipAllowed', () => {
  it('should allow any address when the list is empty', () => {
    expect(ipAllowed('203.0.113.7', [])).toBe(true);
    expect(ipAllowed('2001:db8::1', [])).toBe(true);
  });

  it('should allow addresses inside the ranges and refuse the others', () => {
    const list = ['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32'];
    expect(ipAllowed('203.0.113.0', list)).toBe(true);
    expect(ipAllowed('203.0.113.255', list)).toBe(true);
    expect(ipAllowed('203.0.114.0', list)).toBe(false);
    expect(ipAllowed('198.51.100.7', list)).toBe(true);
    expect(ipAllowed('198.51.100.8', list)).toBe(false);
    expect(ipAllowed('2001:db8:ffff::1', list)).toBe(true);
    expect(ipAllowed('2001:db9::1', list)).toBe(false);
  });

  it('should match IPv4-mapped IPv6 addresses against IPv4 ranges', () => {
    expect(ipAllowed('::ffff:127.0.0.1', ['127.0.0.0/8'])).toBe(true);
    expect(ipAllowed('::ffff:7f00:1', ['127.0.0.1'])).toBe(true);
    expect(ipAllowed('::ffff:10.0.0.1', ['127.0.0.0/8'])).toBe(false);
  });

  it('should ignore a zone id in the address checked', () => {
    expect(ipAllowed('fe80::1%eth0', ['fe80::/10'])).toBe(true);
    expect(ipAllowed('fe80::1%eth0', ['2001:db8::/32'])).toBe(false);
  });

  it('should refuse something that is not an address when the list is not empty', () => {
    expect(ipAllowed('localhost', ['127.0.0.0/8'])).toBe(false);
    expect(ipAllowed('', ['0.0.0.0/0'])).toBe(false);
  });

  it('should allow nothing through an entry that is not a range', () => {
    expect(ipAllowed('10.0.0.1', ['not a range'])).toBe(false);
    expect(ipAllowed('10.0.0.1', ['not a range', '10.0.0.0/8'])).toBe(true);
  });

  it('should give the same answers when one list is checked again', () => {
    const list = ['10.0.0.0/8'];
    expect(ipAllowed('10.9.9.9', list)).toBe(true);
    expect(ipAllowed('11.0.0.1', list)).toBe(false);
    expect(ipAllowed('10.0.0.1', list)).toBe(true);
  });
});
