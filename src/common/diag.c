/* SPDX-License-Identifier: Apache-2.0 */
/* Collected load-time diagnostics. Allocation failure loses a message,
 * never the error count. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_free(struct diag *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
	}
	free(d->items);
	diag_init(d);
}

void diag_add(struct diag *d, enum diag_level level, const char *file,
	      unsigned int line, unsigned int col, const char *fmt, ...)
{
	struct diag_item *it;
	va_list ap;
	char msg[1024];

	if (level == DIAG_ERROR)
		d->nerrors++;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct diag_item *p = realloc(d->items, cap * sizeof(*p));

		if (!p)
			return;
		d->items = p;
		d->cap = cap;
	}
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	it = &d->items[d->n];
	it->level = level;
	it->file = file ? strdup(file) : NULL;
	it->line = line;
	it->col = col;
	it->message = strdup(msg);
	if (!it->message) {
		free(it->file);
		return;
	}
	d->n++;
}

void diag_format(const struct diag_item *it, char *buf, size_t len)
{
	const char *lvl = it->level == DIAG_ERROR ? "error" : "warning";

	if (it->file && it->line && it->col)
		(void)snprintf(buf, len, "%s:%u:%u: %s: %s", it->file, it->line,
			       it->col, lvl, it->message);
	else if (it->file && it->line)
		(void)snprintf(buf, len, "%s:%u: %s: %s", it->file, it->line,
			       lvl, it->message);
	else if (it->file)
		(void)snprintf(buf, len, "%s: %s: %s", it->file, lvl,
			       it->message);
	else
		(void)snprintf(buf, len, "%s: %s", lvl, it->message);
}

void diag_print(const struct diag *d, FILE *out)
{
	char buf[1536];
	size_t i;

	for (i = 0; i < d->n; i++) {
		diag_format(&d->items[i], buf, sizeof(buf));
		(void)fprintf(out, "%s\n", buf);
	}
}
