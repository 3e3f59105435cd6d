// Canonical form of IP addresses and CIDR blocks, shared by the control plane (which stores and
// returns this form) and the provider (which must treat `10.0.0.1` and `10.0.0.1/32`, or two
// spellings of one IPv6 block, as the same value so that plans never show a false difference).

export interface IpBlock {
  readonly family: 4 | 6;
  /** Network address as an unsigned integer (32 or 128 bits). */
  readonly network: bigint;
  readonly prefix: number;
}

export class InvalidIpError extends Error {
  constructor(readonly input: string, reason: string) {
    super(`"${input}" is not a valid IP address or CIDR block: ${reason}`);
    this.name = 'InvalidIpError';
  }
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Leading zeros are refused: some parsers read them as octal, so their meaning is ambiguous.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  if (text.includes('%')) return undefined; // zone IDs name an interface, not an address
  let groups: string[];
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string) => (s === '' ? [] : s.split(':'));
  let head = split(halves[0]);
  let tail = halves.length === 2 ? split(halves[1]) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = halves.length === 2 ? tail : head;
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    const v4 = parseIPv4(last[last.length - 1]);
    if (v4 === undefined) return undefined;
    last.splice(last.length - 1, 1, ((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
    if (halves.length === 2) tail = last; else head = last;
  }
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...Array(missing).fill('0'), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    value = (value << 16n) | BigInt(parseInt(g, 16));
  }
  return value;
}

// ::ffff:0:0/96, the IPv4-mapped range: the upper 96 bits are 0…0ffff.
const V4_MAPPED_HIGH = 0xffffn;

/** Parses an address or CIDR block. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) becomes IPv4. */
export function parseIpBlock(input: string): IpBlock {
  const text = input.trim();
  const slash = text.indexOf('/');
  const addrText = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? undefined : text.slice(slash + 1);
  let family: 4 | 6;
  let address = parseIPv4(addrText);
  if (address !== undefined) {
    family = 4;
  } else {
    address = parseIPv6(addrText);
    if (address === undefined) throw new InvalidIpError(input, 'expected an IPv4 or IPv6 address, optionally with /prefix');
    family = 6;
  }
  const bits = family === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
      throw new InvalidIpError(input, `the prefix length must be an integer from 0 to ${bits}`);
    }
    prefix = Number(prefixText);
  }
  if (family === 6 && address >> 32n === V4_MAPPED_HIGH && prefix >= 96) {
    family = 4;
    address &= 0xffffffffn;
    prefix -= 96;
  }
  const width = family === 4 ? 32 : 128;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((address & hostMask) !== 0n) {
    const network = formatIpBlock({ family, network: address & ~hostMask & ((1n << BigInt(width)) - 1n), prefix });
    throw new InvalidIpError(input, `it has bits set to the right of the /${prefix} mask; did you mean ${network}?`);
  }
  return { family, network: address, prefix };
}

function formatIPv6(value: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run of two or more zero groups (the first one on a tie).
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIpBlock(block: IpBlock): string {
  if (block.family === 4) {
    const v = block.network;
    const octets = [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn));
    return `${octets.join('.')}/${block.prefix}`;
  }
  return `${formatIPv6(block.network)}/${block.prefix}`;
}

/** `10.0.0.1` → `10.0.0.1/32`; `2001:DB8:0::/32` → `2001:db8::/32`. Throws InvalidIpError. */
export function canonicalIpBlock(input: string): string {
  return formatIpBlock(parseIpBlock(input));
}

/** Canonical, sorted, de-duplicated. Throws the first InvalidIpError. */
export function canonicalIpBlocks(inputs: readonly string[]): string[] {
  return [...new Set(inputs.map(canonicalIpBlock))].sort(compareIpBlocks);
}

function compareIpBlocks(a: string, b: string): number {
  const x = parseIpBlock(a), y = parseIpBlock(b);
  if (x.family !== y.family) return x.family - y.family;
  if (x.network !== y.network) return x.network < y.network ? -1 : 1;
  return x.prefix - y.prefix;
}

/** Parses a bare client address (no prefix), unwrapping IPv4-mapped IPv6. Undefined if invalid. */
export function parseClientAddress(input: string): IpBlock | undefined {
  try {
    const block = parseIpBlock(input);
    return block.prefix === (block.family === 4 ? 32 : 128) ? block : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a single address lies inside a block. */
export function blockContains(block: IpBlock, address: IpBlock): boolean {
  if (block.family !== address.family) return false;
  const width = block.family === 4 ? 32 : 128;
  const shift = BigInt(width - block.prefix);
  return address.network >> shift === block.network >> shift;
}
