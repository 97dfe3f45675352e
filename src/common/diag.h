/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Diagnostics collected while loading input (rules, config): every error
 * in a file is reported, each as "file:line:col: message". Modules add to
 * a struct diag; the program decides how to print them.
 */
#ifndef HARRIER_DIAG_H
#define HARRIER_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum diag_level { DIAG_ERROR, DIAG_WARNING };

struct diag_item {
	enum diag_level level;
	char *file; /* may be NULL */
	unsigned int line, col; /* 1-based; 0 = unknown */
	char *message;
};

struct diag {
	struct diag_item *items;
	size_t n, cap;
	size_t nerrors;
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);
void diag_add(struct diag *d, enum diag_level level, const char *file,
	      unsigned int line, unsigned int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* "file:line:col: error: message" (parts omitted when unknown). */
void diag_format(const struct diag_item *it, char *buf, size_t len);
/* Every item, one per line, to out (the caller decides where). */
void diag_print(const struct diag *d, FILE *out);

#endif
