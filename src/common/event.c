/* SPDX-License-Identifier: Apache-2.0 */
/* Small accessors over struct event shared by every stage. */
#include "config.h"

#include <string.h>

#include "common/event.h"

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
