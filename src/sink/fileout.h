/* SPDX-License-Identifier: Apache-2.0 */
/*
 * file_output and program_output, on their own threads (sink/outq.h).
 *
 * file_output appends Falco's JSON, one alert per line, to a file
 * (created 0640). keep_alive keeps it open; sink_reopen() (SIGUSR2, from
 * logrotate's postrotate) makes the next write open the path again.
 * Without keep_alive each batch opens and closes it, as Falco does.
 *
 * program_output writes each alert as a line (Falco's JSON, or the text
 * line) to a program's stdin. The program string is split into words as
 * a shell would split it (quotes, backslashes) but no shell runs: no
 * pipes, redirections or expansions, so an alert's text can never become
 * a command. keep_alive: one long-running program, restarted (with
 * backoff) when it dies; otherwise one run per alert, as Falco does.
 */
#ifndef HARRIER_FILEOUT_H
#define HARRIER_FILEOUT_H

#include <stdbool.h>

#include "sink/sink.h"

struct sink *file_sink_new(const char *path, bool keep_alive,
			   char **ret_err);
struct sink *program_sink_new(const char *program, bool keep_alive,
			      bool json, char **ret_err);

/* Split a command line into words: whitespace separates, '...' keeps
 * everything, "..." keeps everything but \" \\ \$ \` escapes, \ quotes
 * the next character outside quotes. A NULL-terminated argv in *ret
 * (free with argv_free), or -EINVAL (unterminated quote, no word). */
int argv_split(const char *s, char ***ret);
void argv_free(char **argv);

#endif
