/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The stdout sink, alert_to_json and alert_dup: Falco's text line and
 * JSON shape, parsed back with json-c, and escaping of hostile text
 * (newlines, ANSI escapes, invalid UTF-8) so it cannot forge output.
 */
#include "config.h"

#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unit_util.h"

#include "common/alert.h"
#include "sink/sink.h"

#define T_1715 1795886107123456789ULL /* 2026-11-28T17:15:07.123456789Z */

static struct alert *mk(const char *output)
{
	struct alert *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->time_ns = T_1715;
	a->hostname = xstrdup("node-1");
	a->rule = xstrdup("Read sensitive file untrusted");
	a->priority = ALERT_PRIO_WARNING;
	a->output = xstrdup(output);
	a->source = xstrdup("syscall");
	a->pid = a->ppid = a->uid = a->auid = -1;
	a->tags = calloc(2, sizeof(*a->tags));
	assert_non_null(a->tags);
	a->tags[0] = xstrdup("filesystem");
	a->tags[1] = xstrdup("mitre_credential_access");
	a->ntags = 2;
	a->fields = calloc(5, sizeof(*a->fields));
	assert_non_null(a->fields);
	a->fields[0].name = xstrdup("proc.name");
	a->fields[0].value = xstrdup("cat");
	a->fields[1].name = xstrdup("fd.name");
	a->fields[1].value = xstrdup("/etc/shadow");
	a->fields[2].name = xstrdup("container.id");
	a->fields[2].value = NULL;
	a->fields[3].name = xstrdup("evt.time");
	a->fields[3].value = xstrdup("17:15:07.123456789");
	a->fields[4].name = xstrdup("proc.pid");
	a->fields[4].value = xstrdup("4321");
	a->fields[4].literal = true;
	a->nfields = 5;
	return a;
}

/* Emit one alert through a sink writing to memory; returns the bytes. */
static char *emit_to_mem(const struct alert *a, bool json, size_t *ret_len)
{
	struct sink_stats st;
	struct sink *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	s = sink_stdout_new(f, json);
	assert_non_null(s);
	assert_int_equal(sink_emit(s, a), 0);
	/* flushed by emit already: the line is visible before any close */
	assert_true(len > 0);
	assert_int_equal(buf[len - 1], '\n');
	sink_stats(s, &st);
	assert_int_equal(st.emitted, 1);
	assert_int_equal(st.written, 1);
	assert_int_equal(st.dropped, 0);
	sink_free(s);
	assert_int_equal(fclose(f), 0);
	*ret_len = len;
	return buf;
}

static size_t count_char(const char *s, size_t n, char c)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += s[i] == c;
	return k;
}

static void test_text_line(void **state)
{
	struct alert *a = mk("Sensitive file opened for reading "
			     "(file=/etc/shadow proc=cat)");
	size_t len;
	char *out;

	(void)state;
	out = emit_to_mem(a, false, &len);
	assert_string_equal(out, "2026-11-28T17:15:07.123456789Z: Warning "
				 "Sensitive file opened for reading "
				 "(file=/etc/shadow proc=cat)\n");
	free(out);
	alert_free(a);
}

static void test_text_without_output_names_rule(void **state)
{
	struct alert *a = mk(NULL);
	size_t len;
	char *out;

	(void)state;
	a->priority = ALERT_PRIO_CRITICAL;
	out = emit_to_mem(a, false, &len);
	assert_string_equal(out, "2026-11-28T17:15:07.123456789Z: Critical "
				 "Read sensitive file untrusted\n");
	free(out);
	alert_free(a);
}

static void test_text_escapes_newline_and_ansi(void **state)
{
	struct alert *a = mk("File opened (file=/tmp/x\n2026-11-28T17:15:08Z: "
			     "Emergency forged \x1b[2J\r\x7f\\ end)");
	size_t len;
	char *out;

	(void)state;
	out = emit_to_mem(a, false, &len);
	/* one line: the newline in the name cannot start another */
	assert_int_equal(count_char(out, len, '\n'), 1);
	assert_int_equal(count_char(out, len, '\x1b'), 0);
	assert_int_equal(count_char(out, len, '\r'), 0);
	assert_int_equal(count_char(out, len, '\x7f'), 0);
	assert_non_null(strstr(out, "file=/tmp/x\\x0a2026"));
	assert_non_null(strstr(out, "\\x1b[2J\\x0d\\x7f\\\\ end)"));
	free(out);
	alert_free(a);
}

/* The whole category of what a terminal must not get raw: a lone 0xFF
 * (invalid UTF-8), the C1 CSI (U+009B), a bidi override (U+202E); valid
 * UTF-8 stays as it is. */
static void test_text_escapes_invalid_utf8_c1_bidi(void **state)
{
	struct alert *a = mk("x \xff y \xc2\x9b[2J z \xe2\x80\xae"
			     "gpj.exe \xc3\xa9");
	size_t len;
	char *out;

	(void)state;
	out = emit_to_mem(a, false, &len);
	assert_non_null(strstr(out, "x \\xff y \\xc2\\x9b[2J z "
				    "\\xe2\\x80\\xaegpj.exe \xc3\xa9\n"));
	assert_null(memchr(out, 0xff, len));
	/* escaping twice changes nothing for text read back from the
	 * store (output_escaped) */
	free(a->output);
	a->output = xstrdup("already \\x1b escaped");
	a->output_escaped = true;
	free(out);
	out = emit_to_mem(a, false, &len);
	assert_non_null(strstr(out, " already \\x1b escaped\n"));
	free(out);
	alert_free(a);
}

static void test_json_is_falco_shape(void **state)
{
	static const char *const keys[] = {
		"hostname", "output", "output_fields", "priority",
		"rule",	    "source", "tags",	       "time",
	};
	struct alert *a = mk("Sensitive file opened (file=/etc/shadow)");
	struct json_object *j, *of, *v;
	size_t len, i = 0;
	char *out;

	(void)state;
	out = emit_to_mem(a, true, &len);
	assert_int_equal(count_char(out, len, '\n'), 1);
	j = json_tokener_parse(out);
	assert_non_null(j);
	/* Falco's key order */
	json_object_object_foreach(j, key, val)
	{
		(void)val;
		assert_true(i < sizeof(keys) / sizeof(keys[0]));
		assert_string_equal(key, keys[i]);
		i++;
	}
	assert_int_equal(i, sizeof(keys) / sizeof(keys[0]));
	assert_true(json_object_object_get_ex(j, "hostname", &v));
	assert_string_equal(json_object_get_string(v), "node-1");
	assert_true(json_object_object_get_ex(j, "priority", &v));
	assert_string_equal(json_object_get_string(v), "Warning");
	assert_true(json_object_object_get_ex(j, "rule", &v));
	assert_string_equal(json_object_get_string(v),
			    "Read sensitive file untrusted");
	assert_true(json_object_object_get_ex(j, "source", &v));
	assert_string_equal(json_object_get_string(v), "syscall");
	assert_true(json_object_object_get_ex(j, "time", &v));
	assert_string_equal(json_object_get_string(v),
			    "2026-11-28T17:15:07.123456789Z");
	assert_true(json_object_object_get_ex(j, "output", &v));
	assert_string_equal(json_object_get_string(v),
			    "2026-11-28T17:15:07.123456789Z: Warning "
			    "Sensitive file opened (file=/etc/shadow)");
	assert_true(json_object_object_get_ex(j, "tags", &v));
	assert_true(json_object_is_type(v, json_type_array));
	assert_int_equal(json_object_array_length(v), 2);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(v, 1)),
		"mitre_credential_access");

	assert_true(json_object_object_get_ex(j, "output_fields", &of));
	/* evt.time: integer ns, once, first; container.name added as
	 * Falco's suggested output fields do ("host" on the host) */
	assert_int_equal(json_object_object_length(of), 6);
	assert_true(json_object_object_get_ex(of, "container.name", &v));
	assert_string_equal(json_object_get_string(v), "host");
	assert_true(json_object_object_get_ex(of, "evt.time", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal((uint64_t)json_object_get_int64(v), T_1715);
	assert_true(json_object_object_get_ex(of, "proc.name", &v));
	assert_string_equal(json_object_get_string(v), "cat");
	assert_true(json_object_object_get_ex(of, "fd.name", &v));
	assert_string_equal(json_object_get_string(v), "/etc/shadow");
	/* unset: null, present */
	assert_true(json_object_object_get_ex(of, "container.id", &v));
	assert_null(v);
	/* a number is a JSON number, as in Falco's output_fields */
	assert_true(json_object_object_get_ex(of, "proc.pid", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int64(v), 4321);
	json_object_put(j);
	free(out);
	alert_free(a);
}

static void test_json_unset_top_level_is_null(void **state)
{
	struct alert *a = mk("x");
	struct json_object *j, *v;
	char *doc;

	(void)state;
	free(a->hostname);
	a->hostname = NULL;
	doc = alert_to_json(a);
	assert_non_null(doc);
	j = json_tokener_parse(doc);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "hostname", &v));
	assert_null(v);
	json_object_put(j);
	free(doc);
	alert_free(a);
}

static void test_json_escapes_control_and_invalid_utf8(void **state)
{
	struct alert *a = mk("name=\"a\nb\x1b[31m\x01\" bad=\xff\xfe ok="
			     "\xc3\xa9 tab=\t bs=\\");
	struct json_object *j, *v, *of;
	const char *o;
	size_t len, i;
	char *out;

	(void)state;
	free(a->fields[1].value);
	a->fields[1].value = xstrdup("/tmp/\xff\n\x1b");
	out = emit_to_mem(a, true, &len);
	/* no raw control byte and no invalid UTF-8 in the document */
	for (i = 0; i + 1 < len; i++) {
		assert_true((unsigned char)out[i] >= 0x20);
		assert_true((unsigned char)out[i] != 0xff &&
			    (unsigned char)out[i] != 0xfe);
	}
	j = json_tokener_parse(out);
	assert_non_null(j);
	assert_true(json_object_object_get_ex(j, "output", &v));
	o = json_object_get_string(v);
	/* control bytes survive as data, invalid bytes become U+FFFD */
	assert_non_null(strstr(o, "name=\"a\nb\x1b[31m\x01\""));
	assert_non_null(strstr(o, "bad=\xef\xbf\xbd\xef\xbf\xbd ok=\xc3\xa9"));
	assert_non_null(strstr(o, "tab=\t bs=\\"));
	assert_true(json_object_object_get_ex(j, "output_fields", &of));
	assert_true(json_object_object_get_ex(of, "fd.name", &v));
	assert_string_equal(json_object_get_string(v),
			    "/tmp/\xef\xbf\xbd\n\x1b");
	json_object_put(j);
	free(out);
	alert_free(a);
}

static void test_json_sink_writes_alert_to_json(void **state)
{
	struct alert *a = mk("same document");
	size_t len;
	char *out, *doc;

	(void)state;
	out = emit_to_mem(a, true, &len);
	doc = alert_to_json(a);
	assert_non_null(doc);
	assert_int_equal(len, strlen(doc) + 1);
	assert_memory_equal(out, doc, strlen(doc));
	free(doc);
	free(out);
	alert_free(a);
}

static void test_write_error_counts_drop(void **state)
{
	struct alert *a = mk("lost");
	struct sink_stats st;
	struct sink *s;
	FILE *f;

	(void)state;
	f = fopen("/dev/full", "w");
	if (!f)
		skip();
	s = sink_stdout_new(f, false);
	assert_non_null(s);
	assert_int_equal(sink_emit(s, a), -EIO);
	assert_int_equal(sink_emit(s, a), -EIO);
	sink_stats(s, &st);
	assert_int_equal(st.emitted, 2);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.dropped, 2);
	sink_free(s);
	(void)fclose(f);
	alert_free(a);
}

static void test_alert_dup_is_deep(void **state)
{
	struct alert *a = mk("deep");
	struct alert *d;
	size_t i;

	(void)state;
	a->container_id = xstrdup("3f2a9c");
	a->pid = 42;
	a->audit_serial = 77;
	d = alert_dup(a);
	assert_non_null(d);
	assert_ptr_not_equal(d->rule, a->rule);
	assert_ptr_not_equal(d->tags, a->tags);
	assert_ptr_not_equal(d->fields, a->fields);
	/* scribble over the original: the copy must not change */
	a->rule[0] = 'X';
	a->tags[0][0] = 'X';
	a->fields[0].value[0] = 'X';
	assert_string_equal(d->rule, "Read sensitive file untrusted");
	assert_string_equal(d->tags[0], "filesystem");
	assert_string_equal(d->fields[0].value, "cat");
	assert_int_equal(d->ntags, 2);
	assert_int_equal(d->nfields, 5);
	assert_null(d->fields[2].value);
	assert_false(d->fields[3].literal);
	assert_true(d->fields[4].literal);
	assert_null(d->exe);
	assert_string_equal(d->container_id, "3f2a9c");
	assert_int_equal(d->pid, 42);
	assert_int_equal(d->ppid, -1);
	assert_int_equal(d->audit_serial, 77);
	assert_int_equal(d->time_ns, T_1715);
	assert_int_equal(d->priority, ALERT_PRIO_WARNING);
	alert_free(a);
	for (i = 0; i < d->nfields; i++)
		assert_non_null(d->fields[i].name);
	alert_free(d);
}

/* alert_format_time (by hand) against the C library's calendar: the
 * epoch, leap days (2000 is a leap year, 2100 is not), year ends, the
 * last second uint64_t nanoseconds reach, and random times. */
static void check_time(uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000ULL);
	char want[64], date[32], got[40], small[11];
	struct tm tm;

	assert_non_null(gmtime_r(&sec, &tm));
	assert_true(strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) >
		    0);
	(void)snprintf(want, sizeof(want), "%s.%09lluZ", date,
		       (unsigned long long)(ns % 1000000000ULL));
	alert_format_time(ns, got, sizeof(got));
	assert_string_equal(got, want);
	/* a short buffer gets what fits */
	alert_format_time(ns, small, sizeof(small));
	assert_int_equal(strncmp(small, want, 10), 0);
	assert_int_equal(small[10], '\0');
}

static void test_format_time(void **state)
{
	static const uint64_t s[] = {
		0, 59, 86399, 86400, 951782399, 951782400, 951868800,
		978307199, 1709164800, 4107542399ULL, 4107542400ULL,
		4102444799ULL, 4102444800ULL, 18446744073ULL,
	};
	uint64_t r = 88172645463325252ULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		check_time(s[i] * 1000000000ULL + (i * 123456789ULL) %
							  1000000000ULL);
	check_time(UINT64_MAX);
	for (i = 0; i < 200000; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		check_time(r);
	}
}

/* Batched (the daemon): lines wait in the FILE's buffer until the caller
 * flushes after its batch, then all arrive in order. */
static void test_batched_lines_leave_on_flush(void **state)
{
	struct alert *a = mk("first"), *b = mk("second");
	struct sink *s;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	s = sink_stdout_new(f, false);
	assert_non_null(s);
	sink_stdout_set_batched(s, true);
	assert_int_equal(sink_emit(s, a), 0);
	assert_int_equal(sink_emit(s, b), 0);
	assert_int_equal(len, 0);
	assert_int_equal(sink_flush(s), 0);
	assert_int_equal(count_char(buf, len, '\n'), 2);
	assert_non_null(strstr(buf, "first\n"));
	assert_true(strstr(buf, "first\n") < strstr(buf, "second\n"));
	sink_free(s);
	assert_int_equal(fclose(f), 0);
	free(buf);
	alert_free(a);
	alert_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_format_time),
		cmocka_unit_test(test_text_without_output_names_rule),
		cmocka_unit_test(test_text_escapes_newline_and_ansi),
		cmocka_unit_test(test_json_is_falco_shape),
		cmocka_unit_test(test_json_unset_top_level_is_null),
		cmocka_unit_test(test_json_escapes_control_and_invalid_utf8),
		cmocka_unit_test(test_text_escapes_invalid_utf8_c1_bidi),
		cmocka_unit_test(test_json_sink_writes_alert_to_json),
		cmocka_unit_test(test_write_error_counts_drop),
		cmocka_unit_test(test_alert_dup_is_deep),
		cmocka_unit_test(test_batched_lines_leave_on_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
