/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the record assembler: the input is audit log text,
 * fed in chunks whose sizes come from the input itself, then a few records
 * through assembler_feed_record, then flushed. Every string of every event
 * is read so that ASan sees any dangling or unterminated one.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "assemble/assembler.h"

static size_t sink;

static void touch(const char *s)
{
	if (s)
		sink += strlen(s);
}

static void on_event(const struct event *ev, void *userdata)
{
	size_t i;

	(void)userdata;
	touch(ev->type_name);
	touch(ev->node);
	touch(ev->arch_name);
	touch(ev->syscall_name);
	touch(ev->tty);
	touch(ev->comm);
	touch(ev->exe);
	touch(ev->key);
	touch(ev->subj);
	touch(ev->cwd);
	for (i = 0; i < ev->argc; i++)
		touch(ev->argv[i]);
	if (ev->argv && ev->argv[ev->argc])
		__builtin_trap(); /* argv must be NULL-terminated */
	for (i = 0; i < ev->npaths; i++) {
		touch(ev->paths[i].name);
		touch(ev->paths[i].raw_name);
		touch(ev->paths[i].nametype);
	}
	touch(ev->sockaddr.addr);
	touch(ev->sockaddr.path);
	for (i = 0; i < ev->nfields; i++) {
		touch(ev->fields[i].name);
		touch(ev->fields[i].value);
		touch(ev->fields[i].raw_value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct assembler *a = assembler_new(on_event, NULL);
	struct assembler_stats st;
	const char *p = (const char *)data;
	size_t off = 0, chunk, step;
	const char *nl;

	if (!a)
		return 0;
	/* The first byte picks the chunking: 0 = whole input. */
	step = size ? data[0] : 0;
	while (off < size) {
		chunk = step ? (size_t)step : size - off;
		if (chunk > size - off)
			chunk = size - off;
		(void)assembler_feed(a, p + off, chunk);
		off += chunk;
		if (step)
			step = (step * 7 + 3) % 251 + 1;
	}
	(void)assembler_age(a);
	/* The same bytes again, one record at a time. */
	for (off = 0; off < size; off = (size_t)(nl - p) + 1) {
		nl = memchr(p + off, '\n', size - off);
		if (!nl)
			nl = p + size;
		(void)assembler_feed_record(a, p + off,
					    (size_t)(nl - (p + off)));
	}
	(void)assembler_flush(a);
	assembler_get_stats(a, &st);
	if (st.events > st.records)
		__builtin_trap(); /* an event needs at least one record */
	assembler_free(a);
	return 0;
}
