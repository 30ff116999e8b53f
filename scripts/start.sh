#!/usr/bin/env bash
# Quick start: set up what is missing, then start Fluxi with nothing to configure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec npm start --silent -- "$@"
