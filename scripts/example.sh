#!/usr/bin/env bash
# Synthesizes the example app (examples/seed: scikit-learn + numpy + scipy) with the
# CDK CLI and prints its size report. Installs what it needs first.
#
# Without SLIM_LAMBDA_IMAGE set, the local Debian-based build image is used, so
# this works on machines that cannot pull the SAM build images.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=dev-env.sh
SLIM_LAMBDA_DEV_NEEDS=example source "$root/scripts/dev-env.sh"
cd "$root"
local_image='slim-lambda-test/build-{runtime}:latest-{arch}'
export SLIM_LAMBDA_IMAGE="${SLIM_LAMBDA_IMAGE:-$local_image}"
cdk synth --quiet "$@"
slim-lambda report cdk.out
