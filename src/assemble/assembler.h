/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The assembler: raw audit records (text lines as auditd writes them, raw
 * or enriched with the 0x1D separator, optionally prefixed "node=X ") in,
 * one struct event per completed auparse event out. It owns an auparse
 * state in AUSOURCE_FEED mode. Malformed records are counted and skipped;
 * nothing a record contains may crash or stall it.
 */
#ifndef HARRIER_ASSEMBLER_H
#define HARRIER_ASSEMBLER_H

#include <stddef.h>
#include <stdint.h>

#include "common/event.h"
#include "common/limits.h"
#include "common/strbuf.h"

struct assembler;

/* Why a line past HARRIER_MAX_RECORD_LEN is skipped, by the assembler
 * or by the line splitter before it. */
#define ASSEMBLER_WHY_OVERLONG \
	"longer than " XSTR(HARRIER_MAX_RECORD_LEN) " bytes"

/* Called once per completed event, from inside assembler_feed/age/flush.
 * ev is borrowed for the duration of the call. */
typedef void (*assembler_event_cb)(const struct event *ev, void *userdata);

struct assembler_stats {
	uint64_t records;   /* lines accepted */
	uint64_t events;    /* events delivered */
	uint64_t malformed; /* lines or events skipped as malformed */
	uint64_t closed_early; /* syscall events ended before their last
				* record came (more than HARRIER_ASM_MAX_OPEN
				* events interleaved): split, rules may miss */
};

struct assembler *assembler_new(assembler_event_cb cb, void *userdata);
/* Why the last line or event counted as malformed was skipped (static
 * text; NULL before any), and *ret_serial the event's audit serial (0: a
 * line). */
const char *assembler_malformed_why(const struct assembler *a,
				    uint64_t *ret_serial);
void assembler_free(struct assembler *a);

/* Feed bytes: any number of whole or partial lines; a partial last line is
 * kept until the rest arrives. Returns 0 or -errno (-ENOMEM). */
int assembler_feed(struct assembler *a, const char *data, size_t len);
/* Feed exactly one record (no trailing newline needed). */
int assembler_feed_record(struct assembler *a, const char *rec, size_t len);
/* Complete events that have been idle (auparse_feed_age_events): call on a
 * timer in live mode so that the last event does not wait for the next. */
int assembler_age(struct assembler *a);
/* End of input: deliver every pending event. */
int assembler_flush(struct assembler *a);

void assembler_get_stats(const struct assembler *a,
			 struct assembler_stats *ret);

#endif
