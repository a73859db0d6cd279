// The network a client address belongs to, for the per-network failure budget: the /24 of
// an IPv4 address (also when written IPv4-mapped, ::ffff:a.b.c.d), the /64 of an IPv6 one.
import { isIPv4, isIPv6 } from 'node:net';

function expandIPv6(address: string): string[] {
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') ? (tail ? tail.split(':') : []) : [];
  const fill = address.includes('::') ? new Array(8 - left.length - right.length).fill('0') : [];
  return [...left, ...fill, ...right];
}

export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const v4 = mapped ?? address;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(address)) return `${expandIPv6(address.toLowerCase().split('%')[0]).slice(0, 4).map((h) => h.replace(/^0+(?=.)/, '')).join(':')}::/64`;
  return address.slice(0, 64);
}
