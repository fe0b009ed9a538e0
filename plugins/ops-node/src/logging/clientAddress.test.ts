import { clientAddress } from './clientAddress';

describe('clientAddress', () => {
  it('unmaps an IPv4 client of a dual-stack listener', () => {
    expect(clientAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientAddress('::FFFF:203.0.113.9')).toBe('203.0.113.9');
  });

  it('leaves other addresses as they are', () => {
    for (const address of [
      '203.0.113.9',
      '::1',
      '2001:db8::7',
      '::ffff:abcd',
      'unknown',
    ]) {
      expect(clientAddress(address)).toBe(address);
    }
  });
});
