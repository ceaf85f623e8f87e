// Lab tests build network namespaces, so they need root. Tests call requireRoot() first and
// fail (not skip) with one clear line when it is missing.
export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return;
  throw new Error(
    'lab tests need root: they create network namespaces, veths and nftables rules (run as root, e.g. sudo)',
  );
}
