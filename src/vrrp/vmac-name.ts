/**
 * VMAC interface names, as keepalived 2.2.7 picks them (create_vmac_name): `<prefix>.<VRID>`
 * first; when another VMAC has that name, `<prefix><n>.<VRID>` with n = 1, 2, 3… for IPv4 and
 * n = 6, 1, 2, 3, 4, 5, 7, 8… for IPv6. A name longer than an interface name allows (15) has
 * its prefix shortened. The prefix is `vmac_prefix` for an instance's VMAC and
 * `vmac_addr_prefix` (else `vmac_prefix`) for the VMACs of use_vmac_addr; both default to
 * "vrrp". Pure.
 */

const IFNAMSIZ = 16;

function fit(prefix: string, rest: string): string {
  const over = prefix.length + rest.length - (IFNAMSIZ - 1);
  return (over > 0 ? prefix.slice(0, prefix.length - over) : prefix) + rest;
}

export function vmacName(
  prefix: string,
  vrid: number,
  family: 4 | 6,
  taken: (name: string) => boolean,
): string {
  let name = fit(prefix, `.${vrid}`);
  let n = 0;
  // Bounded: 256 tries are far more than one host has VMACs for one VRID.
  for (let i = 0; i < 256 && taken(name); i++) {
    if (family === 6) n = n === 0 ? 6 : n === 6 ? 1 : n + 1 === 6 ? 7 : n + 1;
    else n++;
    name = fit(prefix, `${n}.${vrid}`);
  }
  return name;
}
