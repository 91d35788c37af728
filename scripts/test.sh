#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what is missing (npm packages incl. Azurite; Debian's Chromium for
# the widget's browser tests), restores NuGet packages, builds, then runs the tests against a real Azurite that the
# test run starts itself (or reuses if one is listening). Safe to run twice. Prints "N passed, M failed" at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi

echo "==> dotnet build"
dotnet build Comx.sln -c Release --nologo -v quiet

mkdir -p artifacts
log=artifacts/test-output.txt
echo "==> dotnet test"
set +e
dotnet test --project Comx.Tests -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || true)
if [ -z "$passed" ]; then passed=0; failed=${failed:-1}; fi
if [ "$status" -ne 0 ] && [ "${failed:-0}" -eq 0 ]; then failed=1; fi
echo "${passed} passed, ${failed:-0} failed"
exit "$status"
