# SPDX-License-Identifier: Apache-2.0
# Sourced, not run. Removing what container runtimes leave behind: runc
# removes a container's own cgroup directories at delete but leaves the
# parents it created, in every hierarchy (and nests relative paths under
# the caller's cgroup in some). Tests snapshot the directories before they
# start containers and remove, after, exactly the new ones that lead to
# their containers: never anything they did not create.

# cgroup_snapshot FILE: every cgroup directory now, sorted.
cgroup_snapshot() {
	find /sys/fs/cgroup -mindepth 1 -type d 2>/dev/null | sort >"$1"
}

# cgroup_new BEFORE NEW: the directories created since BEFORE, into NEW.
# Call it while the containers still exist: their own directories go at
# delete, and only a snapshot with them shows their new parents.
cgroup_new() {
	cgroup_snapshot "$2.all"
	comm -13 "$1" "$2.all" >"$2"
	rm -f "$2.all"
}

# cgroup_remove_new NEW MARK...: rmdir the directories of NEW whose path
# contains a MARK (container id, pod uid), with their new ancestors,
# deepest first (rmdir only ever removes empty ones); warn about any new
# directory that remains.
cgroup_remove_new() {
	_cg_new=$1
	shift
	for _cg_mark in "$@"; do
		grep -F -- "$_cg_mark" "$_cg_new"
	done | while read -r _cg_d; do
		while [ "$_cg_d" != /sys/fs/cgroup ] &&
			grep -qxF -- "$_cg_d" "$_cg_new"; do
			echo "$_cg_d"
			_cg_d=$(dirname "$_cg_d")
		done
	done | sort -u | awk '{ print length($0) " " $0 }' | sort -rn |
		cut -d' ' -f2- | while read -r _cg_d; do
		rmdir "$_cg_d" 2>/dev/null
	done
	while read -r _cg_d; do
		[ -d "$_cg_d" ] && echo "WARN: cgroup directory remains: $_cg_d"
	done <"$_cg_new"
	return 0
}
