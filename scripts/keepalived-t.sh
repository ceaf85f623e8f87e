#!/bin/sh
# Run `keepalived -t` on one config inside a throw-away network namespace that holds
# only lo, eth0 and eth1 (a veth pair with TEST-NET addresses): the environment of
# test/lab/config-parity.test.ts. Prints keepalived's messages (stderr, unfiltered)
# and then its exit code, and exits with that code. Needs root.
#
# A file under test/fixtures/configs/ is run from a temp copy of that folder prepared
# like the parity test does it (@FIXTURES@ substituted, scripts and *.exec.conf 0755,
# world-writable/ dirs 0777), so fixture cases can be checked by hand.
#
# Usage: scripts/keepalived-t.sh FILE [CONFIG_ID]
set -u
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 FILE [CONFIG_ID]" >&2
  exit 2
fi
file=$1
id=${2:-}
ns="sa-kt-$$"
tmp=""
fixtures=$(cd "$(dirname "$0")/../test/fixtures/configs" 2>/dev/null && pwd -P)

cleanup() {
  ip netns del "$ns" 2>/dev/null
  [ -n "$tmp" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

abs=$(realpath -m -- "$file")
case "$abs" in
  "$fixtures"/*)
    tmp=$(mktemp -d)
    cp -R "$fixtures"/. "$tmp"/
    grep -rl '@FIXTURES@' "$tmp" | while IFS= read -r f; do
      sed -i "s#@FIXTURES@#$tmp#g" "$f"
    done
    find "$tmp" -type d -exec chmod 0755 {} +
    find "$tmp" -type f -exec chmod 0644 {} +
    find "$tmp" -type f \( -name '*.sh' -o -name '*.exec.conf' \) -exec chmod 0755 {} +
    find "$tmp" -type d -name world-writable -exec chmod 0777 {} +
    abs="$tmp${abs#"$fixtures"}"
    echo "(running a prepared copy: $abs)"
    ;;
esac

ip netns add "$ns" || exit 2
ip -n "$ns" link set lo up
ip -n "$ns" link add eth0 type veth peer name eth1
ip -n "$ns" addr add 192.0.2.1/24 dev eth0
ip -n "$ns" addr add 198.51.100.1/24 dev eth1
ip -n "$ns" -6 addr add 2001:db8:1::1/64 dev eth0 nodad
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up

if [ -n "$id" ]; then
  ip netns exec "$ns" timeout 10 keepalived -t -f "$abs" -i "$id"
else
  ip netns exec "$ns" timeout 10 keepalived -t -f "$abs"
fi
rc=$?
echo "exit code: $rc"
exit "$rc"
