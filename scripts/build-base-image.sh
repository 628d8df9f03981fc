#!/usr/bin/env bash
# Builds a stand-in for the Lambda Python base image, for SlimPythonImageFunction's tests
# and benchmark on machines that cannot pull the real one. Reused when present and current.
#
#   scripts/build-base-image.sh [--build-image NAME] [--name NAME] [--force]
#
# From the local build image (default slim-lambda-test/build-python3.11:latest-x86_64,
# scripts/build-test-image.sh), named slim-lambda-test/lambda-base:python3.11-x86_64 after
# it. Like the real base image it sets LAMBDA_TASK_ROOT=/var/task and takes the handler as
# its CMD; its entry point is tests/deploy/bootstrap.py, which imports the handler as the
# Lambda runtime does and prints the JSON answer to the event in $LAMBDA_EVENT:
#
#   docker run --rm --read-only -u 993:993 --network none -e LAMBDA_EVENT='{"n": 1}' IMAGE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

build_image=${SLIM_LAMBDA_TEST_IMAGE:-slim-lambda-test/build-python3.11:latest-x86_64}
name=""
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build-image) build_image=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --force) force=1; shift ;;
    *) echo "usage: $0 [--build-image NAME] [--name NAME] [--force]" >&2; exit 2 ;;
  esac
done
say() { echo "build-base-image: $*" >&2; }

# build-python3.11:latest-x86_64 -> lambda-base:python3.11-x86_64
tag=$(printf '%s\n' "$build_image" | sed -n 's/.*build-\(python3\.[0-9]*\):latest-\(.*\)$/\1-\2/p')
if [ -z "$tag" ]; then
  say "cannot tell runtime and architecture from --build-image '$build_image'" \
    "(expected build-python3.N:latest-ARCH)"
  exit 2
fi
name=${name:-slim-lambda-test/lambda-base:$tag}
build_id=$(docker image inspect -f '{{.Id}}' "$build_image" 2>/dev/null) || {
  say "build image $build_image is missing; run scripts/build-test-image.sh first"; exit 1; }

bootstrap="$root/tests/deploy/bootstrap.py"
# The label ties the image to its recipe, the bootstrap and the build image it came from.
want="1-$(sha256sum "$bootstrap" | cut -c1-16)-$(printf %s "$build_id" | sed 's/^sha256://' | cut -c1-16)"
have=$(docker image inspect -f '{{index .Config.Labels "slim-lambda.base"}}' "$name" \
  2>/dev/null || true)
if [ "$force" = 0 ] && [ "$have" = "$want" ]; then
  say "$name already exists"
  exit 0
fi

context=$(mktemp -d /tmp/slim-lambda-base.XXXXXX)
trap 'rm -rf "$context"' EXIT
cp "$bootstrap" "$context/bootstrap.py"
cat > "$context/Dockerfile" <<DOCKERFILE
FROM $build_image
COPY bootstrap.py /var/runtime/bootstrap.py
ENV LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime HOME=/tmp
WORKDIR /var/task
ENTRYPOINT ["python3", "-s", "/var/runtime/bootstrap.py"]
CMD []
LABEL slim-lambda.base=$want
DOCKERFILE
old=$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)
# FROM a local image: nothing is pulled, and there is no RUN step that could need a network
docker build -q --network none -t "$name" "$context" >/dev/null
[ -z "$old" ] || [ "$old" = "$(docker image inspect -f '{{.Id}}' "$name")" ] \
  || docker image rm "$old" >/dev/null 2>&1 || true
say "built $name from $build_image"
