#!/usr/bin/env bash
# Builds the two images the local AWS emulator (moto) needs to invoke Lambda
# functions, without pulling anything. Each is reused when present and current.
#
#   scripts/build-runtime-images.sh [--build-image NAME] [--name REPO] [--force]
#
#   busybox:latest      from the host's Debian busybox-static; moto fills each
#                       function's code volume through a container of it (`sleep`)
#   REPO:pythonX.Y      a Lambda-like runtime (the tag is the Lambda runtime, as
#                       moto asks for it; point MOTO_DOCKER_LAMBDA_IMAGE at REPO):
#                       the build image (default slim-lambda-test/build-python3.11:
#                       latest-x86_64, from scripts/build-test-image.sh) plus
#                       tests/deploy/bootstrap.py, run as a non-root user so the
#                       code at /var/task is read-only to the handler, as on Lambda
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

build_image=${SLIM_LAMBDA_TEST_IMAGE:-slim-lambda-test/build-python3.11:latest-x86_64}
repo=slim-lambda-test/lambda
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-image) build_image=$2; shift 2 ;;
    --name) repo=$2; shift 2 ;;
    --force) force=1; shift ;;
    *) echo "usage: $0 [--build-image NAME] [--name REPO] [--force]" >&2; exit 2 ;;
  esac
done
say() { echo "build-runtime-images: $*" >&2; }

runtime=$(printf '%s\n' "$build_image" | sed -n 's/.*build-\(python3\.[0-9]*\).*/\1/p')
if [ -z "$runtime" ]; then
  say "cannot tell the runtime from --build-image '$build_image' (expected build-python3.N in it)"
  exit 2
fi
if ! docker image inspect "$build_image" >/dev/null 2>&1; then
  say "build image $build_image is missing; run scripts/build-test-image.sh first"
  exit 1
fi

# --- busybox:latest ---------------------------------------------------------
if [ "$force" = 0 ] && docker image inspect busybox:latest >/dev/null 2>&1; then
  say "busybox:latest already exists"
else
  if ! dpkg -s busybox-static >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      say "busybox-static is not installed; sudo apt-get install busybox-static"; exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  fi
  busybox=$(dpkg -L busybox-static | grep -m1 '/bin/busybox$')
  rootfs=$(mktemp -d /tmp/slim-lambda-busybox.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet"
  done
  old=$(docker image inspect -f '{{.Id}}' busybox:latest 2>/dev/null || true)
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - busybox:latest >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  # the image this one replaced, unless something still uses it
  [ -z "$old" ] || [ "$old" = "$(docker image inspect -f '{{.Id}}' busybox:latest)" ] \
    || docker image rm "$old" >/dev/null 2>&1 || true
  say "built busybox:latest from $busybox"
fi

# --- REPO:pythonX.Y -----------------------------------------------------------
bootstrap="$root/tests/deploy/bootstrap.py"
image="$repo:$runtime"
# The label ties the image to the bootstrap and the build image it was made from.
want="$(sha256sum "$bootstrap" | cut -c1-16)-$(docker image inspect -f '{{.Id}}' "$build_image" \
  | sed 's/^sha256://' | cut -c1-16)"
have=$(docker image inspect -f '{{index .Config.Labels "slim-lambda.runtime"}}' "$image" \
  2>/dev/null || true)
if [ "$force" = 0 ] && [ "$have" = "$want" ]; then
  say "$image already exists"
  exit 0
fi
old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
container=$(docker create --network none "$build_image" true)
trap 'docker rm -f "$container" >/dev/null 2>&1 || true' EXIT
docker cp "$bootstrap" "$container:/var/runtime-bootstrap.py" >/dev/null
# Lambda runs functions as an unprivileged user (sbx_user1051, uid 993) with the code
# at /var/task and only /tmp writable.
docker commit \
  --change 'USER 993:990' \
  --change 'WORKDIR /var/task' \
  --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
  --change 'ENV HOME=/tmp' \
  --change 'ENTRYPOINT ["python3", "-s", "/var/runtime-bootstrap.py"]' \
  --change 'CMD []' \
  --change "LABEL slim-lambda.runtime=$want" \
  "$container" "$image" >/dev/null
[ -z "$old" ] || [ "$old" = "$(docker image inspect -f '{{.Id}}' "$image")" ] \
  || docker image rm "$old" >/dev/null 2>&1 || true
say "built $image from $build_image"
