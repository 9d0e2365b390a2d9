import { BlockList, isIP } from 'node:net';

/**
 * Address ranges an outbound call made on a user's behalf (a webhook delivery) must not reach unless an admin
 * allows them: this host, private networks, link-local and cloud metadata addresses, and the IPv6 forms that carry
 * an IPv4 address inside. Each with the name a refusal gives.
 */
const REFUSED_RANGES: readonly (readonly [string, number, 'ipv4' | 'ipv6', string])[] = [
  ['0.0.0.0', 8, 'ipv4', 'this network (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'ipv4', 'private (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'ipv4', 'shared address space (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'ipv4', 'link-local and metadata (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'ipv4', 'private (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'ipv4', 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.168.0.0', 16, 'ipv4', 'private (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'ipv4', 'benchmarking (198.18.0.0/15)'],
  ['224.0.0.0', 4, 'ipv4', 'multicast (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'ipv4', 'reserved and broadcast (240.0.0.0/4)'],
  // First match names the refusal: ::1 before the ::/96 around it (::, and the deprecated IPv4-compatible ::127.0.0.1).
  ['::1', 128, 'ipv6', 'loopback (::1)'],
  ['::', 96, 'ipv6', 'unspecified, loopback and IPv4-compatible (::/96)'],
  ['64:ff9b::', 96, 'ipv6', 'NAT64 (64:ff9b::/96)'],
  ['64:ff9b:1::', 48, 'ipv6', 'local-use NAT64 (64:ff9b:1::/48)'],
  ['2002::', 16, 'ipv6', '6to4 (2002::/16)'],
  ['fc00::', 7, 'ipv6', 'unique local (fc00::/7)'],
  ['fe80::', 10, 'ipv6', 'link-local (fe80::/10)'],
  ['fec0::', 10, 'ipv6', 'site-local (fec0::/10)'],
  ['ff00::', 8, 'ipv6', 'multicast (ff00::/8)'],
];

const REFUSED = REFUSED_RANGES.map(([network, prefix, family, name]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, name };
});

/** An IP address as `http://<host>/` would reach it: WHATWG URL parsing reads 0x7f.1, 2130706433 and 0177.0.0.1 as 127.0.0.1. */
export function canonicalAddress(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0) return bare.toLowerCase();
  let parsed: string;
  try {
    parsed = new URL(`http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}/`).hostname;
  } catch {
    return undefined;
  }
  const unbracketed = parsed.replace(/^\[(.*)\]$/, '$1');
  return isIP(unbracketed) !== 0 ? unbracketed : undefined;
}

/**
 * The refused range `address` (an IP address, in any spelling a URL accepts) lies in, or undefined when it may be
 * reached. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1) are judged as the IPv4 address they carry. `allowed`
 * ranges (an admin's allow-list) are reachable whatever else they are.
 */
export function refusedRange(address: string, allowed?: BlockList): string | undefined {
  const canonical = canonicalAddress(address);
  if (canonical === undefined) return 'not an IP address';
  const family = isIP(canonical) === 4 ? 'ipv4' : 'ipv6';
  if (allowed?.check(canonical, family)) return undefined;
  return REFUSED.find(({ list }) => list.check(canonical, family))?.name;
}

/**
 * An admin's allow-list, comma-separated CIDRs (`10.20.0.0/16, fd12::/64`; a bare address is one host), as a
 * BlockList; the reason when an entry is malformed.
 */
export function parseCidrList(text: string): BlockList | string {
  const list = new BlockList();
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)) {
    const match = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(entry);
    const address = match?.[1];
    const family = address === undefined ? 0 : isIP(address);
    if (match === null || address === undefined || family === 0) return `"${entry}" is not a CIDR such as 10.20.0.0/16 or fd12::/64`;
    const max = family === 4 ? 32 : 128;
    const prefix = match[2] === undefined ? max : Number(match[2]);
    if (prefix > max) return `"${entry}": the prefix length is at most ${max}`;
    list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
