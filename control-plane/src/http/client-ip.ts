import { anyBlockContains, canonicalAddress, type IpBlock } from '../domain/ip';

/**
 * The client's address: the TCP peer (IPv4-mapped IPv6 unwrapped), or, when the peer is a trusted
 * proxy, the right-most `X-Forwarded-For` hop that is not itself a trusted proxy.
 */
export function clientIp(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: readonly IpBlock[]): string {
  let current = canonicalAddress(peer ?? '') ?? '0.0.0.0';
  if (trusted.length === 0 || !anyBlockContains(trusted, current) || !forwardedFor) return current;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim()).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = canonicalAddress(hops[i]!);
    if (!hop) break;
    current = hop;
    if (!anyBlockContains(trusted, hop)) break;
  }
  return current;
}
