import { blockContains, canonicalIpBlock, canonicalIpBlocks, InvalidIpError, parseClientAddress, parseIpBlock } from '../../client/cidr';

describe('canonicalIpBlock', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1/32'],
    ['10.0.0.1/32', '10.0.0.1/32'],
    [' 192.168.0.0/16 ', '192.168.0.0/16'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000::/32', '2001:db8::/32'],
    ['::1', '::1/128'],
    ['::', '::/128'],
    ['::/0', '::/0'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1/128'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1/128'],
    ['fe80:0:0:0:0:0:0:0/10', 'fe80::/10'],
    ['::ffff:10.0.0.1', '10.0.0.1/32'],
    ['::ffff:10.0.0.0/120', '10.0.0.0/24'],
    ['::ffff:0a00:0001', '10.0.0.1/32'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0/128'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalIpBlock(input)).toBe(expected);
  });

  it.each([
    ['10.0.0.1/24', /did you mean 10\.0\.0\.0\/24/],
    ['2001:db8::1/32', /did you mean 2001:db8::\/32/],
    ['10.0.0.256', /expected an IPv4 or IPv6/],
    ['010.0.0.1', /expected an IPv4 or IPv6/],
    ['10.0.0', /expected an IPv4 or IPv6/],
    ['10.0.0.1/33', /prefix length must be an integer from 0 to 32/],
    ['::1/129', /from 0 to 128/],
    ['10.0.0.1/', /prefix length/],
    ['1::2::3', /expected/],
    ['fe80::1%eth0', /expected/],
    ['1:2:3:4:5:6:7:8:9', /expected/],
    ['not-an-ip', /expected/],
    ['', /expected/],
  ])('refuses %s', (input, message) => {
    expect(() => canonicalIpBlock(input)).toThrow(InvalidIpError);
    expect(() => canonicalIpBlock(input)).toThrow(message);
  });

  it('sorts and de-duplicates spellings of one block', () => {
    expect(canonicalIpBlocks(['2001:db8::/32', '10.0.0.1', '10.0.0.1/32', '9.0.0.0/8', '2001:DB8::/32'])).toEqual([
      '9.0.0.0/8',
      '10.0.0.1/32',
      '2001:db8::/32',
    ]);
  });
});

describe('blockContains', () => {
  const contains = (block: string, addr: string) => blockContains(parseIpBlock(block), parseClientAddress(addr)!);
  it('matches addresses inside the block only', () => {
    expect(contains('10.0.0.0/8', '10.255.1.2')).toBe(true);
    expect(contains('10.0.0.0/8', '11.0.0.1')).toBe(false);
    expect(contains('0.0.0.0/0', '203.0.113.9')).toBe(true);
    expect(contains('2001:db8::/32', '2001:db8:ffff::1')).toBe(true);
    expect(contains('2001:db8::/32', '2001:db9::1')).toBe(false);
    expect(contains('10.0.0.1/32', '::ffff:10.0.0.1')).toBe(true);
    expect(contains('::/0', '10.0.0.1')).toBe(false);
  });
  it('does not treat a block as a client address', () => {
    expect(parseClientAddress('10.0.0.0/8')).toBeUndefined();
    expect(parseClientAddress('garbage')).toBeUndefined();
  });
});
