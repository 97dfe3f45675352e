# SPDX-License-Identifier: Apache-2.0
# Sourced, not run: the forensics tests' shared part. ask N [SQLITE3 ARGS]:
# question N of schema/queries.sql ("-- QN:" up to the line ending in
# ';'), run read-only on $DB with the given -cmd ".param set ..." lines;
# rows separated by '|', no header.
question() {
	awk -v n="$1" '
		/^-- Q[0-9]+:/ { cur = substr($2, 2); sub(/:$/, "", cur); cur += 0 }
		cur == n && !/^--/ { print; if ($0 ~ /;[ \t]*$/) exit }
	' "${top_srcdir:?}/schema/queries.sql"
}
ask() {
	_q=$1
	shift
	sqlite3 -readonly -bail -separator '|' "$@" "$DB" "$(question "$_q")"
}
