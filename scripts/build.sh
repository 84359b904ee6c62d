#!/bin/sh
# Configures (once), builds and installs podrt from this checkout into
# /usr/local: the podrt command, libpodrt, headers, podrt.pc and plugins.
#   scripts/build.sh [BUILD_DIR]
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" --prefix=/usr/local >/dev/null
ninja -C "$build"
meson install -C "$build" --quiet
ldconfig
