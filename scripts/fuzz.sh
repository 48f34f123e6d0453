#!/usr/bin/env bash
# Runs every fuzz target of the repository for <fuzztime> each (a
# duration such as 2s or 10m, or a count such as 1000x), one
# `go test -fuzz` per target: the go command fuzzes one target at a time.
# Targets are found by grepping the test files for `func FuzzX(`, so a new
# one is picked up without editing this script.
#
# A finding fails the run, after every target had its turn. go test writes
# the failing input to the package's testdata/fuzz/FuzzX/: fix the parser
# and commit that file, which every plain `go test` then replays.
#
# FUZZMINIMIZETIME bounds the minimizing of each new input (default 1s):
# go's default of 60s would spend a short run minimizing instead of fuzzing.
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 <fuzztime, e.g. 60s>" >&2
	exit 2
fi
fuzztime=$1
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=${GOTOOLCHAIN:-go1.27.3} CGO_ENABLED=${CGO_ENABLED:-0}

targets=$(grep -rHoE --include='*_test.go' --exclude-dir=node_modules --exclude-dir=.git \
	'^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . | sed -E 's/^(.*)\/[^/]*:func (Fuzz[A-Za-z0-9_]*)\(.*/\1 \2/' | sort)
if [[ -z $targets ]]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi

failed=()
while read -r pkg target; do
	echo "fuzz: $pkg $target for $fuzztime"
	if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" \
		-fuzzminimizetime "${FUZZMINIMIZETIME:-1s}" "$pkg"; then
		failed+=("$pkg $target")
	fi
done <<<"$targets"

if ((${#failed[@]} > 0)); then
	printf 'fuzz: FAILED %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz: $(wc -l <<<"$targets") targets passed"
