/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch for the sink interface. */
#include "config.h"

#include <stddef.h>

#include "sink/sink.h"

int sink_emit(struct sink *s, const struct alert *a)
{
	return s->ops->emit(s, a);
}

int sink_flush(struct sink *s)
{
	return s->ops->flush ? s->ops->flush(s) : 0;
}

void sink_stats(struct sink *s, struct sink_stats *ret)
{
	struct sink_stats zero = { 0, 0, 0 };

	if (s->ops->stats)
		s->ops->stats(s, ret);
	else
		*ret = zero;
}

void sink_free(struct sink *s)
{
	if (!s)
		return;
	s->ops->free(s);
}

int sink_take_report(struct sink *s, struct sink_report *ret)
{
	return s->ops->take_report ? s->ops->take_report(s, ret) : 0;
}

void sink_reopen(struct sink *s)
{
	if (s->ops->reopen)
		s->ops->reopen(s);
}

const char *sink_name(const struct sink *s)
{
	return s->ops->name;
}

bool sink_is_notify(const struct sink *s)
{
	return s->ops->notify;
}
