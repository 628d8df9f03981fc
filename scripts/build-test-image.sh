#!/usr/bin/env bash
# Builds a Lambda-like Python build image from Debian packages, for tests and
# for machines that cannot pull the SAM build images. Reused when present.
#
#   scripts/build-test-image.sh [--arch amd64|arm64] [--suite bookworm|trixie]
#                               [--glibc X.Y] [--name NAME] [--force]
#
# The image is laid out as the SAM build images are (the Lambda base image plus build tools):
# the runtime's Python (3.11 on bookworm, 3.13 on trixie) in /var/lang (python, python3,
# python3.X, pip, pip3 in /var/lang/bin), PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin,
# no entry point and `/bin/bash` as its command. Where those images keep the distribution's
# own older python3 in /usr/bin, this one has a decoy there that fails loudly (exit 127),
# so a build that runs the distribution's python instead of the runtime's fails in tests.
# Also binutils (strip, readelf), rsync, jq, git and ssh (as the SAM images;
# aws-lambda-python-alpha's bundling command uses rsync), uv on python3.13 (the SAM images
# have it from 3.12), the host's CA bundle, so pip works behind a TLS-inspecting proxy, and
# a /var/runtime with the AWS SDK for Python, as the Lambda base image has.
#
# The decoy means Debian packages whose scripts run python3 (python3-*) do not install on
# top of this image; system libraries do (a Dockerfile FROM it: PATH has no /usr/sbin, as
# in the SAM images, which apt's dpkg needs: `RUN PATH=/usr/sbin:/sbin:$PATH apt-get ...`).
#
# --glibc caps the manylinux wheels the image's pip accepts at the Lambda image's glibc, not
# Debian's (2.36 on bookworm): 2.26 for Amazon Linux 2 (python3.10/3.11, bookworm's
# default), 2.34 for Amazon Linux 2023 (python3.12+, trixie's default). It is a PEP 600
# `_manylinux` module in the image's dist-packages, which pip consults for every manylinux
# tag, so the image picks the wheels the real build image would (numpy 2.2, not 2.4, for
# python3.11).
#
# --arch arm64 on an x86_64 machine: qemu-user-static is registered with binfmt_misc
# (scripts/enable-arm64-emulation.sh), so debootstrap's second stage and later the
# image's containers run under emulation (seen here: about 5 minutes to build).
# The image is loaded from an archive written here rather than `docker import`ed,
# because the Debian engine (20.10) ignores `import --platform` and records the host's
# architecture, which the library's platform check then rejects. Concurrent runs for
# one image name wait for each other and reuse the result.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
arch=amd64
suite=bookworm
glibc=""
name=""
force=0
usage="usage: $0 [--arch amd64|arm64] [--suite bookworm|trixie] [--glibc X.Y] [--name NAME] [--force]"
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --glibc) glibc=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$suite" in
  bookworm) python=3.11 default_glibc=2.26 ;;  # Amazon Linux 2, as python3.10/3.11
  trixie) python=3.13 default_glibc=2.34 ;;    # Amazon Linux 2023, as python3.12+
  *) echo "build-test-image: --suite must be bookworm or trixie, not '$suite'" >&2; exit 2 ;;
esac
glibc=${glibc:-$default_glibc}
case "$glibc" in
  2.[0-9]|2.[0-9][0-9]) ;;
  *) echo "build-test-image: --glibc must be 2.N (the Lambda image's glibc), not '$glibc'" >&2
     exit 2 ;;
esac
case "$arch" in
  amd64) lambda_arch=x86_64 machine=x86_64 ;;
  arm64) lambda_arch=arm64 machine=aarch64 ;;
  *) echo "build-test-image: --arch must be amd64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
name=${name:-slim-lambda-test/build-python$python:latest-$lambda_arch}

# bump the number when the image's contents change, so existing images are rebuilt once
recipe="6 $suite glibc$glibc"
current() {
  [ "$(docker image inspect -f '{{ index .Config.Labels "slim-lambda.recipe" }} {{ .Architecture }}' \
      "$name" 2>/dev/null)" = "$recipe $arch" ]
}
if [ "$force" = 0 ] && current; then
  echo "build-test-image: $name already exists"
  exit 0
fi

# one build of an image name at a time; whoever waited reuses what the other one built
exec 9>"/tmp/slim-lambda-build-image.$(printf %s "$name" | tr -c 'A-Za-z0-9.-' _).lock"
if ! flock -n 9; then
  echo "build-test-image: waiting for another build of $name"
  flock 9
  if current; then
    echo "build-test-image: $name already exists"
    exit 0
  fi
fi

host=$(uname -m)
if [ "$host" != "$machine" ]; then
  if [ "$arch" != arm64 ]; then
    echo "build-test-image: an $arch image can only be built on an $machine machine" \
      "(this one is $host)" >&2
    exit 2
  fi
  bash "$here/enable-arm64-emulation.sh"
fi

if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

root=$(mktemp -d /tmp/slim-lambda-rootfs.XXXXXX)
archive=$(mktemp -d /tmp/slim-lambda-image.XXXXXX)
trap 'rm -rf "$root" "$root.log" "$root.uv" "$root.pip.log" "$archive"' EXIT
echo "build-test-image: debootstrap $suite ($arch, wheels up to glibc $glibc) into $root"
debootstrap --variant=minbase --arch="$arch" \
  --include=python3,python-is-python3,python3-pip,binutils,ca-certificates,rsync,jq,git,openssh-client "$suite" "$root" >"$root.log" 2>&1 || {
  tail -n 30 "$root.log" >&2
  [ "$host" = "$machine" ] || echo "build-test-image: the second stage runs under qemu;" \
    "check /proc/sys/fs/binfmt_misc/qemu-$machine" >&2
  exit 1; }

# The Lambda build images carry no PEP 668 marker: pip may install anywhere.
rm -f "$root"/usr/lib/python3*/EXTERNALLY-MANAGED
# PEP 600: pip asks `_manylinux.manylinux_compatible(major, minor, arch)` before it accepts a
# manylinux_X_Y wheel (for the legacy tags: the module's manylinux1/2010/2014_compatible,
# PEP 513/571/599). Debian's glibc is newer than Lambda's, so without this the image would
# install wheels the Lambda build image cannot.
# The Lambda images' layout: the runtime's interpreter in /var/lang/bin, its prefix /var/lang
# (the standard library and Debian's dist-packages, pip among them, linked in under
# /var/lang/lib, so sys.prefix is /var/lang as on Lambda), pip as scripts beside it.
mkdir -p "$root/var/lang/bin" "$root/var/lang/lib" "$root/opt/bin"
mv "$root/usr/bin/python$python" "$root/var/lang/bin/python$python"
ln -s "/usr/lib/python$python" "$root/var/lang/lib/python$python"
ln -s /usr/lib/python3 "$root/var/lang/lib/python3"
ln -s "python$python" "$root/var/lang/bin/python3"
ln -s "python$python" "$root/var/lang/bin/python"
for pip in pip pip3 "pip$python"; do
  printf '#!/var/lang/bin/python%s\nimport sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n' \
    "$python" > "$root/var/lang/bin/$pip"
  chmod 755 "$root/var/lang/bin/$pip"
  rm -f "$root/usr/bin/$pip"
done
# ...and in /usr/bin, where the SAM images have the distribution's older python3, a decoy.
for decoy in python3 python; do
  rm -f "$root/usr/bin/$decoy"
  cat > "$root/usr/bin/$decoy" <<'DECOY'
#!/bin/sh
echo "$0: this is the distribution's python, not the runtime's: the build ran it instead of /var/lang/bin's python3 (first on PATH in the Lambda build images)" >&2
exit 127
DECOY
  chmod 755 "$root/usr/bin/$decoy"
done
cat > "$root/usr/lib/python3/dist-packages/_manylinux.py" <<EOF
"""PEP 600 hook of slim-lambda's test build image: manylinux wheels up to glibc $glibc only.

The image is Debian $suite (a newer glibc) standing in for a Lambda build image whose
glibc is $glibc; pip consults this module for every manylinux tag (PEP 513, 571, 599, 600).
"""

GLIBC = ($(echo "$glibc" | tr . ,))


def manylinux_compatible(tag_major, tag_minor, tag_arch):
    return (tag_major, tag_minor) <= GLIBC


manylinux1_compatible = manylinux_compatible(2, 5, None)
manylinux2010_compatible = manylinux_compatible(2, 12, None)
manylinux2014_compatible = manylinux_compatible(2, 17, None)
EOF
# The host's CA bundle (a TLS-inspecting proxy's CA among them).
ca=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
if [ -f "$ca" ]; then
  cp "$ca" "$root/etc/ssl/certs/ca-certificates.crt"
fi
# The Lambda base image's /var/runtime, which the SAM build image inherits: the Python
# packages the runtime provides (the AWS SDK), what `bundling.provided=("runtime",)` reads.
# The versions stand in for a runtime's; pure-Python wheels, so the host's pip fetches them.
runtime_sdk="boto3==1.34.145 botocore==1.34.145 s3transfer==0.10.2 jmespath==1.0.1
  python-dateutil==2.9.0.post0 six==1.16.0 urllib3==1.26.19"
# shellcheck disable=SC2086
python3 -m pip install -q --disable-pip-version-check --no-warn-conflicts --no-compile \
  --target "$root/var/runtime" --only-binary :all: --implementation cp \
  --python-version "$python" $runtime_sdk >"$root.pip.log" 2>&1 || {
  tail -n 20 "$root.pip.log" >&2; echo "build-test-image: cannot fetch the runtime's SDK" >&2
  exit 1; }
rm -rf "$root/var/runtime/bin" "$root.pip.log"
# uv, as the SAM images have it from python3.12 (Amazon Linux 2023): the binary of uv's wheel
# for the image's machine, fetched by the host's pip.
if [ "$suite" = trixie ]; then
  mkdir "$root.uv"
  python3 -m pip download -q --disable-pip-version-check --no-deps --only-binary :all: \
    --platform "manylinux_2_17_$machine" --dest "$root.uv" "uv>=0.5" >"$root.pip.log" 2>&1 || {
    tail -n 20 "$root.pip.log" >&2; echo "build-test-image: cannot fetch uv's wheel" >&2; exit 1; }
  python3 - "$root.uv"/uv-*.whl "$root/usr/local/bin" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel:
    for info in wheel.infolist():
        parts = info.filename.split("/")
        if len(parts) == 3 and parts[0].endswith(".data") and parts[1] == "scripts":
            target = os.path.join(sys.argv[2], parts[2])
            with wheel.open(info) as src, open(target, "wb") as dst:
                dst.write(src.read())
            os.chmod(target, 0o755)
PY
  rm -rf "$root.uv" "$root.pip.log"
fi
# Keep the image small: no apt lists, docs or caches.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* "$root"/usr/share/man/*

# A one-layer image archive as `docker save` writes it, with the target's architecture in
# its config, loaded with `docker load`.
echo "build-test-image: loading as $name"
tar -C "$root" --numeric-owner -cf "$archive/layer.tar" .
diff_id=$(sha256sum "$archive/layer.tar" | cut -d' ' -f1)
printf '{"architecture":"%s","os":"linux","created":"%s",%s,%s,%s}' "$arch" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  '"config":{"Env":["PATH=/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin","LANG=C.UTF-8"],"Entrypoint":null,"Cmd":["/bin/bash"],"Labels":{"slim-lambda.recipe":"'"$recipe"'","slim-lambda.glibc":"'"$glibc"'"}}' \
  '"rootfs":{"type":"layers","diff_ids":["sha256:'"$diff_id"'"]}' \
  '"history":[{"created_by":"scripts/build-test-image.sh (debootstrap '"$suite"', glibc '"$glibc"')"}]' \
  > "$archive/config.json"
config=$(sha256sum "$archive/config.json" | cut -d' ' -f1)
mv "$archive/config.json" "$archive/$config.json"
mkdir "$archive/$diff_id"
mv "$archive/layer.tar" "$archive/$diff_id/layer.tar"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
  "$config" "$name" "$diff_id" > "$archive/manifest.json"
tar -C "$archive" -c manifest.json "$config.json" "$diff_id" | docker load >/dev/null

# The image must run, as the target's machine, and say so.
got=$(docker run --rm --platform "linux/$arch" --network none "$name" \
  /var/lang/bin/python3 -c 'import platform; print(platform.machine())' 2>&1) || got="failed: $got"
if [ "$got" != "$machine" ]; then
  docker image rm "$name" >/dev/null 2>&1 || true
  echo "build-test-image: $name does not run as $machine here ($got); removed it" >&2
  exit 1
fi
# ...and accept manylinux wheels up to the ceiling, none newer.
ok="manylinux_${glibc/./_}_$machine"
newer="manylinux_2_$((${glibc#2.} + 1))_$machine"
tags=$(docker run --rm --platform "linux/$arch" --network none "$name" /var/lang/bin/python3 -c '
import sys
from pip._vendor.packaging import tags
have = {str(t).rsplit("-", 1)[1] for t in tags.sys_tags()}
print(" ".join(t for t in sys.argv[1:] if t in have))' "$ok" "$newer" 2>&1) || tags="failed: $tags"
if [ "$tags" != "$ok" ]; then
  docker image rm "$name" >/dev/null 2>&1 || true
  echo "build-test-image: $name should accept $ok wheels and not $newer, but of the two" \
    "it accepts '$tags'; removed it" >&2
  exit 1
fi
# ...and look like the Lambda build images: `python3` on PATH is /var/lang's, with its pip,
# the distribution's python a decoy that fails loudly, uv on python3.13.
layout=$(docker run --rm --platform "linux/$arch" --network none "$name" /bin/bash -c '
  echo "$(command -v python3) $(python3 -c "import sys; print(sys.prefix)") $(command -v pip)"
  python3 -m pip --version >/dev/null && pip3 --version >/dev/null && jq --version >/dev/null \
    && echo tools
  /usr/bin/python3 -c pass 2>/tmp/decoy; echo "decoy $? $(grep -c "distribution" /tmp/decoy)"
  command -v uv || echo "no uv"' 2>&1) || layout="failed: $layout"
layout="$layout
$(docker image inspect -f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}' "$name")"
want_uv=$([ "$suite" = trixie ] && echo /usr/local/bin/uv || echo "no uv")
want="/var/lang/bin/python3 /var/lang /var/lang/bin/pip
tools
decoy 127 1
$want_uv
null [\"/bin/bash\"]"
if [ "$layout" != "$want" ]; then
  docker image rm "$name" >/dev/null 2>&1 || true
  echo "build-test-image: $name is not laid out as a Lambda build image: got" \
    "'$layout', wanted '$want'; removed it" >&2
  exit 1
fi
echo "build-test-image: built $name ($arch, $suite, wheels up to glibc $glibc) in ${SECONDS} s"
