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
	bool pushdown;		/* audit.pushdown */
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

	/* store_output.* */
	char *store_group;
	char *spool_dir;
	uint32_t spool_max_mb;
	uint64_t max_age_s;	/* max_age; 0 = keep */
	uint32_t max_rows;	/* 0 = no limit */
	uint32_t busy_timeout_ms;
	uint32_t retry_interval_ms;

	/* outputs.*: per-rule limit of the notification outputs */
	double out_rate;	/* per second; 0 = none */
	uint32_t out_max_burst;
	uint64_t out_summary_s;

	/* http_output.* (Falco's keys, and timeout_ms, max_batch,
	 * queue_max) */
	bool http_output;
	char *http_url, *http_user_agent, *http_ca_cert, *http_ca_bundle;
	char *http_ca_path, *http_client_cert, *http_client_key;
	bool http_insecure, http_mtls, http_echo, http_compress;
	bool http_keep_alive;
	uint32_t http_max_timeouts, http_timeout_ms, http_max_batch;
	uint32_t http_queue_max;

	/* file_output.* */
	bool file_output, file_keep_alive;
	char *file_name;

	/* program_output.* */
	bool program_output, program_keep_alive;
	char *program;
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

/* Reload: every key marked reloadable takes its value from src (strings
 * and lists are swapped: src, freed by the caller, gets the old ones). */
void config_take_reloadable(struct config *dst, struct config *src);

/* Whether every key whose name starts with prefix ("http_output.") has the
 * same value in a and b: a reload restarts an output only if its section
 * changed. */
bool config_section_equal(const struct config *a, const struct config *b,
			  const char *prefix);

/* The key table, for documentation and tests. */
void config_print_keys(FILE *out);

#endif
