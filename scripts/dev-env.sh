#!/usr/bin/env bash
# Source this file: it makes sure everything a command needs is here, reusing what is
# already present, says what it installs and why, then puts the tools on PATH.
#
# What is needed depends on SLIM_LAMBDA_DEV_NEEDS (set by the script that sources this):
#   example  the example synth: docker.io + debootstrap + binutils, a Docker engine, the
#            x86_64 python3.11 build image, the venv and the CDK CLI
#   test     everything the whole test suite uses, in addition: gcc (fixture wheels),
#            busybox-static and the runtime images (moto deploy tests), chromium (HTML
#            report), openssh-server (the git+ssh tests run their own sshd), podman
#            (its Docker API service), qemu-user-static + the arm64 build image (arm64
#            tests), and the python3.13 Amazon Linux 2023 stand-in (trixie)
# Unset means test.
#
# Caches live in ${SLIM_LAMBDA_DEV_CACHE:-~/.cache/slim-lambda-dev}, outside the repo.

_slim_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
_slim_cache=${SLIM_LAMBDA_DEV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slim-lambda-dev}
mkdir -p "$_slim_cache"
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
export SLIM_LAMBDA_TEST_IMAGE=${SLIM_LAMBDA_TEST_IMAGE:-slim-lambda-test/build-python3.11:latest-x86_64}
export SLIM_LAMBDA_TEST_IMAGE_ARM64=${SLIM_LAMBDA_TEST_IMAGE_ARM64:-slim-lambda-test/build-python3.11:latest-arm64}
export SLIM_LAMBDA_TEST_IMAGE_AL2023=${SLIM_LAMBDA_TEST_IMAGE_AL2023:-slim-lambda-test/build-python3.13:latest-x86_64}
_slim_needs=${SLIM_LAMBDA_DEV_NEEDS:-test}

_slim_say() { echo "dev-env: $*" >&2; }

_slim_apt() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  command -v readelf >/dev/null 2>&1 || missing+=(binutils)
  if [ "$_slim_needs" = test ]; then
    command -v gcc >/dev/null 2>&1 || missing+=(gcc)
    dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    [ -x /usr/sbin/sshd ] || missing+=(openssh-server)  # git+ssh tests: sshd on loopback
    command -v podman >/dev/null 2>&1 || missing+=(podman)  # tests/test_podman.py
    if [ "$(uname -m)" != aarch64 ]; then  # the arm64 build image runs under qemu
      [ -x /usr/bin/qemu-aarch64-static ] || missing+=(qemu-user-static)
      dpkg -s binfmt-support >/dev/null 2>&1 || missing+=(binfmt-support)
    fi
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

# Images only the test suite uses: arm64 (under qemu, ~5 min once), the python3.13 stand-in
# for Amazon Linux 2023, the busybox/runtime images the moto deploy tests run, and the
# stand-in Lambda base image the image function's tests build on.
_slim_test_images() {
  [ "$_slim_needs" = test ] || return 0
  bash "$_slim_root/scripts/enable-arm64-emulation.sh" && \
  bash "$_slim_root/scripts/build-test-image.sh" --arch arm64 \
    --name "$SLIM_LAMBDA_TEST_IMAGE_ARM64" >&2 && \
  bash "$_slim_root/scripts/build-test-image.sh" --suite trixie \
    --name "$SLIM_LAMBDA_TEST_IMAGE_AL2023" >&2 && \
  bash "$_slim_root/scripts/build-runtime-images.sh" --build-image "$SLIM_LAMBDA_TEST_IMAGE" \
    ${SLIM_LAMBDA_TEST_RUNTIME_REPO:+--name "$SLIM_LAMBDA_TEST_RUNTIME_REPO"} >&2 && \
  bash "$_slim_root/scripts/build-base-image.sh" --build-image "$SLIM_LAMBDA_TEST_IMAGE" \
    ${SLIM_LAMBDA_TEST_BASE_IMAGE:+--name "$SLIM_LAMBDA_TEST_BASE_IMAGE"} >&2
}

case "$_slim_needs" in
  example|test) _slim_say "preparing what '$_slim_needs' needs" ;;
  *) _slim_say "SLIM_LAMBDA_DEV_NEEDS must be example or test, not '$_slim_needs'"; false ;;
esac && _slim_apt && _slim_docker && \
  bash "$_slim_root/scripts/build-test-image.sh" --name "$SLIM_LAMBDA_TEST_IMAGE" >&2 && \
  _slim_test_images && _slim_venv && _slim_cdk
