/* SPDX-License-Identifier: Apache-2.0 */
/*
 * journald sink: structured journal entries (HARRIER_* fields, PRIORITY
 * from the alert's priority), sent over the journal socket.
 */
#ifndef HARRIER_JOURNALD_H
#define HARRIER_JOURNALD_H

#include "sink/sink.h"

/* MESSAGE_ID of every alert entry; packaging/systemd/harrier.catalog
 * explains it (journalctl -x). Never change it: fleets select on it. */
#define JOURNALD_ALERT_MESSAGE_ID "73877e85bfc5454caeed5f3c09a5848d"

/* identifier becomes SYSLOG_IDENTIFIER ("harrierd" when NULL). */
struct sink *sink_journald_new(const char *identifier);

#endif
