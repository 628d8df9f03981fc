#!/usr/bin/env bash
# Runs the whole test suite (Docker tests and the slow real-workload tests included).
# Installs what it needs first; pass pytest arguments through, e.g. -m "not slow".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=dev-env.sh
source "$root/scripts/dev-env.sh"
cd "$root"
exec python -m pytest "$@"
