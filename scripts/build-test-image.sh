#!/usr/bin/env bash
# Builds a Lambda-like Python build image from Debian packages, for tests and
# for machines that cannot pull the SAM build images. Reused when present.
#
#   scripts/build-test-image.sh [--arch amd64|arm64] [--name NAME] [--force]
#
# The image has python3 (3.11 on bookworm), pip, binutils (strip, readelf) and
# the host's CA bundle, so pip works behind a TLS-inspecting proxy.
set -euo pipefail

arch=amd64
name=""
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --force) force=1; shift ;;
    *) echo "usage: $0 [--arch amd64|arm64] [--name NAME] [--force]" >&2; exit 2 ;;
  esac
done
case "$arch" in
  amd64) lambda_arch=x86_64 ;;
  arm64) lambda_arch=arm64 ;;
  *) echo "build-test-image: --arch must be amd64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
name=${name:-slim-lambda-test/build-python3.11:latest-$lambda_arch}

if [ "$force" = 0 ] && docker image inspect "$name" >/dev/null 2>&1; then
  echo "build-test-image: $name already exists"
  exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

root=$(mktemp -d /tmp/slim-lambda-rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "build-test-image: debootstrap bookworm ($arch) into $root"
debootstrap --variant=minbase --arch="$arch" \
  --include=python3,python3-pip,binutils,ca-certificates bookworm "$root" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"

# The Lambda build images carry no PEP 668 marker: pip may install anywhere.
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
# The host's CA bundle (a TLS-inspecting proxy's CA among them).
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
if [ -f "$ca" ]; then
  cp "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
fi
# Keep the image small: no apt lists, docs or caches.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

echo "build-test-image: importing as $name"
tar -C "$root" -c . | docker import \
  --platform "linux/$arch" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  - "$name" >/dev/null
echo "build-test-image: built $name"
