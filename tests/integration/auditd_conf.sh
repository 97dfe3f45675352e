# SPDX-License-Identifier: Apache-2.0
# Sourced, not run. write_auditd_conf DIR [FORMAT]: a private auditd
# configuration for tests, to run as `auditd -f -n -c DIR`: events go to
# auditd's stdout (with -f), nothing to disk, no space/disk actions, and
# plugins from DIR/plugins.d. FORMAT is RAW (default) or ENRICHED. auditd
# insists that the file is root-owned and mode 0640.
write_auditd_conf() {
	_ad_dir=$1
	mkdir -p "$_ad_dir/plugins.d"
	cat >"$_ad_dir/auditd.conf" <<CONF
local_events = yes
write_logs = no
log_file = $_ad_dir/audit.log
log_format = ${2:-RAW}
flush = none
freq = 0
num_logs = 1
max_log_file = 100
max_log_file_action = ignore
space_left = 2
space_left_action = ignore
admin_space_left = 1
admin_space_left_action = ignore
disk_full_action = ignore
disk_error_action = ignore
plugin_dir = $_ad_dir/plugins.d
CONF
	chmod 0640 "$_ad_dir/auditd.conf"
}

# write_auditd_plugin DIR PATH ARGS: the shipped plugins.d entry
# (packaging/auditd/harrier.conf.in, shipped inactive) in DIR/plugins.d,
# switched on and pointed at PATH with ARGS (auditd passes a plugin at most
# two arguments).
write_auditd_plugin() {
	sed -e "s|^active = .*|active = yes|" -e "s|^path = .*|path = $2|" \
		-e "s|^args = .*|args = $3|" \
		"${top_srcdir:-.}/packaging/auditd/harrier.conf.in" \
		>"$1/plugins.d/harrier.conf"
	chmod 0640 "$1/plugins.d/harrier.conf"
}
