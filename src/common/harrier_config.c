/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Config parsing with libyaml's document API (it keeps line/column marks
 * for every node). Nested mappings are flattened to dotted names and each
 * leaf is looked up in config_keys[]; nothing outside that table is ever
 * accepted, and a bad value never replaces a good default.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <yaml.h>

#include "common/harrier_config.h"
#include "common/limits.h"
#include "common/strbuf.h"
#include "common/yaml_depth.h"

/* Largest config file read: a config is a few hundred bytes. */
#define CONFIG_MAX_SIZE (1024 * 1024)
#define CONFIG_MAX_RULES_FILES 256
#define CONFIG_MAX_KEY 128

enum config_type {
	CFG_BOOL,
	CFG_STRING,
	CFG_STRING_OPT, /* may be empty: NULL then */
	CFG_UINT32,
	CFG_DURATION,	/* seconds in a uint64_t: 90, 90s, 15m, 12h, 30d */
	CFG_RATE,	/* a double from min to max (per second) */
	CFG_PRIORITY,
	CFG_LOGLEVEL,
	CFG_STRING_LIST,
};

struct config_key {
	const char *name;
	enum config_type type;
	size_t offset;
	uint32_t min, max; /* CFG_UINT32 */
	const char *def;   /* default, as text */
	bool reloadable;
	const char *desc;
};

#define OFF(f) offsetof(struct config, f)

static const struct config_key config_keys[] = {
	{ "rules_file", CFG_STRING_LIST, OFF(rules_files), 0, 0, NULL, true,
	  "rules files, loaded in order (default: the shipped and local "
	  "rules)" },
	{ "priority", CFG_PRIORITY, OFF(min_priority), 0, 0, "debug", true,
	  "least severe priority of the rules to load" },
	{ "rules_strict", CFG_BOOL, OFF(rules_strict), 0, 0, "false", true,
	  "a rule needing a field, operator or event audit data cannot "
	  "give fails the load (Falco's strictness) instead of being "
	  "skipped with a warning" },
	{ "json_output", CFG_BOOL, OFF(json_output), 0, 0, "false", true,
	  "print alerts in Falco's JSON shape" },
	{ "stdout_output.enabled", CFG_BOOL, OFF(stdout_output), 0, 0, "true",
	  true, "print alerts on stdout" },
	{ "journald_output.enabled", CFG_BOOL, OFF(journald_output), 0, 0,
	  "true", true, "send alerts to journald" },
	{ "store_output.enabled", CFG_BOOL, OFF(store_output), 0, 0, "true",
	  false, "store alerts in SQLite" },
	{ "store_output.path", CFG_STRING, OFF(store_path), 0, 0,
	  HARRIER_LOCALSTATEDIR "/alerts.db", false, "SQLite alert store" },
	{ "audit.source", CFG_STRING, OFF(source), 0, 0, "netlink", false,
	  "netlink, stdin (auditd plugin) or an audit.log path" },
	{ "audit.rules_dir", CFG_STRING, OFF(audit_rules_dir), 0, 0,
	  HARRIER_SYSCONFDIR "/audit-rules.d", false,
	  "kernel audit rules (auditctl syntax) installed at start" },
	{ "audit.kernel_rules", CFG_BOOL, OFF(kernel_rules), 0, 0, "true",
	  false, "install kernel audit rules (false: use what is there)" },
	{ "audit.backlog_limit", CFG_UINT32, OFF(backlog_limit), 64, 1048576,
	  "8192", false, "kernel audit backlog limit while harrierd runs" },
	{ "audit.track_forks", CFG_BOOL, OFF(track_forks), 0, 0, "false",
	  false, "audit successful clone/fork/vfork too, so that a child of "
	  "a parent that only forked and exited keeps its container (costs "
	  "one more event per process)" },
	{ "audit.pushdown", CFG_BOOL, OFF(pushdown), 0, 0, "true", true,
	  "derive kernel filters (paths, open permissions, arguments, ...) "
	  "from the detection rules; false: audit each syscall the rules "
	  "name without them" },
	{ "log_level", CFG_LOGLEVEL, OFF(log_level), 0, 0, "info", true,
	  "error, warning, info or debug" },
	{ "capture.enabled", CFG_BOOL, OFF(capture_enabled), 0, 0, "true",
	  false, "keep the events around alerts in the store (the events "
	  "table; needs store_output)" },
	{ "capture.min_priority", CFG_PRIORITY, OFF(capture_min_priority), 0,
	  0, "warning", true, "capture around every alert this severe or "
	  "more; rules with capture: true always" },
	{ "capture.before", CFG_UINT32, OFF(capture_before_ms), 0, 60000,
	  "10000", true, "milliseconds of events kept from before an alert" },
	{ "capture.default_duration", CFG_UINT32, OFF(capture_duration_ms), 0,
	  600000, "5000", true, "milliseconds captured after an alert unless "
	  "its rule says capture_duration (Falco's default 5000)" },
	{ "capture.max_memory_mb", CFG_UINT32, OFF(capture_max_memory_mb), 1,
	  4096, "16", false, "memory for the window of recent events (the "
	  "oldest go first)" },
	{ "capture.max_events_per_minute", CFG_UINT32,
	  OFF(capture_max_events_per_minute), 1, 10000000, "6000", true,
	  "captured events stored per minute at most; the rest are counted "
	  "as left out" },
	{ "capture.syscalls", CFG_STRING_LIST, OFF(capture_syscalls), 0, 0,
	  NULL, false, "syscalls audited for context only (e.g. [connect]); "
	  "each costs kernel audit work on every call: see bench/README.md" },

	{ "store_output.group", CFG_STRING, OFF(store_group), 0, 0, "adm",
	  false, "group of a new store file (0640 root:GROUP: log readers)" },
	{ "store_output.spool_dir", CFG_STRING, OFF(spool_dir), 0, 0,
	  HARRIER_LOCALSTATEDIR "/spool", false,
	  "where alerts wait while the store fails (another file system "
	  "survives a full disk)" },
	{ "store_output.spool_max_mb", CFG_UINT32, OFF(spool_max_mb), 1,
	  1048576, "256", false, "largest spool file, MiB" },
	{ "store_output.max_age", CFG_DURATION, OFF(max_age_s), 0, 0, "0",
	  true, "delete alerts older than this (90d, 12h, ...; 0 = keep)" },
	{ "store_output.max_rows", CFG_UINT32, OFF(max_rows), 0, 4000000000u,
	  "0", true, "keep at most this many alerts (0 = no limit)" },
	{ "store_output.busy_timeout_ms", CFG_UINT32, OFF(busy_timeout_ms), 1,
	  60000, "5000", false,
	  "how long a write waits for a reader's lock before the store "
	  "counts as unavailable" },
	{ "store_output.retry_interval_ms", CFG_UINT32, OFF(retry_interval_ms),
	  10, 600000, "2000", false,
	  "longest wait between tries while the store is unavailable" },

	{ "outputs.rate", CFG_RATE, OFF(out_rate), 0, 1000000, "1", true,
	  "notifications per second and rule once a rule used its burst "
	  "(token bucket; 0 = no limit; the store keeps every alert)" },
	{ "outputs.max_burst", CFG_UINT32, OFF(out_max_burst), 1, 100000000,
	  "1000", true, "notifications a rule may send at once" },
	{ "outputs.summary_interval", CFG_DURATION, OFF(out_summary_s), 0, 0,
	  "60", true,
	  "how often what the limit held back is summed up (log line and "
	  "internal alert; 1s at least)" },

	{ "http_output.enabled", CFG_BOOL, OFF(http_output), 0, 0, "false",
	  true, "POST alerts in Falco's JSON (falcosidekick, webhooks)" },
	{ "http_output.url", CFG_STRING_OPT, OFF(http_url), 0, 0, NULL, true,
	  "where to POST" },
	{ "http_output.user_agent", CFG_STRING_OPT, OFF(http_user_agent), 0, 0,
	  "harrier/" PACKAGE_VERSION, true, "User-Agent header" },
	{ "http_output.insecure", CFG_BOOL, OFF(http_insecure), 0, 0, "false",
	  true, "do not verify the server's certificate" },
	{ "http_output.ca_cert", CFG_STRING_OPT, OFF(http_ca_cert), 0, 0, NULL,
	  true, "CA certificate file for the server" },
	{ "http_output.ca_bundle", CFG_STRING_OPT, OFF(http_ca_bundle), 0, 0,
	  NULL, true, "CA bundle file (when ca_cert is not set)" },
	{ "http_output.ca_path", CFG_STRING_OPT, OFF(http_ca_path), 0, 0,
	  "/etc/ssl/certs", true, "directory of CA certificates" },
	{ "http_output.mtls", CFG_BOOL, OFF(http_mtls), 0, 0, "false", true,
	  "authenticate with client_cert and client_key" },
	{ "http_output.client_cert", CFG_STRING_OPT, OFF(http_client_cert), 0,
	  0, "/etc/ssl/certs/client.crt", true, "client certificate (mtls)" },
	{ "http_output.client_key", CFG_STRING_OPT, OFF(http_client_key), 0, 0,
	  "/etc/ssl/certs/client.key", true, "client key (mtls)" },
	{ "http_output.echo", CFG_BOOL, OFF(http_echo), 0, 0, "false", true,
	  "print the server's answers on stdout" },
	{ "http_output.compress_uploads", CFG_BOOL, OFF(http_compress), 0, 0,
	  "false", true, "gzip the bodies (Content-Encoding: gzip)" },
	{ "http_output.keep_alive", CFG_BOOL, OFF(http_keep_alive), 0, 0,
	  "false", true, "reuse one connection (TCP keepalive on it)" },
	{ "http_output.max_consecutive_timeouts", CFG_UINT32,
	  OFF(http_max_timeouts), 0, 255, "5", true,
	  "timeouts in a row after which a batch is given up (counted)" },
	{ "http_output.timeout_ms", CFG_UINT32, OFF(http_timeout_ms), 10,
	  600000, "5000", true, "time for one POST, connecting included" },
	{ "http_output.max_batch", CFG_UINT32, OFF(http_max_batch), 1, 10000,
	  "1", true,
	  "alerts per POST: 1 = one JSON document (Falco's, for "
	  "falcosidekick); more = JSON lines (application/x-ndjson)" },
	{ "http_output.queue_max", CFG_UINT32, OFF(http_queue_max), 1, 1000000,
	  "10000", true,
	  "alerts waiting for the receiver; beyond, the oldest are dropped "
	  "and counted" },

	{ "file_output.enabled", CFG_BOOL, OFF(file_output), 0, 0, "false",
	  true, "append alerts to a file as JSON lines" },
	{ "file_output.keep_alive", CFG_BOOL, OFF(file_keep_alive), 0, 0,
	  "false", true,
	  "keep the file open (reopened on SIGUSR2, for logrotate)" },
	{ "file_output.filename", CFG_STRING_OPT, OFF(file_name), 0, 0,
	  "/var/log/harrier/alerts.json", true, "the file" },

	{ "program_output.enabled", CFG_BOOL, OFF(program_output), 0, 0,
	  "false", true, "pipe alerts to a program" },
	{ "program_output.keep_alive", CFG_BOOL, OFF(program_keep_alive), 0,
	  0, "false", true,
	  "one long-running program fed line by line (restarted if it "
	  "dies); false: one run per alert" },
	{ "program_output.program", CFG_STRING_OPT, OFF(program), 0, 0, NULL,
	  true,
	  "command and arguments, split like a shell would but run without "
	  "one (no pipes, no $VAR)" },
};

_Static_assert(offsetof(struct config, nrules_files) ==
		       offsetof(struct config, rules_files) + sizeof(char **),
	       "a list's count follows it");
_Static_assert(offsetof(struct config, ncapture_syscalls) ==
		       offsetof(struct config, capture_syscalls) +
			       sizeof(char **),
	       "a list's count follows it");

#define NKEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const struct config_key *key_find(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

static int parse_bool(const char *s, bool *ret)
{
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
	    !strcasecmp(s, "on")) {
		*ret = true;
		return 0;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
	    !strcasecmp(s, "off")) {
		*ret = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_loglevel(const char *s, int *ret)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {
		{ "error", LOG_ERR },	  { "warning", LOG_WARNING },
		{ "notice", LOG_NOTICE }, { "info", LOG_INFO },
		{ "debug", LOG_DEBUG },
	};
	size_t i;

	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcasecmp(s, levels[i].name) == 0) {
			*ret = levels[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

/* 90, 90s, 15m, 12h, 30d, 2w: seconds. */
static int parse_duration(const char *s, uint64_t *ret)
{
	static const struct {
		char unit;
		uint64_t mult;
	} units[] = { { 's', 1 },      { 'm', 60 },	   { 'h', 3600 },
		      { 'd', 86400 }, { 'w', 7 * 86400 } };
	char num[32];
	uint64_t v, mult = 1;
	size_t n = strlen(s), i;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (num[n - 1] == units[i].unit) {
			mult = units[i].mult;
			num[--n] = '\0';
			break;
		}
	}
	if (parse_u64(num, 10, &v) < 0 || v > UINT64_MAX / mult)
		return -EINVAL;
	*ret = v * mult;
	return 0;
}

static int parse_rate(const char *s, double lo, double hi, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v != v || v < lo || v > hi)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* Set a scalar key from text; on error, the value is left untouched. */
static int key_set_scalar(struct config *c, const struct config_key *k,
			  const char *v, char *err, size_t errlen)
{
	char *base = (char *)c + k->offset;
	uint64_t u;

	switch (k->type) {
	case CFG_BOOL:
		if (parse_bool(v, (bool *)base) < 0) {
			(void)snprintf(err, errlen, "%s: expected true or "
				       "false, got '%s'", k->name, v);
			return -EINVAL;
		}
		return 0;
	case CFG_STRING: {
		char *dup;

		if (!*v) {
			(void)snprintf(err, errlen, "%s: must not be empty",
				       k->name);
			return -EINVAL;
		}
		dup = strdup(v);
		if (!dup)
			return -ENOMEM;
		free(*(char **)base);
		*(char **)base = dup;
		return 0;
	}
	case CFG_STRING_OPT: {
		char *dup = NULL;

		if (*v) {
			dup = strdup(v);
			if (!dup)
				return -ENOMEM;
		}
		free(*(char **)base);
		*(char **)base = dup;
		return 0;
	}
	case CFG_DURATION:
		if (parse_duration(v, (uint64_t *)base) < 0) {
			(void)snprintf(err, errlen, "%s: expected a duration "
				       "(90s, 15m, 12h, 30d, 0), got '%s'",
				       k->name, v);
			return -EINVAL;
		}
		return 0;
	case CFG_RATE:
		if (parse_rate(v, k->min, k->max, (double *)base) < 0) {
			(void)snprintf(err, errlen, "%s: expected a number "
				       "from %u to %u, got '%s'", k->name,
				       k->min, k->max, v);
			return -EINVAL;
		}
		return 0;
	case CFG_UINT32:
		if (parse_u64(v, 10, &u) < 0 || u < k->min || u > k->max) {
			(void)snprintf(err, errlen, "%s: expected a number "
				       "from %u to %u, got '%s'", k->name,
				       k->min, k->max, v);
			return -EINVAL;
		}
		*(uint32_t *)base = (uint32_t)u;
		return 0;
	case CFG_PRIORITY:
		if (alert_priority_parse(v, (enum alert_priority *)base) < 0) {
			(void)snprintf(err, errlen, "%s: unknown priority "
				       "'%s' (emergency, alert, critical, "
				       "error, warning, notice, "
				       "informational, debug)", k->name, v);
			return -EINVAL;
		}
		return 0;
	case CFG_LOGLEVEL:
		if (parse_loglevel(v, (int *)base) < 0) {
			(void)snprintf(err, errlen, "%s: unknown level '%s' "
				       "(error, warning, info, debug)",
				       k->name, v);
			return -EINVAL;
		}
		return 0;
	case CFG_STRING_LIST:
		break;
	}
	(void)snprintf(err, errlen, "%s: expected a list", k->name);
	return -EINVAL;
}

struct config *config_new(void)
{
	struct config *c = calloc(1, sizeof(*c));
	char err[256];
	size_t i;

	if (!c)
		return NULL;
	for (i = 0; i < NKEYS; i++) {
		if (!config_keys[i].def)
			continue;
		if (key_set_scalar(c, &config_keys[i], config_keys[i].def, err,
				   sizeof(err)) < 0) {
			config_free(c);
			return NULL;
		}
	}
	return c;
}

void config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < NKEYS; i++) {
		char *base = (char *)c + config_keys[i].offset;

		if (config_keys[i].type == CFG_STRING ||
		    config_keys[i].type == CFG_STRING_OPT)
			free(*(char **)base);
		else if (config_keys[i].type == CFG_STRING_LIST)
			strv_free(*(char ***)base,
				  *(size_t *)(base + sizeof(char **)));
	}
	free(c);
}

struct loader {
	struct config *c;
	yaml_document_t *doc;
	const char *file;
	struct diag *d;
};

static void err_at(struct loader *l, const yaml_node_t *n, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

static void err_at(struct loader *l, const yaml_node_t *n, const char *fmt,
		   ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(l->d, DIAG_ERROR, l->file, (unsigned int)n->start_mark.line + 1,
		 (unsigned int)n->start_mark.column + 1, "%s", msg);
}

static void load_list(struct loader *l, const struct config_key *k,
		      yaml_node_t *n)
{
	yaml_node_item_t *it;
	const char *what = k->offset == OFF(rules_files) ? "file names" :
							    "names";
	char **list = NULL, ***dst = (char ***)((char *)l->c + k->offset);
	size_t count = 0, *ndst = (size_t *)((char *)dst + sizeof(char **));
	bool bad = false;

	if (n->type == YAML_SCALAR_NODE) {
		/* A single file given as a scalar. */
		list = calloc(1, sizeof(*list));
		if (!list)
			return;
		list[0] = strdup((const char *)n->data.scalar.value);
		count = list[0] ? 1 : 0;
		goto set;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		err_at(l, n, "%s: expected a list of %s", k->name, what);
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++) {
		yaml_node_t *e = yaml_document_get_node(l->doc, *it);
		char **p;

		if (!e || e->type != YAML_SCALAR_NODE) {
			if (e)
				err_at(l, e, "%s: list items must be %s",
				       k->name, what);
			bad = true;
			continue;
		}
		if (count == CONFIG_MAX_RULES_FILES) {
			err_at(l, e, "%s: too many %s", k->name, what);
			bad = true;
			break;
		}
		p = realloc(list, (count + 1) * sizeof(*list));
		if (!p)
			break;
		list = p;
		list[count] = strdup((const char *)e->data.scalar.value);
		if (list[count])
			count++;
	}
	if (bad) {
		strv_free(list, count);
		return;
	}
set:
	strv_free(*dst, *ndst);
	*dst = list;
	*ndst = count;
}

static void load_node(struct loader *l, const char *prefix, yaml_node_t *n,
		      const yaml_node_t *keynode)
{
	const struct config_key *k = key_find(prefix);
	char sub[CONFIG_MAX_KEY], err[512];
	yaml_node_pair_t *pair;

	if (k && k->type == CFG_STRING_LIST) {
		load_list(l, k, n);
		return;
	}
	if (n->type == YAML_SCALAR_NODE) {
		const char *v = (const char *)n->data.scalar.value;

		if (!k) {
			/* Falco's shorthand: "stdout_output: true". */
			(void)snprintf(sub, sizeof(sub), "%s.enabled", prefix);
			k = key_find(sub);
		}
		if (!k) {
			err_at(l, keynode, "unknown key '%s'", prefix);
			return;
		}
		if (key_set_scalar(l->c, k, v, err, sizeof(err)) < 0)
			err_at(l, n, "%s", err);
		return;
	}
	if (n->type != YAML_MAPPING_NODE) {
		err_at(l, n, "%s: unexpected list", prefix);
		return;
	}
	if (k) {
		err_at(l, n, "%s: expected a single value", prefix);
		return;
	}
	for (pair = n->data.mapping.pairs.start;
	     pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, pair->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, pair->value);
		int w;

		if (!kn || !vn)
			continue;
		if (kn->type != YAML_SCALAR_NODE) {
			err_at(l, kn, "%s", "keys must be plain names");
			continue;
		}
		w = snprintf(sub, sizeof(sub), "%s%s%s", prefix,
			     *prefix ? "." : "",
			     (const char *)kn->data.scalar.value);
		if (w < 0 || (size_t)w >= sizeof(sub)) {
			err_at(l, kn, "%s", "key too long");
			continue;
		}
		if (!key_find(sub) && vn->type == YAML_SCALAR_NODE) {
			char en[CONFIG_MAX_KEY + 8];

			(void)snprintf(en, sizeof(en), "%s.enabled", sub);
			if (!key_find(en)) {
				err_at(l, kn, "unknown key '%s'", sub);
				continue;
			}
		}
		load_node(l, sub, vn, kn);
	}
}

/* An enabled output needs its destination. */
static void config_check_outputs(const struct config *c, const char *name,
				 struct diag *d)
{
	if (c->http_output && !c->http_url)
		diag_add(d, DIAG_ERROR, name, 0, 0,
			 "http_output is enabled but http_output.url is not "
			 "set");
	if (c->file_output && !c->file_name)
		diag_add(d, DIAG_ERROR, name, 0, 0,
			 "file_output is enabled but file_output.filename is "
			 "not set");
	if (c->program_output && !c->program)
		diag_add(d, DIAG_ERROR, name, 0, 0,
			 "program_output is enabled but "
			 "program_output.program is not set");
}

int config_load_buffer(struct config *c, const char *name, const char *data,
		       size_t len, struct diag *d)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	struct loader l = { c, &doc, name, d };
	size_t before = d->nerrors;
	int r;

	r = yaml_refuse_deep(name, data, len, d);
	if (r < 0)
		return r;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, &doc)) {
		diag_add(d, DIAG_ERROR, name,
			 (unsigned int)parser.problem_mark.line + 1,
			 (unsigned int)parser.problem_mark.column + 1,
			 "YAML: %s",
			 parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		load_node(&l, "", root, root);
	else if (root && !(root->type == YAML_SCALAR_NODE &&
			   root->data.scalar.length == 0))
		err_at(&l, root, "%s", "the config must be a mapping of keys");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (d->nerrors == before)
		config_check_outputs(c, name, d);
	return d->nerrors > before ? -EINVAL : 0;
}

int config_load(struct config *c, const char *path, struct diag *d)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int r;

	if (!f) {
		r = -errno;
		diag_add(d, DIAG_ERROR, path, 0, 0, "cannot open: %s",
			 strerror(-r));
		return r;
	}
	buf = malloc(CONFIG_MAX_SIZE + 1);
	if (!buf) {
		(void)fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, CONFIG_MAX_SIZE + 1, f);
	(void)fclose(f);
	if (n > CONFIG_MAX_SIZE) {
		free(buf);
		diag_add(d, DIAG_ERROR, path, 0, 0, "larger than %d bytes",
			 CONFIG_MAX_SIZE);
		return -EINVAL;
	}
	r = config_load_buffer(c, path, buf, n, d);
	free(buf);
	return r;
}

static bool key_equal(const struct config *a, const struct config *b,
		      const struct config_key *k)
{
	const char *pa = (const char *)a + k->offset;
	const char *pb = (const char *)b + k->offset;
	const char *sa, *sb;

	switch (k->type) {
	case CFG_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case CFG_STRING:
	case CFG_STRING_OPT:
		sa = *(char *const *)pa;
		sb = *(char *const *)pb;
		return (!sa && !sb) || (sa && sb && strcmp(sa, sb) == 0);
	case CFG_DURATION:
		return *(const uint64_t *)pa == *(const uint64_t *)pb;
	case CFG_RATE:
		return *(const double *)pa == *(const double *)pb;
	case CFG_UINT32:
		return *(const uint32_t *)pa == *(const uint32_t *)pb;
	case CFG_PRIORITY:
		return *(const enum alert_priority *)pa ==
		       *(const enum alert_priority *)pb;
	case CFG_LOGLEVEL:
		return *(const int *)pa == *(const int *)pb;
	case CFG_STRING_LIST: {
		char **la = *(char **const *)pa, **lb = *(char **const *)pb;
		size_t na = *(const size_t *)(pa + sizeof(char **));
		size_t nb = *(const size_t *)(pb + sizeof(char **)), i;

		if (na != nb)
			return false;
		for (i = 0; i < na; i++)
			if (strcmp(la[i], lb[i]) != 0)
				return false;
		return true;
	}
	}
	return true;
}

void config_check_reload(const struct config *old, const struct config *new,
			 const char *file, struct diag *d)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (config_keys[i].reloadable)
			continue;
		if (!key_equal(old, new, &config_keys[i]))
			diag_add(d, DIAG_WARNING, file, 0, 0,
				 "%s changed: restart harrierd to apply it",
				 config_keys[i].name);
	}
}

void config_take_reloadable(struct config *dst, struct config *src)
{
	const struct config_key *k;
	char *pd, *ps, *tmp;
	size_t i, sz;

	for (i = 0; i < NKEYS; i++) {
		k = &config_keys[i];
		if (!k->reloadable)
			continue;
		pd = (char *)dst + k->offset;
		ps = (char *)src + k->offset;
		switch (k->type) {
		case CFG_STRING:
		case CFG_STRING_OPT:
			/* swapped: src (freed by the caller) takes the old */
			tmp = *(char **)pd;
			*(char **)pd = *(char **)ps;
			*(char **)ps = tmp;
			continue;
		case CFG_STRING_LIST: {
			/* the list and its count (which follows it) */
			char **l = *(char ***)pd;
			size_t n = *(size_t *)(pd + sizeof(char **));

			*(char ***)pd = *(char ***)ps;
			*(size_t *)(pd + sizeof(char **)) =
				*(size_t *)(ps + sizeof(char **));
			*(char ***)ps = l;
			*(size_t *)(ps + sizeof(char **)) = n;
			continue;
		}
		case CFG_BOOL:
			sz = sizeof(bool);
			break;
		case CFG_UINT32:
			sz = sizeof(uint32_t);
			break;
		case CFG_DURATION:
			sz = sizeof(uint64_t);
			break;
		case CFG_RATE:
			sz = sizeof(double);
			break;
		case CFG_PRIORITY:
			sz = sizeof(enum alert_priority);
			break;
		case CFG_LOGLEVEL:
			sz = sizeof(int);
			break;
		default:
			continue;
		}
		memcpy(pd, ps, sz);
	}
}

bool config_section_equal(const struct config *a, const struct config *b,
			  const char *prefix)
{
	size_t i, n = strlen(prefix);

	for (i = 0; i < NKEYS; i++)
		if (strncmp(config_keys[i].name, prefix, n) == 0 &&
		    !key_equal(a, b, &config_keys[i]))
			return false;
	return true;
}

void config_print_keys(FILE *out)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		(void)fprintf(out, "%-36s %-8s %s (default: %s)%s\n",
			      config_keys[i].name,
			      config_keys[i].type == CFG_BOOL ? "bool" :
			      config_keys[i].type == CFG_UINT32 ? "number" :
			      config_keys[i].type == CFG_RATE ? "number" :
			      config_keys[i].type == CFG_DURATION ? "duration" :
			      config_keys[i].type == CFG_STRING_LIST ? "list" :
								       "string",
			      config_keys[i].desc,
			      config_keys[i].def ? config_keys[i].def : "-",
			      config_keys[i].reloadable ? "" :
							  "; restart to change");
}
