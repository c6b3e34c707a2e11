#!/usr/bin/env bash
# Installs the Debian packages the Doorkeeper test target runs on, when one is missing:
# Rails 6.1, Doorkeeper 5.5, ruby-jwt, sqlite3, bcrypt and puma. Nothing comes from RubyGems.
set -euo pipefail
PACKAGES=(ruby-rails ruby-doorkeeper ruby-doorkeeper-openid-connect ruby-jwt ruby-sqlite3 ruby-bcrypt puma)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "doorkeeper target: missing Debian packages: ${missing[*]} (install them with: apt-get install ${missing[*]})" >&2
  exit 2
fi
echo "doorkeeper target: installing Debian packages ${missing[*]} (apt-get, once)" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
