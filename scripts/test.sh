#!/usr/bin/env bash
# The one test command (`npm test`, run by .ci/run): installs what is missing, builds, typechecks,
# then runs the three layers and the evaluation tables:
#   1. unit and integration tests of src/core under plain Node (mocha, test/unit/**)
#   2. extension-host tests inside a real VS Code (test/extension/*.test.ts)
#   3. UI end-to-end tests driving code-server in Chromium (test/ui/*.ui.ts), screenshots in
#      test-results/screenshots/
# Every step runs even after an earlier one failed, so one run shows everything that is wrong.
# The last line is `N passed, N failed` over all layers (a build, typecheck or eval failure
# counts as one failure); the exit code is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

SUMMARY_DIR="$(mktemp -d)"
export SWITCHYARD_SUMMARY_DIR="$SUMMARY_DIR"
trap 'rm -rf "$SUMMARY_DIR"' EXIT
started=$SECONDS
step_failures=0
failed_steps=()

banner() { printf '\n=== %s ===\n' "$*"; }
# run_step <name> <command…>: a step that is not a test layer (build, typecheck, eval).
run_step() {
  local name="$1"; shift
  banner "$name"
  if ! "$@"; then
    step_failures=$((step_failures + 1))
    failed_steps+=("$name")
  fi
}
# run_layer <summary name> <title> <command…>: a layer writes its counts to $SUMMARY_DIR/<name>.json;
# a layer that crashed before writing them counts as one failure.
run_layer() {
  local name="$1" title="$2"; shift 2
  banner "$title"
  local t0=$SECONDS
  if ! "$@"; then
    failed_steps+=("$title")
    [ -f "$SUMMARY_DIR/$name.json" ] || echo '{"passed":0,"failed":1}' >"$SUMMARY_DIR/$name.json"
  fi
  echo "($title: $((SECONDS - t0)) s)"
}

run_step "build (node esbuild.mjs --tests)" node esbuild.mjs --tests
run_step "typecheck (tsc --noEmit)" npx tsc --noEmit -p .
run_layer unit "layer 1: unit and integration tests (mocha)" \
  npx mocha --reporter ./test/harness/specWithSummary.ts --reporter-option layer=unit
run_layer extension "layer 2: extension-host tests in a real VS Code" npx tsx test/harness/runExtensionTests.ts
run_layer ui "layer 3: UI end-to-end tests (Chromium + code-server)" npx tsx test/ui/run.ts

# Evaluation tables other parts of the project add as `eval:*` scripts in package.json.
for script in $(node -p "Object.keys(require('./package.json').scripts ?? {}).filter((s) => s.startsWith('eval:')).join(' ')"); do
  run_step "npm run $script" npm run --silent "$script"
done

banner "summary"
read -r passed failed < <(node -e '
  const fs = require("fs"), path = require("path");
  let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1]).sort()) {
    const c = JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8"));
    console.error(`  ${path.basename(f, ".json").padEnd(10)} ${c.passed} passed, ${c.failed} failed${c.pending ? `, ${c.pending} pending` : ""}`);
    passed += c.passed; failed += c.failed;
  }
  console.log(passed, failed);
' "$SUMMARY_DIR")
failed=$((failed + step_failures))
for s in "${failed_steps[@]}"; do echo "  FAILED: $s"; done
echo "  total time: $((SECONDS - started)) s; screenshots: test-results/screenshots/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "${#failed_steps[@]}" -eq 0 ]
