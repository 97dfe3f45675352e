/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journald sink: structured journal entries (HARRIER_* fields, PRIORITY
 * from the alert's priority), sent over the journal socket.
 */
#ifndef HARRIER_JOURNALD_H
#define HARRIER_JOURNALD_H

#include "sink/sink.h"

/* identifier becomes SYSLOG_IDENTIFIER ("harrierd" when NULL). */
struct sink *sink_journald_new(const char *identifier);

#endif
