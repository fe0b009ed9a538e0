const IPV4_MAPPED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * A client address as ECS `client.ip`/`source.ip` want it: an IPv4 client
 * of a dual-stack listener (`::ffff:203.0.113.9`, as Node reports it) as
 * the IPv4 address it is; any other value unchanged.
 */
export function clientAddress(address: string): string {
  return IPV4_MAPPED.exec(address)?.[1] ?? address;
}
