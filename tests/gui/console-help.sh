#!/usr/bin/env bash
# fairuse-console --help and --version answer anywhere: run with no display and no QT_QPA_PLATFORM.
#   console-help.sh CONSOLE VERSION
set -euo pipefail
console=${1:?console executable}
version=${2:?expected version}
run() { env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$console" "$@"; }

help=$(run --help)
if ! grep -q -- "--profile" <<<"$help" || ! grep -q "^Usage: fairuse-console" <<<"$help"; then
    echo "--help printed: $help" >&2
    exit 1
fi
printed=$(run --version)
if [[ $printed != "fairuse-console $version" ]]; then
    echo "--version printed: $printed" >&2
    exit 1
fi
echo "ok: --help and --version without a display ($printed)"
