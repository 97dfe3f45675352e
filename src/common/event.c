/* SPDX-License-Identifier: Apache-2.0 */
/* Small accessors over struct event shared by every stage. */
#include "config.h"

#include <string.h>

#include "common/event.h"
#include "common/strbuf.h"

const struct event_field *event_field_get(const struct event *ev,
					  const char *name)
{
	size_t i;

	for (i = 0; i < ev->nfields; i++)
		if (strcmp(ev->fields[i].name, name) == 0)
			return &ev->fields[i];
	return NULL;
}

const struct event_path *event_primary_path(const struct event *ev)
{
	size_t i;

	for (i = 0; i < ev->npaths; i++)
		if (!ev->paths[i].nametype ||
		    strcmp(ev->paths[i].nametype, "PARENT") != 0)
			return &ev->paths[i];
	return ev->npaths ? &ev->paths[0] : NULL;
}

char *event_argv_joined(const struct event *ev)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (!ev->argc || !ev->argv)
		return NULL;
	for (i = 0; i < ev->argc && sb.len < HARRIER_MAX_CMDLINE; i++) {
		if (i)
			strbuf_appendc(&sb, ' ');
		strbuf_appends(&sb, ev->argv[i] ? ev->argv[i] : "");
	}
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return NULL;
	}
	if (sb.len > HARRIER_MAX_CMDLINE) {
		sb.len = HARRIER_MAX_CMDLINE;
		sb.buf[sb.len] = '\0';
	}
	return strbuf_steal(&sb);
}
