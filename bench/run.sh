#!/usr/bin/env bash
# Runs the benchmark scenarios of bench/README.md against tickerwire-server on loopback and
# prints one table plus one machine-readable "BENCH ..." line per scenario.
#
#   bench/run.sh [--quick] [--build DIR] [--only NAME[,NAME...]] [--nice N] [--out FILE]
#                [--server-flags "FLAGS"]
#
# --quick     10-second scenarios (the soak too); the full run measures 30 s per scenario and
#             soaks for 10 minutes.
# --build     build directory holding app/server/tickerwire-server and bench/tw-loadgen
#             (default: build/release, else build/default). Configure it Release.
# --only      run only these scenarios: ping ping8 sse100 sse1000 idle10k mcp100 sse100spin
#             mcp100spin floor100 floor100spin floor1000 floor100x2 floor100x2spin soak
# --nice N    run server and load generator at this niceness (negative needs root)
# --out FILE  also append the BENCH lines to FILE
# --server-flags "FLAGS"  more tickerwire-server flags for every scenario (e.g. "--send-threads 0")
#
# Each scenario gets a fresh server (demo feed at the scenario's rate, port 0, a generated
# API key, rate limits off, connection caps raised so 10,000 streams fit). Every run is bounded:
# the load generator stops at its deadline whatever the server does.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
quick=0
build=
only=
niceness=
outfile=
server_flags=
while [ $# -gt 0 ]; do
    case $1 in
    --quick) quick=1 ;;
    --build) build=$2; shift ;;
    --only) only=$2; shift ;;
    --nice) niceness=$2; shift ;;
    --out) outfile=$2; shift ;;
    --server-flags) server_flags=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$build" ]; then
    for d in "$root/build/release" "$root/build/default"; do
        if [ -x "$d/app/server/tickerwire-server" ]; then build=$d; break; fi
    done
fi
server="${build:-?}/app/server/tickerwire-server"
loadgen="${build:-?}/bench/tw-loadgen"
floor="${build:-?}/bench/tw-floor"
if [ ! -x "$server" ] || [ ! -x "$loadgen" ] || [ ! -x "$floor" ]; then
    echo "run.sh: no tickerwire-server / tw-loadgen / tw-floor in '${build:-build/release}'. Build them first:" >&2
    echo "  cmake --preset release && cmake --build build/release --target tickerwire-server tw-loadgen tw-floor" >&2
    exit 2
fi

# 10,000 streams need 10,000 descriptors in the server and as many in the load generator.
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 1048576 ]; then ulimit -n 1048576 2>/dev/null || true; else ulimit -n "$hard"; fi
if [ "$(ulimit -n)" -lt 10300 ]; then
    echo "run.sh: warning: open-file limit $(ulimit -n) is below the 10,000 streams of idle10k" >&2
fi

prefix=()
if [ -n "$niceness" ]; then
    if nice -n "$niceness" true 2>/dev/null; then prefix=(nice -n "$niceness"); else
        echo "run.sh: cannot run at niceness $niceness; running at the default" >&2
    fi
fi

if [ $quick = 1 ]; then dur=10; soak=10; else dur=30; soak=600; fi
work=$(mktemp -d)
spid=
cleanup() {
    if [ -n "$spid" ]; then kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

start_server() { # demo rate, then extra flags (tw-floor's, for the floor scenarios)
    local rate=$1; shift
    key=bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
    : >"$work/server.out"
    if [ "$use_floor" = 1 ]; then
        # The floor scenarios: tw-floor instead of the server, each stream ~$rate items/s.
        "${prefix[@]}" "$floor" --host 127.0.0.1 --port 0 --rate "$rate" "$@" \
            >"$work/server.out" 2>"$work/server.err" &
    else
        # shellcheck disable=SC2086 # $server_flags: several flags, split on purpose
        QT_LOGGING_RULES='tickerwire.*.info=false' "${prefix[@]}" "$server" --host 127.0.0.1 --port 0 \
            --api-key "$key" --demo-rate "$rate" --bench-publish-ns --rate-limit 0 --stream-rate-limit 0 \
            --max-connections 20000 --max-connections-per-client 20000 --max-sessions 0 $server_flags "$@" \
            >"$work/server.out" 2>"$work/server.err" &
    fi
    spid=$!
    port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's/^[a-z-]* listening on http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$work/server.out")
        [ -n "$port" ] && return 0
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: tickerwire-server did not start:" >&2
    cat "$work/server.err" >&2
    exit 1
}

stop_server() {
    kill "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    spid=
}

results=()
use_floor=0
run() { # name, demo rate, server flags (one string), then load generator flags
    local name=$1 rate=$2 sflags=$3; shift 3
    if [ -n "$only" ] && [[ ",$only," != *",$name,"* ]]; then return 0; fi
    # shellcheck disable=SC2086
    start_server "$rate" $sflags
    echo "== $name (demo feed $rate items/s)" >&2
    local out line
    out=$("${prefix[@]}" "$loadgen" --port "$port" --api-key "$key" --server-pid "$spid" \
        --scenario "$name" "$@" || true)
    echo "$out" >&2
    line=$(grep '^BENCH ' <<<"$out" || true)
    stop_server
    [ -n "$line" ] && results+=("$line")
    if [ -n "$outfile" ] && [ -n "$line" ]; then echo "$line" >>"$outfile"; fi
}

# The demo feed gives about half of its items to the watched symbols (the rest to other
# tickers), so a feed of 2R items/s gives each stream of one symbol about R items/s.
# ping: 32 clients, each waiting for its answer before the next request (the target's
# scenario); ping8: the same 32 connections with 8 pipelined requests each, for throughput
# (256 requests in flight put a floor of 256 / rate under every latency: Little's law).
run ping 1 "" --mode rpc --clients 32 --pipeline 1 --duration $dur --methods ping
run ping8 1 "" --mode rpc --clients 32 --pipeline 8 --duration $dur --methods ping
run sse100 200 "" --mode bridge --clients 100 --duration $dur --coherence --interval 15000 --grace 30
run sse1000 20 "" --mode bridge --clients 1000 --duration $dur --coherence --interval 15000 --grace 30
run idle10k 0 "--heartbeat-interval 15000" --mode idle --clients 10000 --duration $dur --interval 15000
run mcp100 200 "" --mode mcp --clients 100 --duration $dur --coherence --interval 15000 --grace 30
# The same two with a client that never sleeps in epoll_wait (it spins on a core of its own):
# what is left is the server's part of the latency, without the client's own wake-ups.
run sse100spin 200 "" --mode bridge --clients 100 --duration $dur --coherence --interval 15000 --grace 30 --busy-poll
run mcp100spin 200 "" --mode mcp --clients 100 --duration $dur --coherence --interval 15000 --grace 30 --busy-poll
# The floor: the same client against tw-floor, the least any server could do (one sendmsg() per
# stream of an item serialised once, nothing else). What it measures is this machine's kernel,
# scheduler and client; no server can go below it here. Its rate is per stream (no other symbols).
use_floor=1
run floor100 100 "" --mode bridge --clients 100 --duration $dur --coherence --interval 15000 --grace 30
run floor100spin 100 "" --mode bridge --clients 100 --duration $dur --coherence --interval 15000 --grace 30 --busy-poll
run floor1000 10 "" --mode bridge --clients 1000 --duration $dur --coherence --interval 15000 --grace 30
# The floor with each item's fan-out split over two threads: the most one event loop per core
# could gain here, with the load generator on the same two cores.
run floor100x2 100 "--threads 2" --mode bridge --clients 100 --duration $dur --coherence --interval 15000 --grace 30
run floor100x2spin 100 "--threads 2" --mode bridge --clients 100 --duration $dur --coherence --interval 15000 --grace 30 --busy-poll
use_floor=0
# The soak looks for per-stream leaks, so the hub's bounded caches must be full before the RSS
# baseline: small rings and a slow feed fill them within the warm-up (see bench/README.md).
# Rings of 2 per symbol: ~110 demo tickers x 2 items fill in ~2 minutes at 2 items/s (with 20
# per symbol they took ~18 minutes, and the filling showed as ~2 MiB of "drift"); the duplicate
# window of 100 items fills in 50 s (at its default of 50,000 it fills for 7 hours).
run soak 2 "--news-ring-size 2 --news-ring-total 200 --news-dedupe-size 100" --mode churn --clients 200 --duration $soak \
    --warmup $((soak / 5)) --churn-min 1 --churn-max 5 --interval 5000

field() { # line, key
    sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}
echo
printf '%-14s %-7s %8s %10s %8s %8s %8s %6s %6s %7s %9s  %s\n' scenario mode clients rate/s p50_us p99_us \
    max_us lost fails cpu% rss_MiB extra
for line in "${results[@]}"; do
    name=$(field "$line" scenario)
    extra=
    case $name in
    sse*|mcp*|floor*) extra="items/stream/s=$(awk -v i="$(field "$line" items)" -v c="$(field "$line" clients)" \
        -v s="$(field "$line" seconds)" 'BEGIN { if (c > 0 && s > 0) printf "%.1f", i / c / s }') completed=$(field "$line" completed)" ;;
    idle*) extra="held=$(field "$line" held) KiB/stream=$(field "$line" kib_per_stream)" ;;
    soak*) extra="opened=$(field "$line" connected) drift_KiB=$(field "$line" rss_drift_kib) 2nd_half_KiB=$(field "$line" rss_second_half_drift_kib) fds=$(field "$line" fd_before)->$(field "$line" fd_after) streams_open_after=$(field "$line" streams_open_after)" ;;
    ping*) extra="rpc_errors=$(field "$line" rpc_errors)" ;;
    esac
    printf '%-14s %-7s %8s %10s %8s %8s %8s %6s %6s %7s %9s  %s\n' "$name" "$(field "$line" mode)" \
        "$(field "$line" clients)" "$(field "$line" rate_per_s)" "$(field "$line" p50_us)" \
        "$(field "$line" p99_us)" "$(field "$line" max_us)" "$(field "$line" lost)" \
        "$(field "$line" failures)" "$(field "$line" server_cpu_pct)" \
        "$(awk -v k="$(field "$line" server_rss_peak_kib)" 'BEGIN { printf "%.1f", k / 1024 }')" "$extra"
done
echo
printf '%s\n' "${results[@]}"
