#!/usr/bin/env bash
# Runs the service locally on a fresh machine: installs npm packages (Azurite, maildev) when missing, starts a real SMTP
# catcher on loopback when none runs (maildev: SMTP 127.0.0.1:1025, its web page lists every e-mail), then starts the
# DevHost on http://localhost:7071 with e-mail notifications going to it. The DevHost starts Azurite itself (data in
# .azurite/) and seeds a demo organisation. Safe to run twice. Ctrl+C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/azurite ] || [ ! -d node_modules/maildev ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

SMTP_PORT="${COMX_LOCAL_SMTP_PORT:-1025}"
MAIL_WEB_PORT="${COMX_LOCAL_MAIL_WEB_PORT:-1080}"
maildev_pid=""
stop() { if [ -n "$maildev_pid" ]; then kill "$maildev_pid" 2>/dev/null || true; fi; }
trap stop EXIT

# Only when nothing answers on the SMTP port already (a catcher from an earlier run, or your own).
if ! (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then
  echo "==> starting maildev (SMTP 127.0.0.1:$SMTP_PORT)"
  node_modules/.bin/maildev --smtp "$SMTP_PORT" --web "$MAIL_WEB_PORT" --ip 127.0.0.1 --web-ip 127.0.0.1 --silent &
  maildev_pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null; then break; fi
    sleep 0.2
  done
fi
echo "==> e-mail notifications: SMTP 127.0.0.1:$SMTP_PORT; caught mail at http://127.0.0.1:$MAIL_WEB_PORT"

export Comx__DevHost__SeedDemo="${Comx__DevHost__SeedDemo:-true}"
export Comx__Smtp__Host="${Comx__Smtp__Host:-127.0.0.1}"
export Comx__Smtp__Port="${Comx__Smtp__Port:-$SMTP_PORT}"
export Comx__Smtp__From="${Comx__Smtp__From:-comxbot@localhost}"
export Comx__Smtp__UseTls="${Comx__Smtp__UseTls:-false}"
dotnet run --project Comx.DevHost -c Release -- "$@"
