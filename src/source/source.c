/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch for the source interface. */
#include "config.h"

#include <stddef.h>

#include "source/source.h"

int source_start(struct source *s, char **ret_err)
{
	return s->ops->start ? s->ops->start(s, ret_err) : 0;
}

int source_get_fd(struct source *s)
{
	return s->ops->get_fd(s);
}

int source_read(struct source *s, source_record_cb cb, void *userdata)
{
	return s->ops->read(s, cb, userdata);
}

void source_stats(struct source *s, struct source_stats *ret)
{
	struct source_stats zero = { 0, 0, 0 };

	if (s->ops->stats)
		s->ops->stats(s, ret);
	else
		*ret = zero;
}

void source_stop(struct source *s)
{
	if (s->ops->stop)
		s->ops->stop(s);
}

void source_free(struct source *s)
{
	if (!s)
		return;
	s->ops->free(s);
}
