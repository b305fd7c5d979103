#!/usr/bin/env bash
# ctest driver for one MCP conformance *client* scenario: the suite starts its own server for
# the scenario and runs `<client command> <server URL>` with MCP_CONFORMANCE_SCENARIO set
# (tickerwire-cli's conformance client mode); exits with the scenario's result.
#
# usage: run-client-scenario.sh --conformance <bin> --scenario <name> [--results <dir>]
#                               -- <client command...>
set -uo pipefail

bin=
scenario=
results=
while [ $# -gt 0 ]; do
    case $1 in
    --conformance) bin=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "run-client-scenario: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -n "$bin" ] && [ -n "$scenario" ] && [ $# -gt 0 ] || { echo "run-client-scenario: bad usage" >&2; exit 2; }
[ -x "$bin" ] || { echo "run-client-scenario: $bin missing; run the conformance/install-suite test first" >&2; exit 1; }

# Loopback only; the caller's MCP settings must not change the client under test.
export NO_PROXY=127.0.0.1,localhost,::1 no_proxy=127.0.0.1,localhost,::1
for var in $(compgen -e | grep -E '^(MCP_|TICKERWIRE_)'); do unset "$var"; done

command=$(printf '%q ' "$@")
args=(client --command "$command" --scenario "$scenario")
if [ -n "$results" ]; then
    rm -rf "$results" && mkdir -p "$results"
    args+=(--output-dir "$results")
fi
out=$(mktemp "${TMPDIR:-/tmp}/tw-conformance-client.XXXXXX")
trap 'rm -f "$out"' EXIT
echo "run-client-scenario: conformance ${args[*]}"
"$bin" "${args[@]}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && grep -qE '"status": *"FAILURE"|FAILURE' "$out"; then
    echo "run-client-scenario: FAIL: a check of $scenario failed" >&2
    exit 1
fi
[ "$rc" -ne 0 ] && echo "run-client-scenario: FAIL: scenario $scenario failed (exit $rc)" >&2
exit "$rc"
