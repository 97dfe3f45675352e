/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Sources hand raw audit records (one text line each, as auditd writes
 * them) to the caller. One interface, chosen at start: file (audit.log
 * replay, "-" = stdin), stdin (auditd plugin string format), netlink (the
 * live kernel). A source exposes a pollable fd so the daemon's loop can
 * also run timers; source_read() delivers what is ready without blocking
 * for long.
 */
#ifndef HARRIER_SOURCE_H
#define HARRIER_SOURCE_H

#include <stddef.h>
#include <stdint.h>

struct source;

/* One record, without the trailing newline; borrowed for the call.
 * Return 0 to continue, negative to stop reading (error passed back). */
typedef int (*source_record_cb)(const char *rec, size_t len, void *userdata);

struct source_stats {
	uint64_t records;
	uint64_t dropped;   /* records the source had to drop (queue full) */
	uint64_t malformed; /* netlink messages with bad sender/length */
};

struct source_ops {
	const char *name;
	int (*start)(struct source *s, char **ret_err);
	int (*get_fd)(struct source *s);
	/* Deliver ready records. Returns >0 while more may come, 0 at end of
	 * input (files; live sources once stopped and drained), or -errno. */
	int (*read)(struct source *s, source_record_cb cb, void *userdata);
	void (*stats)(struct source *s, struct source_stats *ret);
	void (*stop)(struct source *s);
	void (*free)(struct source *s);
};

struct source {
	const struct source_ops *ops;
	void *state;
};

int source_start(struct source *s, char **ret_err);
int source_get_fd(struct source *s);
int source_read(struct source *s, source_record_cb cb, void *userdata);
void source_stats(struct source *s, struct source_stats *ret);
void source_stop(struct source *s);
void source_free(struct source *s);

/* audit.log replay: path, or "-" for stdin. Rotated logs are plain files:
 * pass them oldest first. */
struct source *source_file_new(const char *path);
/* A file source's position (source_file_new's only): the number of the
 * line it is delivering (1 the first), how many lines it dropped for
 * their length and the number of the last. */
void source_file_position(const struct source *s, uint64_t *ret_line,
			  uint64_t *ret_overlong, uint64_t *ret_overlong_line);

#endif
