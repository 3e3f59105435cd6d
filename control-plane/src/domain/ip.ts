// IP allowlists on top of the one canonical CIDR module shared with the provider (client/cidr.ts),
// so that the form the control plane stores and returns is exactly the one the provider compares.
import {
  InvalidIpError,
  blockContains,
  canonicalIpBlocks,
  formatIpBlock,
  parseClientAddress,
  parseIpBlock as parseBlock,
  type IpBlock,
} from '../../../client/cidr';

export type { IpBlock };

export function parseIpBlock(input: string): { ok: true; block: IpBlock } | { ok: false; reason: string } {
  try {
    return { ok: true, block: parseBlock(input) };
  } catch (err) {
    if (err instanceof InvalidIpError) return { ok: false, reason: err.message.replace(/^"[^"]*" is not a valid IP address or CIDR block: /, '') };
    throw err;
  }
}

/** Canonical text of a bare address (IPv4-mapped IPv6 unwrapped, no `/prefix`), or undefined. */
export function canonicalAddress(text: string): string | undefined {
  if (text.includes('/')) return undefined;
  const a = parseClientAddress(text.trim());
  return a ? formatIpBlock(a).replace(/\/\d+$/, '') : undefined;
}

export function anyBlockContains(blocks: readonly IpBlock[], addressText: string | undefined): boolean {
  if (!addressText || addressText.includes('/')) return false;
  const address = parseClientAddress(addressText);
  return !!address && blocks.some((b) => blockContains(b, address));
}

/** Canonical, sorted, de-duplicated; or the first invalid value with its reason. */
export function canonicalizeAllowedIps(values: readonly string[]): { ok: true; value: string[] } | { ok: false; value: string; reason: string } {
  for (const v of values) {
    const parsed = parseIpBlock(v);
    if (!parsed.ok) return { ok: false, value: v, reason: parsed.reason };
  }
  return { ok: true, value: canonicalIpBlocks(values) };
}

export function blocksFromCanonical(values: readonly string[]): IpBlock[] {
  return values.map((v) => parseBlock(v));
}
