#!/usr/bin/env bash
# Smoke test of the load generator (ctest label bench): starts tickerwire-server on port 0 with
# the demo feed and runs tiny bridge, MCP and RPC scenarios with --strict. Checks counts only,
# never times.
set -euo pipefail
server=$1
loadgen=$2
work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

key=smoke-$RANDOM-$RANDOM-$RANDOM
"$server" --host 127.0.0.1 --port 0 --api-key "$key" --demo-rate 40 --bench-publish-ns \
    --rate-limit 0 --stream-rate-limit 0 >"$work/out" 2>"$work/err" &
pid=$!
port=
for _ in $(seq 1 100); do
    port=$(sed -n 's/^tickerwire-server listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$work/out")
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "smoke: tickerwire-server did not start:" >&2
    cat "$work/err" >&2
    exit 1
fi

common=(--port "$port" --api-key "$key" --server-pid "$pid" --strict --grace 5)
# 24 and 20 streams: enough that each item's sends are shared with a worker thread (on two or
# more cores; core::SendBatch shares from 2 x 8 sends), so the counts check that path too.
"$loadgen" "${common[@]}" --scenario smoke-bridge --mode bridge --clients 24 --duration 2 --coherence \
    --interval 1000
"$loadgen" "${common[@]}" --scenario smoke-mcp --mode mcp --clients 20 --duration 2 --coherence --interval 1000
"$loadgen" "${common[@]}" --scenario smoke-rpc --mode rpc --clients 2 --duration 1 \
    --methods ping,tools/list,get_market_news
echo "smoke: ok"
