#!/usr/bin/env bash
# Runs the seed-workload benchmark and prints its table. Installs what it needs first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../scripts/dev-env.sh
source "$root/scripts/dev-env.sh"
cd "$root"
exec python benchmarks/seed.py "$@"
