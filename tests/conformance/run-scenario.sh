#!/usr/bin/env bash
# ctest driver for one MCP conformance server scenario: starts the server under test on
# 127.0.0.1 port 0, reads its URL from the "listening on http://127.0.0.1:PORT" line on its
# stdout, runs `conformance server --url URL/mcp --scenario NAME`, stops the server and exits
# with the scenario's result.
#
# usage: run-scenario.sh --conformance <bin> --scenario <name> [--results <dir>]
#                        [--expect-failure <reason>] -- <server command...>
#
# With --expect-failure (the scenario is listed in expected-failures.txt) the result is
# inverted: a failing scenario passes the test, and a passing one fails it so the stale entry
# gets removed. Trouble running the scenario at all (server does not start or crashes, the
# suite does not run) fails the test either way.
set -uo pipefail

bin=
scenario=
results=
expect_failure=
while [ $# -gt 0 ]; do
    case $1 in
    --conformance) bin=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --expect-failure) expect_failure=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-scenario: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$bin" ] && [ -n "$scenario" ] && [ $# -gt 0 ] || { echo "run-scenario: bad usage" >&2; exit 2; }
[ -x "$bin" ] || { echo "run-scenario: $bin missing; run the conformance/install-suite test first" >&2; exit 1; }

# Loopback only: never send the suite's requests through a proxy.
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
# Settings from the caller's environment must not change the server under test.
for var in $(compgen -e | grep -E '^(MCP_|TICKERWIRE_|ENABLE_STREAMING$)'); do unset "$var"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/tw-conformance.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$server_pid" 2>/dev/null
    fi
    [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

server_log() {
    echo "--- server stdout:" >&2; cat "$work/server.out" >&2
    echo "--- server stderr (last 50 lines):" >&2; tail -n 50 "$work/server.err" >&2
}

"$@" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!

base=
for _ in $(seq 150); do
    base=$(sed -n 's|.*listening on \(http://[^ ]*\).*|\1|p' "$work/server.out" | head -n 1)
    [ -n "$base" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run-scenario: the server exited before listening: $*" >&2
        server_log
        exit 1
    fi
    sleep 0.1
done
if [ -z "$base" ]; then
    echo "run-scenario: no 'listening on http://...' line from the server within 15 s: $*" >&2
    server_log
    exit 1
fi

args=(server --url "$base/mcp" --scenario "$scenario")
if [ -n "$results" ]; then
    rm -rf "$results" && mkdir -p "$results"
    args+=(--output-dir "$results")
fi
echo "run-scenario: conformance ${args[*]}"
"$bin" "${args[@]}" 2>&1 | tee "$work/suite.out"
rc=${PIPESTATUS[0]}

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run-scenario: FAIL: the server under test died during scenario $scenario" >&2
    server_log
    exit 1
fi
if ! grep -q '^Test Results:' "$work/suite.out"; then
    echo "run-scenario: FAIL: the conformance suite did not report results (exit $rc)" >&2
    server_log
    exit 1
fi

if [ -n "$expect_failure" ]; then
    if [ "$rc" -ne 0 ]; then
        echo "run-scenario: expected failure of $scenario (expected-failures.txt): $expect_failure"
        exit 0
    fi
    echo "run-scenario: FAIL: $scenario now passes; remove it from tests/conformance/expected-failures.txt" >&2
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "run-scenario: FAIL: scenario $scenario failed (exit $rc)" >&2
    server_log
fi
exit "$rc"
