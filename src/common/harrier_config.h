/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd's configuration (/etc/harrier/harrier.yaml). Every key lives in
 * one table (name, type, bounds, default, whether reload may change it),
 * Falco's shapes are accepted (`stdout_output: {enabled: true}` or
 * `stdout_output: true`), and every error in the file is reported as
 * file:line:col. Reload parses into a new struct config and the caller
 * swaps only when it is valid.
 * (The file is harrier_config.h, not config.h: that name is autoconf's.)
 */
#ifndef HARRIER_HARRIER_CONFIG_H
#define HARRIER_HARRIER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/alert.h"
#include "common/diag.h"

/* A list key is a char ** followed by its size_t count. */
struct config {
	char **rules_files; /* rules_file: list; empty = the defaults */
	size_t nrules_files;
	enum alert_priority min_priority; /* priority */
	bool rules_strict; /* rules_strict */
	bool json_output;
	bool stdout_output;
	bool journald_output;
	bool store_output;
	char *store_path;	/* store_output.path */
	char *source;		/* audit.source: netlink | stdin | FILE */
	char *audit_rules_dir;	/* audit.rules_dir */
	bool kernel_rules;	/* audit.kernel_rules */
	uint32_t backlog_limit; /* audit.backlog_limit */
	bool track_forks;	/* audit.track_forks */
	int log_level;		/* log_level: LOG_ERR..LOG_DEBUG */

	/* capture.*: the events around alerts (pipeline/capture.h) */
	bool capture_enabled;
	enum alert_priority capture_min_priority;
	uint32_t capture_before_ms;
	uint32_t capture_duration_ms; /* capture.default_duration */
	uint32_t capture_max_memory_mb;
	uint32_t capture_max_events_per_minute;
	char **capture_syscalls; /* capture.syscalls: extra kernel rules */
	size_t ncapture_syscalls;
};

/* A config holding every default. NULL on ENOMEM. */
struct config *config_new(void);
void config_free(struct config *c);

/* Parse path over the defaults in c. Returns 0, -EINVAL (every problem in
 * d), or -errno when the file cannot be read (also in d). */
int config_load(struct config *c, const char *path, struct diag *d);
int config_load_buffer(struct config *c, const char *name, const char *data,
		       size_t len, struct diag *d);

/* Keys whose value differs between a and b but that reload cannot change:
 * added to d as warnings ("x changed: restart to apply"). */
void config_check_reload(const struct config *old, const struct config *new,
			 const char *file, struct diag *d);

/* The key table, for documentation and tests. */
void config_print_keys(FILE *out);

#endif
