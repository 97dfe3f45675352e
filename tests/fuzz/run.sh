#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Bounded fuzz run for make check / CI: every libFuzzer harness runs for
# FUZZ_SECONDS (default 15) from a scratch copy of its seed corpus. A crash,
# leak or sanitizer report fails the test and leaves the reproducer in the
# build tree (fuzz-artifacts/).
set -u
secs=${FUZZ_SECONDS:-15}
b=${top_builddir:?}; s=${top_srcdir:?}
art="$b/fuzz-artifacts"
mkdir -p "$art"
rc=0
for h in assembler rules cond; do
	bin="$b/fuzz_$h"
	if [ ! -x "$bin" ]; then
		echo "fuzz_$h not built (no clang with -fsanitize=fuzzer)"
		exit 77
	fi
	work=$(mktemp -d)
	cp -r "$s/tests/fuzz/corpus/$h/." "$work/"
	# the Falco-dialect fixtures seed the rules loader too
	[ "$h" = rules ] && cp "$s"/tests/fixtures/falco/*_rules.yaml "$work/"
	echo "fuzzing $h for ${secs}s"
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 \
		-artifact_prefix="$art/$h-" -print_final_stats=1 "$work" \
		> "$art/$h.log" 2>&1; then
		echo "fuzz_$h FAILED; see $art/$h.log"
		tail -40 "$art/$h.log"
		rc=1
	else
		grep -E 'stat::number_of_executed_units|Done' "$art/$h.log" | tail -2
	fi
	rm -rf "$work"
done
exit $rc
