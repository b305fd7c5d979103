#!/usr/bin/env bash
# ctest conformance/scenario-list: the server scenarios the installed suite offers must be
# exactly the ones tests/conformance/CMakeLists.txt registers, so bumping the pinned version
# cannot silently skip (or keep a removed) scenario.
#
# usage: check-scenario-list.sh <conformance binary> <scenario>...
set -euo pipefail

bin=$1
shift
expected=$(printf '%s\n' "$@" | sort)
# `conformance list --server` prints "Server scenarios ...:" and then "  - <name>" lines.
actual=$("$bin" list --server | sed -n 's/^  - //p' | sort)

if [ "$expected" = "$actual" ]; then
    echo "scenario list matches: $(echo "$actual" | wc -l) server scenarios"
    exit 0
fi
echo "The installed suite's server scenarios differ from CONFORMANCE_SERVER_SCENARIOS in" >&2
echo "tests/conformance/CMakeLists.txt (< only in CMake, > only in the suite):" >&2
diff <(echo "$expected") <(echo "$actual") >&2 || true
exit 1
