#!/usr/bin/env bash
# Proves that CI cannot pass by skipping: with a backend missing, CI=true (or FAIRUSE_REQUIRE_BACKENDS=1) fails both
# the fixture that would start it and the test that needs it, with a message naming it; without either variable the
# same run skips and passes.
#
#   missing-backend.sh SOURCE_DIR REDIS_TEST_EXE FIRESTORE_TEST_EXE
#
# The redis fixture runs with a PATH that has no redis-server; the test executables run against an empty fixture
# state directory (no redis port, no emulator host), as when the fixtures found nothing to start.
set -uo pipefail

source_dir=${1:?source dir}
redis_test=${2:?redis test executable}
firestore_test=${3:?firestore test executable}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/state"
# Only what the fixture script needs before it looks for redis-server.
for tool in mkdir rm cat; do
    ln -s "$(command -v "$tool")" "$work/bin/$tool"
done
bash=$(command -v bash)

failures=0
check() { # description, expected exit ("zero" or "nonzero"), expected text, exit code, output
    local what=$1 expect=$2 text=$3 code=$4 out=$5
    if { [[ $expect == zero && $code -ne 0 ]] || [[ $expect == nonzero && $code -eq 0 ]]; }; then
        echo "FAIL: $what: exit $code, expected $expect" >&2
        failures=$((failures + 1))
    elif ! grep -qF -- "$text" <<<"$out"; then
        echo "FAIL: $what: output lacks \"$text\":" >&2
        echo "$out" >&2
        failures=$((failures + 1))
    else
        echo "ok: $what (exit $code)"
    fi
}

fixture() { # extra env...
    env -i PATH="$work/bin" HOME="$work" "$@" "$bash" "$source_dir/tests/fixtures/redis/redis-fixture.sh" start \
        "$work/state" redis auto 2>&1
}
out=$(fixture CI=true); code=$?
check "redis fixture, CI=true, no redis-server" nonzero "redis-server is not installed" "$code" "$out"
out=$(fixture FAIRUSE_REQUIRE_BACKENDS=1); code=$?
check "redis fixture, FAIRUSE_REQUIRE_BACKENDS=1, no redis-server" nonzero "redis-server is not installed" "$code" "$out"
out=$(fixture); code=$?
check "redis fixture, backends not required, no redis-server" zero "redis tests will skip" "$code" "$out"
if [[ -e "$work/state/redis.port" ]]; then
    echo "FAIL: the fixture wrote a port without a server" >&2
    failures=$((failures + 1))
fi

run_test() { # executable, extra env...
    local exe=$1
    shift
    env -u CI -u FAIRUSE_REQUIRE_BACKENDS -u FIRESTORE_EMULATOR_HOST FAIRUSE_TEST_STATE_DIR="$work/state" \
        QT_QPA_PLATFORM=offscreen "$@" "$exe" 2>&1
}
out=$(run_test "$redis_test" CI=true); code=$?
check "$(basename "$redis_test"), CI=true, no redis" nonzero "redis-server is required" "$code" "$out"
out=$(run_test "$redis_test"); code=$?
check "$(basename "$redis_test"), backends not required, no redis" zero "SKIP" "$code" "$out"
out=$(run_test "$firestore_test" FAIRUSE_REQUIRE_BACKENDS=1); code=$?
check "$(basename "$firestore_test"), FAIRUSE_REQUIRE_BACKENDS=1, no emulator" nonzero \
    "the Firestore emulator is required" "$code" "$out"
out=$(run_test "$firestore_test"); code=$?
check "$(basename "$firestore_test"), backends not required, no emulator" zero "SKIP" "$code" "$out"

if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "a missing backend fails CI and skips elsewhere"
