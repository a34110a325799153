#!/usr/bin/env bash
# Installs everything Switchyard's build and TESTS need on a fresh Debian machine that has only
# node and npm: what running needs (scripts/setup-run.sh: the npm packages and code-server, the
# offline VS Code the extension-host and UI tests run in, see ../shared/docs/vscode-offline-testing.md)
# and the test-only Debian packages (Chromium and its driver for the UI tests, CJK fonts).
# `npm start` runs only setup-run.sh, so it needs none of the test tools (issue 16).
# Idempotent: each step leaves a stamp and is skipped when its stamp still matches, so a second
# run takes about a second.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium, chromium-driver: the UI tests' browser. fonts-wqy-microhei: Chinese glyphs for the
# zh-cn UI tests and screenshots (Chromium shows boxes without it). The rest is what code-server
# builds against (setup-run.sh's BUILD_PACKAGES), installed here in the same apt run.
DEBIAN_PACKAGES=(libkrb5-dev pkg-config ripgrep chromium chromium-driver fonts-wqy-microhei)

log() { printf 'setup: %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root (or sudo) to run: $*"; return 1
  fi
}

# --- 1. Debian packages the tests need -------------------------------------------------------
if ! dpkg -s "${DEBIAN_PACKAGES[@]}" >/dev/null 2>&1; then
  log "apt-get install ${DEBIAN_PACKAGES[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${DEBIAN_PACKAGES[@]}"
fi

# --- 2. What running needs, code-server always (the tests run in it) -------------------------
bash scripts/setup-run.sh --with-code-server
