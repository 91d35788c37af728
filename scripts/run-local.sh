#!/usr/bin/env bash
# Runs the service locally on a fresh machine: installs npm packages (Azurite) when missing, then starts the DevHost
# on http://localhost:7071. The DevHost starts Azurite itself (data in .azurite/) and seeds a demo organisation.
# Safe to run twice. Ctrl+C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

export Comx__DevHost__SeedDemo="${Comx__DevHost__SeedDemo:-true}"
exec dotnet run --project Comx.DevHost -c Release -- "$@"
