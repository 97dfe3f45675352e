/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one line splitter for audit records arriving as a byte stream
 * (audit.log replay, the auditd plugin pipe, assembler_feed). A line
 * longer than the splitter's maximum is a security rule, not a parsing
 * detail: it is dropped whole (never cut into pieces that would parse as
 * records) and counted once in `overlong`, which its owner reports as
 * malformed. Empty lines are skipped. Not thread-safe.
 */
#ifndef HARRIER_LINESPLIT_H
#define HARRIER_LINESPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One line of n bytes without its newline; line[n] is always '\n' (a
 * last line without one gets it added), so a consumer may hand n + 1
 * bytes on. Borrowed for the call. Return 0 to go on, negative to stop:
 * the lines after it stay queued for the next call. */
typedef int (*linesplit_cb)(const char *line, size_t n, void *userdata);

struct linesplit {
	char *buf;
	size_t start, len; /* undelivered bytes: buf[start .. start+len) */
	size_t cap;	   /* max + chunk; one more byte for a final '\n' */
	size_t max;	   /* longest line accepted */
	bool skipping;	   /* inside an over-long line: drop to its '\n' */
	uint64_t lines;	   /* delivered */
	uint64_t overlong; /* dropped for their length */
	/* where: the number of the line being delivered (blank and dropped
	 * lines counted; 1 the first), and of the last one dropped */
	uint64_t lineno, overlong_line;
};

/* max: longest line kept (HARRIER_MAX_RECORD_LEN); chunk: the most one
 * read adds. 0 or -ENOMEM. */
int linesplit_init(struct linesplit *ls, size_t max, size_t chunk);
void linesplit_free(struct linesplit *ls);

/* Where to read the next bytes into (after delivering what is there):
 * *ret_p and the room there, at least chunk bytes. */
size_t linesplit_space(struct linesplit *ls, char **ret_p);
/* n bytes were read into linesplit_space()'s room (n may be 0: deliver
 * what a stopped callback left). Delivers every complete line. */
int linesplit_commit(struct linesplit *ls, size_t n, linesplit_cb cb,
		     void *userdata);
/* Copying form, for bytes that are elsewhere: any split of the stream. */
int linesplit_feed(struct linesplit *ls, const char *data, size_t n,
		   linesplit_cb cb, void *userdata);
/* End of input: a last line without its newline is still a line (unless
 * it was too long). Then the splitter is empty. */
int linesplit_finish(struct linesplit *ls, linesplit_cb cb, void *userdata);

#endif
