#!/bin/sh
# Installs the Debian packages hypercap needs to build, test and plot, when they are missing.
# Idempotent and quiet when everything is present; uses sudo when not root.
# --mpi adds Open MPI, which only the optional MPI build (make test-mpi) needs; --fuzz adds
# clang and its libFuzzer runtime (make fuzz-short); --lint adds cppcheck (make lint); --bench
# adds SimPy 2 for Debian's /usr/bin/python3, which only the side-by-side benchmark (make
# bench) needs.
set -eu

# chromium: the browser test of report.html (tests/test_browser.c). libmicrohttpd and libcurl:
# the meter (meter/meter.c).
packages="build-essential cmake pkg-config libgsl-dev libcjson-dev libcsv-dev check gnuplot-nox
chromium libmicrohttpd-dev libcurl4-openssl-dev"
for opt in "$@"; do
	case $opt in
	--mpi) packages="$packages openmpi-bin libopenmpi-dev" ;;
	--fuzz) packages="$packages clang libclang-rt-14-dev" ;;
	--lint) packages="$packages cppcheck" ;;
	--bench) packages="$packages python3-simpy" ;;
	*) echo "deps.sh: unknown option '$opt'; allowed: --mpi, --fuzz, --lint, --bench" >&2; exit 2 ;;
	esac
done

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps.sh: missing packages:$missing; run as root or install sudo" >&2
	exit 1
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086 # word splitting of the package list is intended
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
