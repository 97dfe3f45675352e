/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Build-time generator of the man pages' tables, linked with libharrier:
 * `gen-man fields` prints the field table of harrier-rules(5) from the
 * engine's own table, `gen-man config` the key table of harrier.yaml(5)
 * from the config's. The pages cannot drift from the code. Never installed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/harrier_config.h"
#include "engine/engine.h"

/* Text as roff: backslashes escaped, no control character at a line's
 * start. */
static void roff_text(const char *s, size_t n)
{
	size_t i;

	if (n > 0 && (s[0] == '.' || s[0] == '\''))
		(void)fputs("\\&", stdout);
	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			(void)fputs("\\e", stdout);
		else if (s[i] == '-' && i > 0 && s[i - 1] == ' ')
			(void)fputs("\\-", stdout);
		else
			(void)putchar(s[i]);
	}
}

static void roff_str(const char *s)
{
	roff_text(s, strlen(s));
}

static int gen_fields(void)
{
	size_t i, n = engine_field_count();

	for (i = 0; i < n; i++) {
		const struct engine_field_info *f = engine_field_get(i);

		(void)fputs(".TP\n.BR ", stdout);
		roff_str(f->name);
		(void)fputs(" \" (", stdout);
		roff_str(f->type);
		(void)fputs(")\"\n", stdout);
		roff_str(f->desc);
		(void)putchar('\n');
	}
	return n > 0 ? 0 : 1;
}

/* config_print_keys() writes "NAME TYPE DESCRIPTION" lines, columns
 * separated by runs of spaces (what harrierd --help shows). */
static int gen_config(void)
{
	char *buf = NULL, *line, *next;
	size_t len = 0;
	int keys = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return 1;
	config_print_keys(m);
	if (fclose(m) != 0 || !buf)
		return 1;
	for (line = buf; *line; line = next) {
		char *name = line, *type, *desc;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);

		type = strchr(name, ' ');
		if (!type)
			continue;
		*type++ = '\0';
		type += strspn(type, " ");
		desc = strchr(type, ' ');
		if (!desc)
			continue;
		*desc++ = '\0';
		desc += strspn(desc, " ");
		(void)fputs(".TP\n.BR ", stdout);
		roff_str(name);
		(void)fputs(" \" (", stdout);
		roff_str(type);
		(void)fputs(")\"\n", stdout);
		roff_str(desc);
		(void)putchar('\n');
		keys++;
	}
	free(buf);
	return keys > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "fields") == 0)
		return gen_fields();
	if (argc == 2 && strcmp(argv[1], "config") == 0)
		return gen_config();
	(void)fputs("usage: gen-man fields|config\n", stderr);
	return 2;
}
