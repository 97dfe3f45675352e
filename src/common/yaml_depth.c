/* SPDX-License-Identifier: Apache-2.0 */
/* The depth pass: libyaml's event parser, no document, no copies. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <yaml.h>

#include "common/limits.h"
#include "common/yaml_depth.h"

int yaml_check_depth(const char *data, size_t len, unsigned int max,
		     unsigned int *ret_line, unsigned int *ret_col)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned int depth = 0;
	int r = 0;
	bool done = false;

	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data,
				     len);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			if (parser.error == YAML_MEMORY_ERROR)
				r = -ENOMEM;
			break; /* a syntax error is the loader's to report */
		}
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > max) {
				*ret_line = (unsigned int)ev.start_mark.line + 1;
				*ret_col = (unsigned int)ev.start_mark.column + 1;
				r = -E2BIG;
				done = true;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return r;
}

int yaml_refuse_deep(const char *name, const char *data, size_t len,
		     struct diag *d)
{
	unsigned int line = 0, col = 0;

	switch (yaml_check_depth(data, len, HARRIER_MAX_YAML_DEPTH, &line,
				 &col)) {
	case -E2BIG:
		diag_add(d, DIAG_ERROR, name, line, col,
			 "nested deeper than %d levels: refused",
			 HARRIER_MAX_YAML_DEPTH);
		return -EINVAL;
	case -ENOMEM:
		return -ENOMEM;
	default:
		return 0;
	}
}
