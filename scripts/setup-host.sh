#!/usr/bin/env bash
# Installs the Debian packages the tests, lab and demo need (idempotent: only
# what is missing, so a second run takes a second). Needs root.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t want < <(grep -hv "^\s*#" scripts/*packages.txt 2>/dev/null | awk 'NF{print $1}' | sort -u)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-host: these Debian packages are missing and installing them needs root: ${missing[*]}" >&2
  exit 1
fi
echo "setup-host: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts some daemons on install; the lab runs its own copies in namespaces.
for svc in keepalived nginx bird frr opensmtpd dnsmasq haproxy; do
  systemctl disable --now "$svc" >/dev/null 2>&1 || service "$svc" stop >/dev/null 2>&1 || true
  pkill -x "$svc" >/dev/null 2>&1 || true
done
# FRR's daemons have names of their own.
pkill -x -f '/usr/lib/frr/(watchfrr|zebra|bfdd|vrrpd|staticd|mgmtd).*' >/dev/null 2>&1 || true
