#!/usr/bin/env bash
# The gateway with curl, as a user would type it: gateway-curl.test.ts runs this against a
# running server (BASE and TOKEN_FILE in the environment) and expects exit 0 and "curl: ok".
set -euo pipefail
: "${BASE:?}" "${TOKEN_FILE:?}"
TOKEN=$(cat "$TOKEN_FILE")
fail() { echo "curl: FAIL: $*" >&2; exit 1; }
body='{"model":"auto","messages":[{"role":"user","content":"hi"}]}'

# Non-streaming chat: 200, the answering model in the header.
out=$(curl -s -D - -o /dev/null "$BASE/v1/chat/completions" -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' -d "$body")
grep -qi '^HTTP/1.1 200' <<<"$out" || fail "chat status: $out"
grep -qi '^x-switchyard-model: ollama/' <<<"$out" || fail "x-switchyard-model: $out"

# Streaming with -N: data lines, the last one [DONE].
sse=$(curl -sN "$BASE/api/llm/generate/stream" -H "X-API-Key: $TOKEN" -H 'content-type: application/json' -d "$body")
[[ $(grep '^data: ' <<<"$sse" | tail -1) == 'data: [DONE]' ]] || fail "stream end: $sse"
grep -q '"delta":{"content":' <<<"$sse" || fail "stream deltas: $sse"

# Refusals: no token, a rebinding Host, a hostile Origin.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[[ $(code "$BASE/v1/models") == 401 ]] || fail "no token"
[[ $(code "$BASE/v1/models" -H "Authorization: Bearer $TOKEN" -H 'Host: evil.example') == 400 ]] || fail "Host"
[[ $(code "$BASE/v1/models" -H "Authorization: Bearer $TOKEN" -H 'Origin: https://evil.example') == 401 ]] || fail "Origin"
[[ $(code "$BASE/health") == 200 ]] || fail "health"
echo "curl: ok"
