/* SPDX-License-Identifier: Apache-2.0 */
/*
 * auditd plugin source: reads auditd's plugin "string" format (one record
 * per line, enriched fields after a 0x1D byte, passed through unchanged)
 * from a file descriptor, normally stdin under auditd's plugins.d.
 */
#ifndef HARRIER_SOURCE_STDIN_H
#define HARRIER_SOURCE_STDIN_H

#include "source/source.h"

/* fd is borrowed: never closed, its flags are not changed. read() only
 * calls read(2) when poll says the fd is ready, so it never blocks; it
 * returns 0 at end of input. Lines longer than HARRIER_MAX_RECORD_LEN are
 * dropped and counted as malformed; empty lines are skipped. */
struct source *source_stdin_new(int fd);

#endif
