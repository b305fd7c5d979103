#!/usr/bin/env bash
# Packaging test (ctest -L packaging): builds the Debian packages and the tarball with CPack from
# a complete build tree, then checks what a user would get:
#   - each package lists exactly the files it should (dpkg-deb -c), and its control fields
#     (version from the project, maintainer, section, homepage, description, shlibdeps Depends;
#     the headless package pulls in no GUI library; the GUI package depends on the headless one);
#   - the desktop entry passes desktop-file-validate, the metainfo appstreamcli validate --no-net,
#     and its newest release is the project version (so is the changelog's);
#   - extracted with dpkg -x into a throw-away root, every program prints the same --version,
#     has a complete --help that its man page covers, and tickerwire-server starts from there
#     and answers /healthz on 127.0.0.1;
#   - the systemd user unit has its keys file, restart policy and hardening, and passes
#     systemd-analyze verify where systemd-analyze exists.
#
#   check_packages.sh --build-dir DIR --work-dir DIR --version X.Y.Z (--gui | --no-gui)
#
# Exits 0 when all checks pass, 1 listing every failed check, 77 (skip) on a system without dpkg.
set -uo pipefail

build_dir="" work="" version="" gui=""
while (($#)); do
    case "$1" in
        --build-dir) build_dir=$2; shift ;;
        --work-dir) work=$2; shift ;;
        --version) version=$2; shift ;;
        --gui) gui=1 ;;
        --no-gui) gui=0 ;;
        *) echo "check_packages.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
    shift
done
if [[ -z $build_dir || -z $work || -z $version || -z $gui ]]; then
    echo "usage: check_packages.sh --build-dir DIR --work-dir DIR --version X.Y.Z (--gui | --no-gui)" >&2
    exit 2
fi

if ! command -v dpkg-deb >/dev/null 2>&1; then
    echo "SKIP: dpkg-deb not found: the packaging checks need Debian or Ubuntu"
    exit 77
fi

failures=()
fail() {
    failures+=("$*")
    echo "FAIL: $*"
}
pass() { echo "ok: $*"; }

need_tool() {
    command -v "$1" >/dev/null 2>&1 && return 0
    fail "$1 not found (Debian package $2; scripts/bootstrap installs it)"
    return 1
}
for tool in "dpkg-shlibdeps dpkg-dev" "desktop-file-validate desktop-file-utils" \
    "appstreamcli appstream" "curl curl" "groff groff-base" "file file"; do
    read -r t p <<<"$tool"
    need_tool "$t" "$p"
done

id=io.github.tickerwire.Tickerwire
arch=$(dpkg --print-architecture)
hicolor=usr/share/icons/hicolor

server_files=(
    usr/bin/tickerwire-cli
    usr/bin/tickerwire-server
    usr/lib/systemd/user/tickerwire-server.service
    usr/share/doc/tickerwire-server/changelog.gz
    usr/share/doc/tickerwire-server/CHANGELOG.md.gz
    usr/share/doc/tickerwire-server/copyright
    usr/share/doc/tickerwire-server/examples/server.env
    usr/share/man/man1/tickerwire-cli.1.gz
    usr/share/man/man1/tickerwire-server.1.gz
)
gui_files=(
    usr/bin/tickerwire
    "usr/share/applications/$id.desktop"
    usr/share/doc/tickerwire/changelog.gz
    usr/share/doc/tickerwire/CHANGELOG.md.gz
    usr/share/doc/tickerwire/copyright
    "$hicolor/128x128/apps/$id.png"
    "$hicolor/256x256/apps/$id.png"
    "$hicolor/48x48/apps/$id.png"
    "$hicolor/scalable/apps/$id.svg"
    usr/share/man/man1/tickerwire.1.gz
    "usr/share/metainfo/$id.metainfo.xml"
)
programs=(tickerwire-server tickerwire-cli)
((gui)) && programs+=(tickerwire)

server_pid=""
trap '[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null' EXIT
rm -rf "$work"
mkdir -p "$work/out" "$work/root" "$work/home"

# --- build the packages -------------------------------------------------------------------
if ! cpack --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    fail "cpack failed (is the build complete? this test packages what the build made)"
    printf '%d packaging check(s) failed\n' "${#failures[@]}"
    exit 1
fi
server_deb=$work/out/tickerwire-server_${version}_${arch}.deb
gui_deb=$work/out/tickerwire_${version}_${arch}.deb
tarball=$work/out/tickerwire-${version}-linux-$(uname -m).tar.gz
debs=("$server_deb")
((gui)) && debs+=("$gui_deb")
for f in "${debs[@]}" "$tarball"; do
    if [[ -f $f ]]; then pass "built $(basename "$f") ($(du -k "$f" | cut -f1) KiB)"; else fail "cpack made no $(basename "$f"): $(ls "$work/out")"; fi
done
if ((!gui)) && [[ -f $gui_deb ]]; then
    fail "a tickerwire (GUI) package was made in a build without the desktop app"
fi

# --- contents: exactly the expected files ---------------------------------------------------
# Regular files and symlinks of a package, without the leading "./".
deb_files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { p = $6; sub(/^\.\//, "", p); print p }' | sort; }
check_contents() { # label, actual list file, expected...
    local label=$1 actual=$2
    shift 2
    local expected
    expected=$(printf '%s\n' "$@" | sort)
    local missing extra
    missing=$(comm -23 <(printf '%s\n' "$expected") "$actual")
    extra=$(comm -13 <(printf '%s\n' "$expected") "$actual")
    [[ -z $missing ]] || fail "$label lacks: ${missing//$'\n'/ }"
    [[ -z $extra ]] || fail "$label has unexpected files: ${extra//$'\n'/ }"
    [[ -z $missing && -z $extra ]] && pass "$label holds exactly the $# expected files"
}
if [[ -f $server_deb ]]; then
    deb_files "$server_deb" >"$work/server.list"
    check_contents tickerwire-server.deb "$work/server.list" "${server_files[@]}"
fi
if ((gui)) && [[ -f $gui_deb ]]; then
    deb_files "$gui_deb" >"$work/gui.list"
    check_contents tickerwire.deb "$work/gui.list" "${gui_files[@]}"
fi
if [[ -f $tarball ]]; then
    top=tickerwire-${version}-linux-$(uname -m)
    tar -tzf "$tarball" | grep -v '/$' | sed "s|^$top/||" | sort >"$work/tgz.list"
    expected_tgz=()
    for f in "${server_files[@]}"; do expected_tgz+=("${f#usr/}"); done
    if ((gui)); then for f in "${gui_files[@]}"; do expected_tgz+=("${f#usr/}"); done; fi
    check_contents "$(basename "$tarball")" "$work/tgz.list" "${expected_tgz[@]}"
fi

# --- control fields ------------------------------------------------------------------------
check_field() { # deb, field, extended regex
    local value
    value=$(dpkg-deb -f "$1" "$2")
    if [[ $value =~ $3 ]]; then pass "$(basename "$1") $2: ${value%%$'\n'*}"; else fail "$(basename "$1") $2 is '${value%%$'\n'*}', want /$3/"; fi
}
for deb in "${debs[@]}"; do
    [[ -f $deb ]] || continue
    check_field "$deb" Version "^${version//./\\.}$"
    check_field "$deb" Maintainer '^[^<]+ <[^@ ]+@[^> ]+>$'
    check_field "$deb" Section '^[a-z0-9]+$'
    check_field "$deb" Homepage '^https://'
    check_field "$deb" Description '^[A-Za-z][^'$'\n'']{9,79}'$'\n'' .{20,}'
    # dpkg-shlibdeps ran: the C++ and Qt runtime libraries with versions.
    check_field "$deb" Depends 'libc6 \(>= [0-9.]+\).*libqt6core6 \(>= 6\.4'
done
if [[ -f $server_deb ]]; then
    check_field "$server_deb" Package '^tickerwire-server$'
    depends=$(dpkg-deb -f "$server_deb" Depends)
    if [[ $depends =~ libqt6(gui|widgets|svg) ]]; then
        fail "tickerwire-server.deb depends on GUI libraries: $depends"
    else
        pass "tickerwire-server.deb pulls in no Qt GUI library"
    fi
fi
if ((gui)) && [[ -f $gui_deb ]]; then
    check_field "$gui_deb" Package '^tickerwire$'
    [[ $(dpkg-deb -f "$gui_deb" Description | head -n 1) != "$(dpkg-deb -f "$server_deb" Description | head -n 1)" ]] ||
        fail "both packages have the same synopsis (first Description line)"
    check_field "$gui_deb" Depends "libqt6widgets6 .*tickerwire-server \(= ${version//./\\.}\)|tickerwire-server \(= ${version//./\\.}\).*libqt6widgets6"
    # The window icon is an SVG: QIcon loads it through libqt6svg6's icon engine plugin.
    check_field "$gui_deb" Depends 'libqt6svg6'
fi

# --- install into a throw-away root --------------------------------------------------------
root=$work/root
for deb in "${debs[@]}"; do
    [[ -f $deb ]] && dpkg -x "$deb" "$root"
done
# A clean environment: no keys or settings of whoever runs the test.
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config"
    XDG_RUNTIME_DIR="$work/runtime" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen)
mkdir -p "$work/runtime" && chmod 700 "$work/runtime"
run_clean() { "${clean_env[@]}" "$@"; }

versions=()
for prog in "${programs[@]}"; do
    bin=$root/usr/bin/$prog
    if [[ ! -x $bin ]]; then
        fail "$prog is not installed as an executable in usr/bin"
        continue
    fi
    out=$(run_clean "$bin" --version 2>"$work/$prog.version.err")
    rc=$?
    if ((rc == 0)) && [[ $out == "$prog $version" ]]; then
        pass "$prog --version: $out"
    else
        fail "$prog --version exited $rc and printed '$out' (want '$prog $version'): $(head -c 300 "$work/$prog.version.err")"
    fi
    versions+=("${out##* }")

    # --help: usage, every option described, and the installed man page names each one.
    run_clean "$bin" --help >"$work/$prog.help" 2>"$work/$prog.help.err"
    rc=$?
    if ((rc != 0)) || ! grep -q "^Usage: " "$work/$prog.help" || ! grep -q -- '--version' "$work/$prog.help"; then
        fail "$prog --help exited $rc without a usage and option list: $(head -c 300 "$work/$prog.help.err")"
        continue
    fi
    # An option line is "  NAMES  DESCRIPTION"; without the two-space gap it has none.
    undocumented=$(grep -E '^  -' "$work/$prog.help" | sed 's/^  //' | grep -vE '  +[^ ]' || true)
    [[ -z $undocumented ]] || fail "$prog --help has options without a description: $undocumented"
    man=$root/usr/share/man/man1/$prog.1.gz
    if [[ ! -f $man ]]; then
        fail "no man page for $prog"
        continue
    fi
    zcat "$man" >"$work/$prog.1"
    missing=""
    for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$work/$prog.help" | sort -u); do
        grep -qF -- "${opt//-/\\-}" "$work/$prog.1" || missing+=" $opt"
    done
    [[ -z $missing ]] || fail "$prog.1 does not describe:$missing (man page older than the program?)"
    groff_warnings=$(groff -man -Tutf8 -ww -z "$work/$prog.1" 2>&1)
    [[ -z $groff_warnings ]] || fail "$prog.1 has groff warnings: $groff_warnings"
    title=${prog^^}
    title=${title//-/'\\-'}
    grep -q "^\.TH $title 1 .*Tickerwire $version" "$work/$prog.1" ||
        fail "$prog.1 header does not name version $version: $(grep '^\.TH' "$work/$prog.1")"
    [[ -z $missing && -z $groff_warnings ]] && pass "$prog --help and $prog(1) agree; groff has no warnings"
done
distinct=$(printf '%s\n' "${versions[@]}" | sort -u | wc -l)
if ((${#versions[@]} == ${#programs[@]} && distinct == 1)); then
    pass "all ${#programs[@]} programs print version ${versions[0]}"
else
    fail "the programs print different versions: ${versions[*]}"
fi

# The installed server starts from its installed path and answers on loopback.
if [[ -x $root/usr/bin/tickerwire-server ]]; then
    # A simple command, not a function, in the background: $! is then the server itself.
    "${clean_env[@]}" "$root/usr/bin/tickerwire-server" --host 127.0.0.1 --port 0 \
        >"$work/server.out" 2>"$work/server.err" &
    pid=$!
    server_pid=$pid
    url=""
    for _ in $(seq 1 400); do # up to 20 s for the ready line on a loaded machine
        url=$(sed -n 's/^tickerwire-server listening on \(http[^ ]*\).*/\1/p' "$work/server.out")
        [[ -n $url ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if [[ -z $url ]]; then
        fail "the installed tickerwire-server printed no ready line: $(head -c 500 "$work/server.err")"
    else
        health=$(curl -fsS --max-time 10 "${url%/}/healthz" 2>&1)
        if [[ $? -eq 0 ]]; then pass "installed tickerwire-server answers ${url%/}/healthz: $health"; else fail "GET ${url%/}/healthz failed: $health"; fi
    fi
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    server_pid=""
    if ((rc == 0)); then
        pass "tickerwire-server exits 0 on SIGTERM"
    else
        fail "tickerwire-server exited $rc on SIGTERM: $(tail -c 300 "$work/server.err")"
    fi
fi

# --- desktop entry, AppStream, icons ---------------------------------------------------------
if ((gui)); then
    desktop=$root/usr/share/applications/$id.desktop
    metainfo=$root/usr/share/metainfo/$id.metainfo.xml
    if [[ -f $desktop ]]; then
        out=$(desktop-file-validate "$desktop" 2>&1)
        if [[ $? -eq 0 && -z $out ]]; then pass "desktop-file-validate $id.desktop"; else fail "desktop-file-validate: $out"; fi
        exec_name=$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")
        [[ -x $root/usr/bin/$exec_name ]] || fail "the desktop entry runs '$exec_name', which the package does not install in usr/bin"
        icon=$(sed -n 's/^Icon=//p' "$desktop")
        [[ $icon == "$id" ]] || fail "the desktop entry's Icon is '$icon', want the application id $id"
    fi
    for size in 48 128 256; do
        png=$root/$hicolor/${size}x${size}/apps/$id.png
        [[ -f $png ]] || continue
        if file "$png" | grep -q "PNG image data, $size x $size"; then pass "icon ${size}x$size"; else fail "icon ${size}x$size is: $(file -b "$png")"; fi
    done
    if [[ -f $metainfo ]]; then
        out=$(appstreamcli validate --no-net "$metainfo" 2>&1)
        if [[ $? -eq 0 ]]; then pass "appstreamcli validate --no-net: $(echo "$out" | tail -n 1)"; else fail "appstreamcli validate --no-net: $out"; fi
        release=$(grep -oE '<release version="[^"]+"' "$metainfo" | head -n 1 | cut -d'"' -f2)
        [[ $release == "$version" ]] || fail "the newest release in the metainfo is '$release', the project is $version"
        grep -q "<launchable type=\"desktop-id\">$id.desktop</launchable>" "$metainfo" ||
            fail "the metainfo does not launch $id.desktop"
    fi
fi
changelog_version=$(zcat "$root/usr/share/doc/tickerwire-server/CHANGELOG.md.gz" 2>/dev/null |
    sed -n 's/^## \[\([^]]*\)\].*/\1/p' | head -n 1)
[[ $changelog_version == "$version" ]] ||
    fail "the newest entry of CHANGELOG.md is '$changelog_version', the project is $version"
if command -v dpkg-parsechangelog >/dev/null 2>&1; then
    zcat "$root/usr/share/doc/tickerwire-server/changelog.gz" >"$work/changelog.Debian" 2>/dev/null
    debian_version=$(dpkg-parsechangelog -l "$work/changelog.Debian" -S Version 2>&1)
    [[ $debian_version == "$version" ]] ||
        fail "the Debian changelog (doc/tickerwire-server/changelog.gz) gives version '$debian_version', want $version"
fi
# Reproducible: no build time in the gzip headers (gzip -n).
while IFS= read -r gz; do
    [[ $(od -An -tu4 -j4 -N4 "$gz" | tr -d ' ') == 0 ]] || fail "${gz#"$root"/} has a timestamp in its gzip header"
done < <(find "$root/usr/share" -name '*.gz')
grep -q "MIT License" "$root/usr/share/doc/tickerwire-server/copyright" 2>/dev/null ||
    fail "usr/share/doc/tickerwire-server/copyright is not the MIT license"

# --- systemd user unit -----------------------------------------------------------------------
unit=$root/usr/lib/systemd/user/tickerwire-server.service
if [[ -f $unit ]]; then
    for want in '^ExecStart=/usr/bin/tickerwire-server$' '^EnvironmentFile=-%h/\.config/tickerwire/server\.env$' \
        '^Restart=on-failure$' '^NoNewPrivileges=yes$' '^SystemCallFilter=@system-service$' \
        '^RestrictAddressFamilies=' '^WantedBy=default\.target$'; do
        grep -qE "$want" "$unit" || fail "the unit lacks a line matching $want"
    done
    if [[ -f $work/tgz.list ]]; then
        tar -xzf "$tarball" -C "$work" "$top/lib/systemd/user/tickerwire-server.service" &&
            { grep -q '^ExecStart=tickerwire-server$' "$work/$top/lib/systemd/user/tickerwire-server.service" ||
                fail "the tarball's unit does not start the bare tickerwire-server (it is relocatable)"; }
    fi
    if command -v systemd-analyze >/dev/null 2>&1; then
        # verify wants ExecStart to exist: point it at the extracted program.
        mkdir -p "$work/unit"
        sed "s|^ExecStart=/usr/bin/|ExecStart=$root/usr/bin/|" "$unit" >"$work/unit/tickerwire-server.service"
        # As a user unit (a user manager needs a runtime directory); it prints bad settings
        # as warnings and still exits 0, so any output is a failure.
        out=$(XDG_RUNTIME_DIR="$work/runtime" SYSTEMD_LOG_LEVEL=warning \
            systemd-analyze --user verify --man=no "$work/unit/tickerwire-server.service" 2>&1)
        if [[ $? -eq 0 && -z $out ]]; then pass "systemd-analyze --user verify tickerwire-server.service"; else fail "systemd-analyze --user verify: $out"; fi
        exposure=$(XDG_RUNTIME_DIR="$work/runtime" systemd-analyze --user security --offline=true \
            "$work/unit/tickerwire-server.service" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: //p')
        [[ -n $exposure ]] && echo "note: systemd-analyze security exposure: $exposure"
    else
        echo "note: systemd-analyze not found; the unit was not verified"
    fi
fi

if ((${#failures[@]})); then
    printf '\n%d packaging check(s) failed:\n' "${#failures[@]}"
    printf '  - %s\n' "${failures[@]}"
    exit 1
fi
echo "packaging: all checks passed"
