#!/usr/bin/env bash
# `npm start [workspace folder]`: installs what is missing, builds, and opens VS Code with
# Switchyard loaded — the desktop `code` when it is installed, otherwise the offline VS Code the
# tests use (code-server on 127.0.0.1, its URL printed). If test/servers/demo.ts exists, the local
# demo servers start first: each `NAME=value` line it prints before a line `ready` is passed to
# VS Code's environment (so the extension can talk to them).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
WORKSPACE="${1:-$ROOT}"
# How long the demo servers may take to print `ready`.
DEMO_READY_TIMEOUT_S=30

bash scripts/setup.sh
node esbuild.mjs

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -f test/servers/demo.ts ]; then
  demo_out="$(mktemp)"
  # Own process group (set -m) so cleanup ends the servers with their children.
  set -m
  npx tsx test/servers/demo.ts >"$demo_out" 2>&1 &
  pids+=("$!")
  set +m
  for _ in $(seq $((DEMO_READY_TIMEOUT_S * 10))); do
    grep -qx 'ready' "$demo_out" && break
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$demo_out"; echo "demo servers exited"; exit 1; }
    sleep 0.1
  done
  grep -qx 'ready' "$demo_out" || { cat "$demo_out"; echo "demo servers did not print 'ready'"; exit 1; }
  while IFS= read -r line; do
    if [[ "$line" =~ ^[A-Z_][A-Z0-9_]*= ]]; then export "${line?}"; echo "demo: ${line%%=*} set"; fi
  done <"$demo_out"
fi

if command -v code >/dev/null 2>&1; then
  echo "Opening VS Code with Switchyard from $ROOT"
  # --wait keeps this script (and the demo servers) alive while the window is open.
  code --new-window --wait --extensionDevelopmentPath="$ROOT" "$WORKSPACE"
else
  npx tsx scripts/start-code-server.ts "$WORKSPACE"
  # start-code-server.ts keeps running until Ctrl-C; wait for it via its own signal handling.
fi
