#!/usr/bin/env bash
# The benchmark, one command: real `cdk synth` times of slim-lambda against
# aws-lambda-python-alpha's PythonFunction (same build image, same seed workload), bundle
# sizes against it and serverless-python-requirements' slim rules, cold imports; prints
# a table with ratios and the floors of issue 4, writes benchmarks/results/latest.json.
# Installs what it needs first (scripts/dev-env.sh).
#   bash benchmarks/run.sh [--repeat 3] [--functions 10] [--import-runs 5] [--json FILE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/dev-env.sh
source "$root/scripts/dev-env.sh"
cd "$root"
exec python -m benchmarks "$@"
