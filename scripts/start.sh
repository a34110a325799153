#!/usr/bin/env bash
# `npm start [workspace folder]`: installs only what running needs (scripts/setup-run.sh), builds,
# and opens VS Code with Switchyard loaded — the desktop `code` when it is installed (Linux, macOS,
# Windows' Git Bash), otherwise the offline VS Code the tests use (code-server on 127.0.0.1, on
# port 8080 or, when that is taken, a free one; the URL is printed). Needs no root.
#
# When nothing real is available — no `ollama` command, nothing answering on Ollama's port and no
# cloud key in the environment — the demo servers (dist/demo.js, src/demo/) start first, and the
# `NAME=value` lines they print before `ready` go into VS Code's environment, so Switchyard opens
# in demo mode (src/vscode/firstRun/demo.ts). SWITCHYARD_DEMO=1 starts them anyway, SWITCHYARD_DEMO=0 never.
#
# SWITCHYARD_START_DRY_RUN=1: install and build nothing, start nothing; print the decisions and
# the commands it would run, one `run: …` line each (test/unit/scripts/start.test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
WORKSPACE="${1:-$ROOT}"
DRY_RUN="${SWITCHYARD_START_DRY_RUN:-0}"
# How long the demo servers may take to print `ready`.
DEMO_READY_TIMEOUT_S=30
# code-server's own default port; SWITCHYARD_PORT asks for another.
PREFERRED_PORT="${SWITCHYARD_PORT:-8080}"
# Ollama's default address (OLLAMA_HOST overrides it, as for Ollama itself).
OLLAMA_ADDRESS="${OLLAMA_HOST:-127.0.0.1:11434}"
# The environment variables that hold a cloud key (src/core/router/defaults.ts VENDOR_KEY_ENV).
KEY_ENV_NAMES=(GROQ_API_KEY ZHIPU_API_KEY DASHSCOPE_API_KEY GEMINI_API_KEY OPENAI_API_KEY LLAMA_API_KEY)

run() {
  if [ "$DRY_RUN" = 1 ]; then printf 'run:'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}

# Prints $1 when nothing listens on it at 127.0.0.1, else a free port the system picks.
free_port() {
  node -e '
    const net = require("node:net");
    const tryPort = (port, next) => {
      const s = net.createServer();
      s.once("error", next);
      s.listen(port, "127.0.0.1", () => { const p = s.address().port; s.close(() => console.log(p)); });
    };
    tryPort(Number(process.argv[1]), () => tryPort(0, (e) => { console.error(e.message); process.exit(1); }));
  ' "$1"
}

# True when something answers HTTP at Ollama's address within a second.
ollama_answers() {
  node -e '
    const [host, port] = process.argv[1].replace(/^https?:\/\//, "").split(":");
    const s = require("node:net").connect(Number(port || 11434), host || "127.0.0.1");
    s.setTimeout(1000, () => process.exit(1));
    s.once("connect", () => process.exit(0));
    s.once("error", () => process.exit(1));
  ' "$OLLAMA_ADDRESS"
}

demo_wanted() {
  case "${SWITCHYARD_DEMO:-}" in 1) return 0 ;; 0) return 1 ;; esac
  command -v ollama >/dev/null 2>&1 && return 1
  for name in "${KEY_ENV_NAMES[@]}"; do [ -n "${!name:-}" ] && return 1; done
  ollama_answers && return 1
  return 0
}

if [ "$DRY_RUN" != 1 ]; then
  bash scripts/setup-run.sh
  node esbuild.mjs
fi

pids=()
cleanup() { for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if demo_wanted; then
  echo "No Ollama and no cloud key found: starting the Switchyard demo (canned answers, labelled demo; SWITCHYARD_DEMO=0 turns this off)."
  if [ "$DRY_RUN" = 1 ]; then
    run node dist/demo.js
  else
    demo_out="$(mktemp)"
    # Own process group (set -m) so cleanup ends the servers with their children.
    set -m
    node dist/demo.js >"$demo_out" 2>&1 &
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
fi

if command -v code >/dev/null 2>&1; then
  echo "Opening VS Code with Switchyard from $ROOT"
  # --wait keeps this script (and the demo servers) alive while the window is open.
  run code --new-window --wait --extensionDevelopmentPath="$ROOT" "$WORKSPACE"
else
  port="$(free_port "$PREFERRED_PORT")"
  [ "$port" != "$PREFERRED_PORT" ] && echo "Port $PREFERRED_PORT is taken; using $port."
  echo "code-server port: $port"
  # start-code-server.ts keeps running until Ctrl-C and prints the URL to open.
  run env SWITCHYARD_PORT="$port" npx tsx scripts/start-code-server.ts "$WORKSPACE"
fi
