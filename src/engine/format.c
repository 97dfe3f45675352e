/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Output formats: Falco's "%field" and "%(field)" placeholders, compiled
 * once into literal and field parts and rendered per alert. Values are
 * not escaped here: each sink escapes for its own medium. An unknown
 * field is a load error with its position; an unset one renders "<NA>".
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cond.h"
#include "engine/fields.h"

struct fmt_part {
	size_t lit_off, lit_len; /* literal text in f->text */
	long field; /* index into f->fields, -1 for none */
};

struct format {
	char *text;
	struct fmt_part *parts;
	size_t nparts;
	struct field_ref *fields; /* distinct, in order of first use */
	size_t nfields;
};

void format_free(struct format *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nfields; i++)
		field_ref_clear(&f->fields[i]);
	free(f->fields);
	free(f->parts);
	free(f->text);
	free(f);
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.';
}

/* Length of the field name after '%': name characters and "[...]". */
static size_t scan_name(const char *s)
{
	size_t n = 0;

	while (name_char(s[n]) || s[n] == '[') {
		if (s[n] == '[') {
			const char *e = strchr(s + n, ']');

			if (!e)
				break;
			n = (size_t)(e - s) + 1;
			continue;
		}
		n++;
	}
	return n;
}

static int add_part(struct format *f, size_t *cap, size_t lit_off,
		    size_t lit_len, long field)
{
	if (f->nparts == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct fmt_part *np = realloc(f->parts, nc * sizeof(*np));

		if (!np)
			return -ENOMEM;
		f->parts = np;
		*cap = nc;
	}
	f->parts[f->nparts].lit_off = lit_off;
	f->parts[f->nparts].lit_len = lit_len;
	f->parts[f->nparts].field = field;
	f->nparts++;
	return 0;
}

/* Index of the distinct field named name[0..len), adding it; -ENOENT for
 * an unknown field, -ENOMEM. */
static long add_field(struct format *f, size_t *cap, const char *name,
		      size_t len)
{
	struct field_ref r;
	size_t i;
	int ret;

	for (i = 0; i < f->nfields; i++)
		if (strlen(f->fields[i].name) == len &&
		    memcmp(f->fields[i].name, name, len) == 0)
			return (long)i;
	ret = field_ref_parse(name, len, &r);
	if (ret < 0)
		return ret;
	if (f->nfields == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct field_ref *nf = realloc(f->fields, nc * sizeof(*nf));

		if (!nf) {
			field_ref_clear(&r);
			return -ENOMEM;
		}
		f->fields = nf;
		*cap = nc;
	}
	f->fields[f->nfields] = r;
	return (long)f->nfields++;
}

struct format *format_compile(const char *text, const char *file,
			      unsigned int line, unsigned int col,
			      struct diag *d)
{
	struct format *f;
	size_t pcap = 0, fcap = 0, i = 0, lit = 0, nerr = 0;
	bool multiline;
	long idx;

	if (!text)
		text = "";
	multiline = strchr(text, '\n') != NULL;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->text = strdup(text)))
		goto oom;
	while (text[i]) {
		size_t start = i, name_off, name_len;

		if (text[i] != '%') {
			i++;
			continue;
		}
		if (text[i + 1] == '(') {
			const char *e = strchr(text + i + 2, ')');

			name_off = i + 2;
			if (!e) {
				diag_add(d, DIAG_ERROR, file, line,
					 multiline || !col
						 ? col
						 : col + (unsigned int)start,
					 "missing ')' after '%%('");
				nerr++;
				break;
			}
			name_len = (size_t)(e - (text + name_off));
			i = name_off + name_len + 1;
		} else {
			name_off = i + 1;
			name_len = scan_name(text + name_off);
			if (!name_len) {
				i++; /* a lone '%' is literal */
				continue;
			}
			i = name_off + name_len;
		}
		idx = add_field(f, &fcap, text + name_off, name_len);
		/* "... %fd.name." : a sentence's final dot is not part of
		 * the name. */
		while (idx == -ENOENT && text[start + 1] != '(' &&
		       name_len > 1 && text[name_off + name_len - 1] == '.') {
			name_len--;
			i--;
			idx = add_field(f, &fcap, text + name_off, name_len);
		}
		if (idx == -ENOMEM)
			goto oom;
		if (idx < 0) {
			diag_add(d, DIAG_ERROR, file, line,
				 multiline || !col ? col
						   : col + (unsigned int)start,
				 "unknown field '%.*s' in output",
				 (int)name_len, text + name_off);
			nerr++;
			continue;
		}
		if (add_part(f, &pcap, lit, start - lit, idx) < 0)
			goto oom;
		lit = i;
	}
	if (!nerr && add_part(f, &pcap, lit, strlen(text) - lit, -1) < 0)
		goto oom;
	if (nerr) {
		format_free(f);
		return NULL;
	}
	return f;
oom:
	diag_add(d, DIAG_ERROR, file, line, col,
		 "out of memory compiling output");
	format_free(f);
	return NULL;
}

void format_render(const struct format *f, const struct event *ev,
		   struct strbuf *out,
		   void (*field_cb)(const char *name, const char *value,
				    bool literal, void *ud),
		   void *ud)
{
	char scratch[FIELD_SCRATCH], num[24];
	struct fval v;
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nparts; i++) {
		const struct fmt_part *p = &f->parts[i];

		strbuf_append(out, f->text + p->lit_off, p->lit_len);
		if (p->field < 0)
			continue;
		if (field_extract(&f->fields[p->field], ev, 0, &v, scratch,
				  sizeof(scratch)))
			strbuf_appends(out, fval_text(&v, num, sizeof(num)));
		else
			strbuf_appends(out, "<NA>");
	}
	if (!field_cb)
		return;
	/* Extracted again rather than kept: values live in scratch space
	 * and the event does not change in between. */
	for (i = 0; i < f->nfields; i++) {
		if (field_extract(&f->fields[i], ev, 0, &v, scratch,
				  sizeof(scratch)))
			field_cb(f->fields[i].name,
				 fval_text(&v, num, sizeof(num)),
				 v.kind != FVAL_STR, ud);
		else
			field_cb(f->fields[i].name, NULL, false, ud);
	}
}
