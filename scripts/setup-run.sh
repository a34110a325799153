#!/usr/bin/env bash
# What `npm start` needs to RUN Switchyard, and nothing the tests alone need (issue 16): the npm
# packages, and — only when there is no desktop `code` to open (or with --with-code-server, as
# scripts/setup.sh asks) — code-server, the offline VS Code served on 127.0.0.1, with the few
# Debian packages its native modules build against. Needs no root when those are already there
# or when a desktop `code` exists (macOS, Windows, most desktops). The test-only tools (Chromium,
# its driver, the CJK fonts) are scripts/setup.sh's.
# Idempotent: each step leaves a stamp and is skipped when its stamp still matches.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

WITH_CODE_SERVER=0
[ "${1:-}" = "--with-code-server" ] && WITH_CODE_SERVER=1

# code-server 4.100.3 is VS Code 1.100.3 (our engines.vscode floor) and the last release that
# runs on Node 20; newer ones need Node 22.
CODE_SERVER_VERSION=4.100.3
# The @vscode/ripgrep version that code-server 4.100.3 depends on and the file its install
# script looks for in its cache (names from @vscode/ripgrep's lib/download.js).
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_TARBALL=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
# What code-server's install builds against (kerberos, node-pty) and the rg it ships.
BUILD_PACKAGES=(libkrb5-dev pkg-config ripgrep)

TOOLS="$ROOT/.test-tools"
# code-server (~300 MB, minutes to build) is installed once per machine into a cache outside the
# work tree, so fresh clones on the same machine (CI runs in one) reuse it; .test-tools/code-server
# links to it. SWITCHYARD_TOOLS_CACHE moves the cache.
TOOLS_CACHE="${SWITCHYARD_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard}"
CODE_SERVER_DIR="$TOOLS_CACHE/code-server-$CODE_SERVER_VERSION"
CODE_SERVER_LINK="$TOOLS/code-server"
CODE_SERVER_STAMP="$CODE_SERVER_DIR/.installed"
NPM_STAMP="$ROOT/node_modules/.switchyard-lock-hash"

log() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root (or sudo) to run: $*"; return 1
  fi
}

# --- 1. npm packages -------------------------------------------------------------------------
# Keyed on the lock file and the Node version (native packages are built per Node ABI).
lock_hash() { { sha256sum package-lock.json; node --version; } | sha256sum | cut -d' ' -f1; }
want="$(lock_hash)"
if [ -d node_modules ] && [ -f "$NPM_STAMP" ] && [ "$(cat "$NPM_STAMP")" = "$want" ]; then
  :
else
  log "npm ci (package-lock.json changed or node_modules missing)"
  npm ci --no-audit --no-fund
  echo "$want" >"$NPM_STAMP"
fi

# --- 2. code-server, only when there is no desktop `code` ------------------------------------
if [ "$WITH_CODE_SERVER" = 0 ] && command -v code >/dev/null 2>&1; then
  exit 0
fi
if [ "$(uname -s)" != Linux ]; then
  log "no desktop VS Code found: install it from https://code.visualstudio.com/download (and its 'code' command on PATH), then run npm start again"
  exit 1
fi
if command -v dpkg >/dev/null 2>&1 && ! dpkg -s "${BUILD_PACKAGES[@]}" >/dev/null 2>&1; then
  log "apt-get install ${BUILD_PACKAGES[*]} (code-server builds against them)"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq || { log "or install VS Code (https://code.visualstudio.com/download) and run npm start again: it needs none of this"; exit 1; }
  as_root apt-get install -y -qq --no-install-recommends "${BUILD_PACKAGES[@]}"
fi
install_code_server() {
  log "installing code-server@$CODE_SERVER_VERSION into $CODE_SERVER_DIR (a few minutes, once per machine)"
  # @vscode/ripgrep's install script downloads rg from the internet, which is unreachable here;
  # it first looks in <os.tmpdir()>/vscode-ripgrep-cache-<version>/ for the release tarball, so
  # put one there made from Debian's rg. os.tmpdir() follows $TMPDIR, hence asking node.
  tmp="$(node -p 'require("os").tmpdir()')"
  cache="$tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  if [ ! -s "$cache/$RIPGREP_TARBALL" ]; then
    staging="$(mktemp -d)"
    cp /usr/bin/rg "$staging/rg"
    mkdir -p "$cache"
    tar -czf "$cache/$RIPGREP_TARBALL" -C "$staging" rg
    rm -rf "$staging"
  fi
  rm -rf "$CODE_SERVER_DIR"
  mkdir -p "$CODE_SERVER_DIR"
  # npm 11 asks projects to list the dependencies allowed to run install scripts; today it only
  # warns, but say it explicitly so a stricter npm still builds code-server's native modules.
  cat >"$CODE_SERVER_DIR/package.json" <<'JSON'
{
  "private": true,
  "description": "code-server for Switchyard's offline VS Code tests (installed by scripts/setup.sh)",
  "allowScripts": { "code-server": true, "argon2": true }
}
JSON
  npm_config_yes=true npm install --prefix "$CODE_SERVER_DIR" "code-server@$CODE_SERVER_VERSION" \
    --unsafe-perm --no-audit --no-fund --loglevel=error
  # The postinstall builds VS Code's own node_modules (node-pty, kerberos, ripgrep…); check the
  # pieces the tests depend on really exist rather than trusting the exit code.
  vscode_modules="$CODE_SERVER_DIR/node_modules/code-server/lib/vscode/node_modules"
  for f in "$vscode_modules/@vscode/ripgrep/bin/rg" "$vscode_modules/node-pty/build/Release/pty.node"; do
    [ -e "$f" ] || { log "code-server install incomplete: missing $f"; exit 1; }
  done
  touch "$CODE_SERVER_STAMP"
}
code_server_ok() { [ -f "$CODE_SERVER_STAMP" ] && [ -f "$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js" ]; }
if ! code_server_ok; then
  mkdir -p "$TOOLS_CACHE"
  # One installer at a time per machine (parallel clones share the cache); re-check once locked.
  exec 9>"$TOOLS_CACHE/.install.lock"
  flock 9
  code_server_ok || install_code_server
  flock -u 9
fi
if [ "$(readlink "$CODE_SERVER_LINK" 2>/dev/null)" != "$CODE_SERVER_DIR" ]; then
  mkdir -p "$TOOLS"
  rm -rf "$CODE_SERVER_LINK"
  ln -s "$CODE_SERVER_DIR" "$CODE_SERVER_LINK"
fi
