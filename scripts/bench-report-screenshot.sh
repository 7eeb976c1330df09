#!/usr/bin/env bash
# The benchmarks' report, regenerated in one command: `lockstep bench report` from
# criterion's latest estimates, its peers chart as docs/img/bench-peers.svg (shown
# in the README), and a headless-browser screenshot of the page as
# docs/img/bench-report.png (to check that it renders).
#
#   scripts/bench-report-screenshot.sh [CRITERION_DIR]
#
# CRITERION_DIR defaults as `lockstep bench report` does: $CRITERION_HOME, else
# $CARGO_TARGET_DIR/criterion, else target/criterion. The page is written to
# CRITERION_DIR/lockstep-report.html (or $PAGE). Run `cargo bench -p
# lockstep-benches` first.
#
# It needs Chromium: chromium-headless-shell, chromium or google-chrome on PATH
# (or $CHROME); if there is none, it installs Debian's chromium-headless-shell
# with apt-get (as root, or through sudo). The screenshot is the top of the page,
# down to the end of its third chart, at 0.9 scale (under 400 KB): WINDOW=WxH
# (CSS pixels, default 1080x2600) and SCALE (default 0.9; the PNG is the window
# times the scale) change it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

if [[ $# -ge 1 ]]; then
    criterion=$1
elif [[ -n ${CRITERION_HOME:-} ]]; then
    criterion=$CRITERION_HOME
elif [[ -n ${CARGO_TARGET_DIR:-} ]]; then
    criterion=$CARGO_TARGET_DIR/criterion
else
    criterion=target/criterion
fi
if [[ ! -d $criterion ]]; then
    echo "no criterion directory $criterion: run cargo bench -p lockstep-benches first" >&2
    exit 2
fi
img=$root/docs/img
page=${PAGE:-$criterion/lockstep-report.html}
window=${WINDOW:-1080x2600}
scale=${SCALE:-0.9}

find_chrome() {
    if [[ -n ${CHROME:-} ]]; then
        echo "$CHROME"
        return
    fi
    local name
    for name in chromium-headless-shell chromium chromium-browser google-chrome headless_shell; do
        if command -v "$name" >/dev/null 2>&1; then
            command -v "$name"
            return
        fi
    done
}

chrome=$(find_chrome || true)
if [[ -z $chrome ]]; then
    echo "no Chromium on PATH: installing Debian's chromium-headless-shell" >&2
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium-headless-shell fonts-dejavu-core \
        || "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            chromium fonts-dejavu-core
    chrome=$(find_chrome)
    if [[ -z $chrome && -x /usr/lib/chromium/chromium-headless-shell ]]; then
        chrome=/usr/lib/chromium/chromium-headless-shell
    fi
    [[ -n $chrome ]] || { echo "Chromium did not install" >&2; exit 2; }
fi

svgs=$(mktemp -d)
profile=$(mktemp -d)
trap 'rm -rf "$svgs" "$profile"' EXIT

# The report, and its charts as standalone SVG files.
cargo run --quiet -p lockstep-cli --bin lockstep -- \
    bench report --criterion "$criterion" --out "$page" --svg-dir "$svgs"
page=$(cd "$(dirname "$page")" && pwd)/$(basename "$page")
mkdir -p "$img"
cp "$svgs/peers.svg" "$img/bench-peers.svg"
echo "wrote $img/bench-peers.svg"

# The screenshot. The sandbox needs user namespaces, which root in a container
# often lacks; Chromium refuses to run as root with it anyway.
flags=(--headless --disable-gpu --hide-scrollbars --force-device-scale-factor="$scale"
    --user-data-dir="$profile" --window-size="${window/x/,}"
    --screenshot="$img/bench-report.png")
if [[ $(id -u) -eq 0 ]]; then
    flags+=(--no-sandbox)
fi
# Chromium's own chatter (D-Bus, GPU) goes to a log, shown only if it fails.
if ! "$chrome" "${flags[@]}" "file://$page" >"$profile/chrome.log" 2>&1; then
    cat "$profile/chrome.log" >&2
    echo "Chromium failed: $chrome" >&2
    exit 2
fi
size=$(wc -c <"$img/bench-report.png")
echo "wrote $img/bench-report.png ($((size / 1024)) KiB, window $window at scale $scale)"
if [[ $size -ge 400000 ]]; then
    echo "warning: the screenshot is 400 KB or more; try a smaller WINDOW or SCALE" >&2
fi
