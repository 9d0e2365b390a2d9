import { BlockList } from 'node:net';
import { canonicalAddress, parseCidrList, refusedRange } from './network-ranges';

describe("addresses an outbound call on a user's behalf must not reach", () => {
  it.each([
    // loopback, in every spelling a URL accepts
    ['127.0.0.1', 'loopback (127.0.0.0/8)'],
    ['127.255.255.254', 'loopback (127.0.0.0/8)'],
    ['2130706433', 'loopback (127.0.0.0/8)'],
    ['0x7f000001', 'loopback (127.0.0.0/8)'],
    ['0x7f.0.0.1', 'loopback (127.0.0.0/8)'],
    ['0177.0.0.1', 'loopback (127.0.0.0/8)'],
    ['127.1', 'loopback (127.0.0.0/8)'],
    ['::1', 'loopback (::1)'],
    ['[::1]', 'loopback (::1)'],
    ['0:0:0:0:0:0:0:1', 'loopback (::1)'],
    ['::ffff:127.0.0.1', 'loopback (127.0.0.0/8)'],
    ['[::ffff:7f00:1]', 'loopback (127.0.0.0/8)'],
    ['::127.0.0.1', 'unspecified, loopback and IPv4-compatible (::/96)'],
    ['0.0.0.0', 'this network (0.0.0.0/8)'],
    ['::', 'unspecified, loopback and IPv4-compatible (::/96)'],
    // private
    ['10.1.2.3', 'private (10.0.0.0/8)'],
    ['167772161', 'private (10.0.0.0/8)'],
    ['172.16.0.1', 'private (172.16.0.0/12)'],
    ['172.31.255.255', 'private (172.16.0.0/12)'],
    ['192.168.1.1', 'private (192.168.0.0/16)'],
    ['0xc0a80101', 'private (192.168.0.0/16)'],
    ['::ffff:192.168.1.1', 'private (192.168.0.0/16)'],
    ['fc00::1', 'unique local (fc00::/7)'],
    ['fd00:ec2::254', 'unique local (fc00::/7)'],
    // link-local and metadata
    ['169.254.169.254', 'link-local and metadata (169.254.0.0/16)'],
    ['2852039166', 'link-local and metadata (169.254.0.0/16)'],
    ['0xa9fea9fe', 'link-local and metadata (169.254.0.0/16)'],
    ['::ffff:169.254.169.254', 'link-local and metadata (169.254.0.0/16)'],
    ['fe80::1', 'link-local (fe80::/10)'],
    ['100.100.100.200', 'shared address space (100.64.0.0/10)'],
    // IPv4 inside IPv6 by translation
    ['64:ff9b::7f00:1', 'NAT64 (64:ff9b::/96)'],
    ['2002:7f00:1::', '6to4 (2002::/16)'],
    ['224.0.0.1', 'multicast (224.0.0.0/4)'],
    ['255.255.255.255', 'reserved and broadcast (240.0.0.0/4)'],
  ])('refuses %s: %s', (address, range) => {
    expect(refusedRange(address)).toBe(range);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '134744072'])('lets %s through', (address) => {
    expect(refusedRange(address)).toBeUndefined();
  });

  it('lets through what an admin allow-listed, and only that', () => {
    const allowed = new BlockList();
    allowed.addSubnet('127.0.0.0', 8, 'ipv4');

    expect(refusedRange('127.0.0.1', allowed)).toBeUndefined();
    expect(refusedRange('::ffff:127.0.0.1', allowed)).toBeUndefined();
    expect(refusedRange('10.0.0.1', allowed)).toBe('private (10.0.0.0/8)');
  });

  it('refuses what is not an IP address at all (a name is resolved first, then its addresses judged)', () => {
    expect(refusedRange('example.com')).toBe('not an IP address');
    expect(canonicalAddress('example.com')).toBeUndefined();
    expect(canonicalAddress('0x7f.1')).toBe('127.0.0.1');
  });
});

describe("an admin's allow-list of ranges", () => {
  it('reads comma-separated CIDRs and bare addresses, IPv4 and IPv6', () => {
    const list = parseCidrList(' 10.20.0.0/16, fd12::/64 ,192.168.1.7');
    if (typeof list === 'string') throw new Error(list);
    expect(refusedRange('10.20.3.4', list)).toBeUndefined();
    expect(refusedRange('fd12::5', list)).toBeUndefined();
    expect(refusedRange('192.168.1.7', list)).toBeUndefined();
    expect(refusedRange('192.168.1.8', list)).toBe('private (192.168.0.0/16)');
    expect(refusedRange('10.21.0.1', list)).toBe('private (10.0.0.0/8)');
  });

  it.each(['10.0.0.0/33', 'fd12::/129', 'example.com/8', '10.0.0/8', '10.0.0.0/x'])('refuses %s with the reason', (text) => {
    expect(parseCidrList(text)).toEqual(expect.stringContaining(text.split('/')[0] ?? text));
  });
});
