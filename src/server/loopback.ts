/** Loopback addresses and names: what the servers bind by default, and what browsers' requests are checked against. */

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::ffff:127.0.0.1';
}

/** The host name of a `Host` header or an `Origin` URL (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`). */
export function hostName(value: string): string {
  const host = value.includes('://') ? value.slice(value.indexOf('://') + 3) : value;
  const bare = host.split('/')[0]!;
  if (bare.startsWith('[')) return bare.slice(1, bare.indexOf(']'));
  return bare.split(':')[0]!.toLowerCase();
}
