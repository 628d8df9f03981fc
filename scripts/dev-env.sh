#!/usr/bin/env bash
# Source this file: it makes sure everything the tests and the example need is
# here, reusing what is already present, then puts the tools on PATH.
#
#   - Debian packages: docker.io, debootstrap, binutils, gcc, busybox-static, chromium (needs
#     root; apt-get; chromium renders the HTML report in the tests)
#   - a Docker engine (started as `dockerd --bridge=none --iptables=false` if none answers)
#   - the local Lambda-like build images, x86_64 and arm64 (scripts/build-test-image.sh;
#     arm64 runs under qemu-user-static, scripts/enable-arm64-emulation.sh)
#   - busybox and a Lambda-like runtime image for moto (scripts/build-runtime-images.sh)
#   - a virtualenv with slim-lambda and its dev tools, cached per pyproject.toml
#   - the CDK CLI (npm aws-cdk@2), cached
#
# Caches live in ${SLIM_LAMBDA_DEV_CACHE:-~/.cache/slim-lambda-dev}, outside the repo.

_slim_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_slim_cache=${SLIM_LAMBDA_DEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slim-lambda-dev}
mkdir -p "$_slim_cache"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export SLIM_LAMBDA_TEST_IMAGE=${SLIM_LAMBDA_TEST_IMAGE:-slim-lambda-test/build-python3.11:latest-x86_64}
export SLIM_LAMBDA_TEST_IMAGE_ARM64=${SLIM_LAMBDA_TEST_IMAGE_ARM64:-slim-lambda-test/build-python3.11:latest-arm64}

_slim_say() { echo "dev-env: $*" >&2; }

_slim_apt() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v readelf >/dev/null 2>&1 || missing+=(binutils)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [ "$(uname -m)" != aarch64 ]; then  # the arm64 build image runs under qemu
    [ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
    dpkg -s binfmt-support >/dev/null 2>&1 || missing+=(binfmt-support)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ]; then
    _slim_say "missing ${missing[*]}; install them (sudo apt-get install ${missing[*]})"; return 1
  fi
  _slim_say "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

_slim_docker() {
  docker info >/dev/null 2>&1 && return 0
  if [ "$(id -u)" != 0 ]; then
    _slim_say "no Docker engine answers; start Docker and try again"; return 1
  fi
  _slim_say "starting dockerd"
  nohup dockerd --bridge=none --iptables=false >"$_slim_cache/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  tail -n 20 "$_slim_cache/dockerd.log" >&2
  _slim_say "dockerd did not come up"; return 1
}

_slim_venv() {
  local key venv
  # keyed on the dependency lists only, so editing tool settings keeps the venv
  key=$( (sed -n '/^dependencies = \[/,/^\[project.scripts\]/p' "$_slim_root/pyproject.toml"
          python3 --version) | sha256sum | cut -c1-12)
  venv="$_slim_cache/venv-$key"
  if [ ! -x "$venv/bin/slim-lambda" ]; then
    _slim_say "creating $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip setuptools
    "$venv/bin/pip" install -q -e "$_slim_root[dev]"
  else
    # the venv is shared by clones: point the editable install at this one
    "$venv/bin/pip" install -q --no-deps --no-build-isolation -e "$_slim_root"
  fi
  export VIRTUAL_ENV="$venv"
  export PATH="$venv/bin:$PATH"
}

_slim_cdk() {
  local prefix="$_slim_cache/node"
  if [ ! -x "$prefix/node_modules/.bin/cdk" ]; then
    _slim_say "installing the CDK CLI (npm aws-cdk@2)"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --silent aws-cdk@2 >/dev/null
  fi
  export PATH="$prefix/node_modules/.bin:$PATH"
}

_slim_apt && _slim_docker && \
  bash "$_slim_root/scripts/build-test-image.sh" --name "$SLIM_LAMBDA_TEST_IMAGE" >&2 && \
  bash "$_slim_root/scripts/enable-arm64-emulation.sh" && \
  bash "$_slim_root/scripts/build-test-image.sh" --arch arm64 \
    --name "$SLIM_LAMBDA_TEST_IMAGE_ARM64" >&2 && \
  bash "$_slim_root/scripts/build-runtime-images.sh" --build-image "$SLIM_LAMBDA_TEST_IMAGE" >&2 && \
  _slim_venv && _slim_cdk
