/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel audit rules: auditctl-syntax parser built on libaudit's rule
 * builder (never by running auditctl), merged syscall rules for the
 * detection rules' evt.types, and install / remove / tamper check over
 * netlink. It must never touch a rule whose key does not start with
 * "harrier", change the failure mode, or lock audit.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libaudit.h>

#include "common/strbuf.h"
#include "kaudit/kernel_rules.h"
#include "kaudit/kstatus.h"

/* libaudit's rule builder keeps per-rule state in these exported globals
 * (auditctl resets them for every rule); they are not in libaudit.h. */
extern int _audit_permadded;
extern int _audit_archadded;
extern int _audit_syscalladded;
extern int _audit_exeadded;
extern unsigned int _audit_elf;

/* A rules file larger than this is not a rules file. */
#define KR_MAX_FILE (4 * 1024 * 1024)
/* 40 polls of 100 ms for a kernel reply, as libaudit's audit_is_enabled. */
#define KR_REPLY_POLLS 40
#define KR_REPLY_POLL_MS 100

struct krule {
	char *desc;
	struct audit_rule_data *data;
	int list; /* AUDIT_FILTER_* | AUDIT_FILTER_PREPEND */
	int action; /* AUDIT_ALWAYS / AUDIT_NEVER */
	bool installed;
};

struct kernel_rules {
	pid_t exclude_pid;
	struct krule *rules;
	size_t n, cap;
};

struct tok {
	char *s;
	unsigned int col;
};

/* One parsed line (or one synthesised syscall rule). Strings point into
 * the caller's buffers. */
struct pline {
	const char *file;
	unsigned int line;
	const char *text;
	int list, action;
	unsigned int list_col;
	struct tok arch; /* "arch=b64" style pair, s NULL if none */
	struct tok *sys;
	size_t nsys;
	struct tok *fields;
	size_t nfields;
	struct tok *comps;
	size_t ncomps;
	struct tok watch, perms;
	char key[AUDIT_MAX_KEY_LEN + 1];
	size_t keylen;
	unsigned int key_col;
	bool harrier_key;
};

struct kernel_rules *kernel_rules_new(pid_t exclude_pid)
{
	struct kernel_rules *set = calloc(1, sizeof(*set));

	if (set)
		set->exclude_pid = exclude_pid > 0 ? exclude_pid : 0;
	/* libaudit would otherwise print to stderr/syslog on our behalf. */
	set_aumessage_mode(MSG_QUIET, DBG_NO);
	return set;
}

static void krule_clear(struct krule *r)
{
	free(r->desc);
	audit_rule_free_data(r->data);
}

void kernel_rules_free(struct kernel_rules *set)
{
	size_t i;

	if (!set)
		return;
	for (i = 0; i < set->n; i++)
		krule_clear(&set->rules[i]);
	free(set->rules);
	free(set);
}

size_t kernel_rules_count(const struct kernel_rules *set)
{
	return set->n;
}

const char *kernel_rules_describe(const struct kernel_rules *set, size_t i)
{
	return i < set->n ? set->rules[i].desc : NULL;
}

static const char *kr_fieldpair_error(int rc)
{
	switch (rc) {
	case -1:
		return "missing or unknown operator";
	case -2:
		return "unknown field, user or group";
	case -3:
		return "arch must come before syscalls";
	case -4:
	case -5:
	case -6:
		return "unknown or unsupported arch";
	case -7:
		return "field is only valid on the exit list";
	case -8:
	case -9:
		return "bad msgtype (only for user and exclude lists)";
	case -11:
		return "value too long";
	case -12:
	case -30:
		return "field not supported on this list or by this kernel";
	case -13:
		return "operator not allowed for this field";
	case -14:
		return "permission must be made of r, w, x, a";
	case -15:
		return "unknown errno name";
	case -16:
	case -17:
		return "bad file type";
	case -19:
		return "key needs a syscall, watch or exe before it";
	case -20:
		return "missing value";
	case -21:
		return "value must be numeric";
	case -22:
		return "missing field name";
	case -24:
	case -25:
	case -26:
	case -27:
		return "bad field comparison";
	case -28:
		return "too many fields in one rule";
	case -29:
		return "exe only supports =";
	case -31:
		return "session filter not valid on this list";
	default:
		return "rejected by libaudit";
	}
}

static void kr_reset_libaudit(void)
{
	_audit_permadded = 0;
	_audit_archadded = 0;
	_audit_syscalladded = 0;
	_audit_exeadded = 0;
	_audit_elf = 0;
}

static int kr_perm_bits(const char *p)
{
	int v = 0;

	if (!*p || strlen(p) > 4)
		return -1;
	for (; *p; p++) {
		switch (*p) {
		case 'r':
			v |= AUDIT_PERM_READ;
			break;
		case 'w':
			v |= AUDIT_PERM_WRITE;
			break;
		case 'x':
			v |= AUDIT_PERM_EXEC;
			break;
		case 'a':
			v |= AUDIT_PERM_ATTR;
			break;
		default:
			return -1;
		}
	}
	return v;
}

/* audit_rule_fieldpair_data() writes into its argument: give it a copy. */
static int kr_fieldpair(struct audit_rule_data **data, const char *pair,
			int list)
{
	char *copy = strdup(pair);
	int rc;

	if (!copy)
		return -3;
	rc = audit_rule_fieldpair_data(data, copy, list);
	free(copy);
	return rc;
}

static int kr_comparison(struct audit_rule_data **data, const char *pair,
			 int list)
{
	char *copy = strdup(pair);
	int rc;

	if (!copy)
		return -3;
	rc = audit_rule_interfield_comp_data(data, copy, list);
	free(copy);
	return rc;
}

/*
 * Build one kernel rule from a parsed line for one ABI (arch NULL: as
 * written). With skip_unknown, syscalls this ABI lacks are left out (the
 * b32 twin of a b64 rule); *ret_data stays NULL if none is left.
 */
static int kr_build(const struct pline *pl, const char *arch, bool skip_unknown,
		    pid_t exclude_pid, struct audit_rule_data **ret_data,
		    struct diag *d)
{
	struct audit_rule_data *data;
	int list = pl->list & AUDIT_FILTER_MASK;
	size_t i, used = 0;
	char pair[64];
	int rc;

	kr_reset_libaudit();
	data = audit_rule_create_data();
	if (!data)
		return -ENOMEM;

	if (pl->watch.s) {
		struct stat sb;
		int type = AUDIT_WATCH;

		if (stat(pl->watch.s, &sb) == 0 && S_ISDIR(sb.st_mode))
			type = AUDIT_DIR;
		if (audit_add_watch_dir(type, &data, pl->watch.s) < 0) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line,
				 pl->watch.col, "bad watch path");
			goto fail;
		}
		if (pl->perms.s &&
		    audit_update_watch_perms(data, kr_perm_bits(pl->perms.s)) <
			    0) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line,
				 pl->perms.col, "cannot set permissions");
			goto fail;
		}
	} else {
		if (arch || pl->arch.s) {
			const char *a = arch ? arch : pl->arch.s;

			if (arch) {
				rc = snprintf(pair, sizeof(pair), "arch=%s",
					      arch);
				if (rc < 0 || (size_t)rc >= sizeof(pair))
					goto fail;
				a = pair;
			}
			rc = kr_fieldpair(&data, a, list);
			if (rc < 0) {
				diag_add(d, DIAG_ERROR, pl->file, pl->line,
					 pl->arch.col, "%s: %s", a,
					 kr_fieldpair_error(rc));
				goto fail;
			}
		}
		for (i = 0; i < pl->nsys; i++) {
			rc = audit_rule_syscallbyname_data(data, pl->sys[i].s);
			if (rc == 0) {
				used++;
				continue;
			}
			if (skip_unknown)
				continue;
			diag_add(d, DIAG_ERROR, pl->file, pl->line,
				 pl->sys[i].col, "unknown syscall '%s'%s%s",
				 pl->sys[i].s, arch ? " for arch=" : "",
				 arch ? arch : "");
			goto fail;
		}
		if (pl->nsys && !used) {
			/* Nothing of this rule exists on this ABI. */
			audit_rule_free_data(data);
			*ret_data = NULL;
			return 0;
		}
		if (pl->nsys)
			_audit_syscalladded = 1;
		else if (list == AUDIT_FILTER_EXIT)
			/* auditctl's default for an exit rule without -S */
			(void)audit_rule_syscallbyname_data(data, "all");
		for (i = 0; i < pl->nfields; i++) {
			rc = kr_fieldpair(&data, pl->fields[i].s, list);
			if (rc < 0) {
				if (!data)
					return -ENOMEM;
				diag_add(d, DIAG_ERROR, pl->file, pl->line,
					 pl->fields[i].col, "-F %s: %s",
					 pl->fields[i].s,
					 kr_fieldpair_error(rc));
				goto fail;
			}
		}
		for (i = 0; i < pl->ncomps; i++) {
			rc = kr_comparison(&data, pl->comps[i].s, list);
			if (rc < 0) {
				diag_add(d, DIAG_ERROR, pl->file, pl->line,
					 pl->comps[i].col, "-C %s: %s",
					 pl->comps[i].s,
					 kr_fieldpair_error(rc));
				goto fail;
			}
		}
	}
	/* Watches stay in their classic shape (auditctl -l shows them as
	 * -w, and -W deletes them); syscall rules exclude the daemon. */
	if (exclude_pid > 0 && list == AUDIT_FILTER_EXIT && !pl->watch.s) {
		rc = snprintf(pair, sizeof(pair), "pid!=%ld",
			      (long)exclude_pid);
		if (rc < 0 || (size_t)rc >= sizeof(pair))
			goto fail;
		rc = kr_fieldpair(&data, pair, list);
		if (rc < 0) {
			if (!data)
				return -ENOMEM;
			diag_add(d, DIAG_ERROR, pl->file, pl->line, 1,
				 "cannot exclude own pid: %s",
				 kr_fieldpair_error(rc));
			goto fail;
		}
	}
	if (pl->keylen) {
		char kpair[AUDIT_MAX_KEY_LEN + 8];

		/* The key's own check wants a syscall/watch/exe first; the
		 * lists Harrier uses all have one by now. */
		_audit_syscalladded = 1;
		rc = snprintf(kpair, sizeof(kpair), "key=%s", pl->key);
		if (rc < 0 || (size_t)rc >= sizeof(kpair))
			goto fail;
		rc = kr_fieldpair(&data, kpair, list);
		if (rc < 0) {
			if (!data)
				return -ENOMEM;
			diag_add(d, DIAG_ERROR, pl->file, pl->line, pl->key_col,
				 "-k: %s", kr_fieldpair_error(rc));
			goto fail;
		}
	}
	kr_reset_libaudit();
	*ret_data = data;
	return 0;

fail:
	kr_reset_libaudit();
	audit_rule_free_data(data);
	return -EINVAL;
}

/* Pending rules of one text, moved into the set only if all is valid. */
struct kr_pending {
	struct krule *rules;
	size_t n, cap;
};

static int kr_pending_add(struct kr_pending *p, const struct pline *pl,
			  const char *arch, struct audit_rule_data *data)
{
	struct strbuf sb = STRBUF_INIT;
	struct krule *r;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct krule *nr = realloc(p->rules, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		p->rules = nr;
		p->cap = cap;
	}
	strbuf_appendf(&sb, "%s:%u: ", pl->file, pl->line);
	strbuf_appends(&sb, pl->text);
	if (arch) {
		strbuf_appends(&sb, " (arch=");
		strbuf_appends(&sb, arch);
		strbuf_appends(&sb, ")");
	}
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return -ENOMEM;
	}
	r = &p->rules[p->n++];
	memset(r, 0, sizeof(*r));
	r->desc = strbuf_steal(&sb);
	r->data = data;
	r->list = pl->list;
	r->action = pl->action;
	return 0;
}

static void kr_pending_free(struct kr_pending *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		krule_clear(&p->rules[i]);
	free(p->rules);
}

static int kr_commit(struct kernel_rules *set, struct kr_pending *p)
{
	if (set->n + p->n > set->cap) {
		size_t cap = set->cap ? set->cap : 8;
		struct krule *nr;

		while (cap < set->n + p->n)
			cap *= 2;
		nr = realloc(set->rules, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		set->rules = nr;
		set->cap = cap;
	}
	if (p->n)
		memcpy(set->rules + set->n, p->rules, p->n * sizeof(*p->rules));
	set->n += p->n;
	free(p->rules);
	p->rules = NULL;
	p->n = p->cap = 0;
	return 0;
}

/* The ABIs a syscall rule without -F arch= is expanded to. */
static size_t kr_abis(const char *ret_abis[2])
{
	size_t n = 0;

	if (audit_determine_machine("b64") >= 0)
		ret_abis[n++] = "b64";
	if (audit_determine_machine("b32") >= 0)
		ret_abis[n++] = "b32";
	return n;
}

static bool kr_all_syscalls(const struct pline *pl)
{
	size_t i;

	for (i = 0; i < pl->nsys; i++)
		if (strcmp(pl->sys[i].s, "all") == 0)
			return true;
	return false;
}

/* Build every kernel rule a parsed line stands for. */
static int kr_expand(const struct pline *pl, pid_t exclude_pid,
		     struct kr_pending *p, struct diag *d)
{
	const char *abis[2];
	size_t nabi, i;
	int rc;

	nabi = kr_abis(abis);
	if (pl->watch.s || pl->arch.s || !pl->nsys || kr_all_syscalls(pl) ||
	    (pl->list & AUDIT_FILTER_MASK) != AUDIT_FILTER_EXIT || !nabi) {
		struct audit_rule_data *data = NULL;

		rc = kr_build(pl, NULL, false, exclude_pid, &data, d);
		if (rc < 0)
			return rc;
		rc = kr_pending_add(p, pl, NULL, data);
		if (rc < 0)
			audit_rule_free_data(data);
		return rc;
	}
	for (i = 0; i < nabi; i++) {
		struct audit_rule_data *data = NULL;

		/* The first (native) ABI must know every name. */
		rc = kr_build(pl, abis[i], i > 0, exclude_pid, &data, d);
		if (rc < 0)
			return rc;
		if (!data)
			continue;
		rc = kr_pending_add(p, pl, abis[i], data);
		if (rc < 0) {
			audit_rule_free_data(data);
			return rc;
		}
	}
	return 0;
}

static bool kr_key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == ':' || c == '/';
}

static void kr_add_key(struct pline *pl, const struct tok *t, struct diag *d)
{
	size_t len = strlen(t->s), i;

	for (i = 0; i < len; i++) {
		if (!kr_key_char_ok(t->s[i])) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line, t->col,
				 "key may only contain letters, digits and "
				 "_-.:/");
			return;
		}
	}
	if (len == 0 ||
	    pl->keylen + (pl->keylen ? 1 : 0) + len > AUDIT_MAX_KEY_LEN) {
		diag_add(d, DIAG_ERROR, pl->file, pl->line, t->col,
			 "key empty or keys longer than %d bytes",
			 AUDIT_MAX_KEY_LEN);
		return;
	}
	if (pl->keylen)
		pl->key[pl->keylen++] = AUDIT_KEY_SEPARATOR;
	memcpy(pl->key + pl->keylen, t->s, len);
	pl->keylen += len;
	pl->key[pl->keylen] = '\0';
	if (strncmp(t->s, KERNEL_RULES_KEY_PREFIX,
		    strlen(KERNEL_RULES_KEY_PREFIX)) == 0)
		pl->harrier_key = true;
	if (!pl->key_col)
		pl->key_col = t->col;
}

static void kr_parse_list(struct pline *pl, const struct tok *t, struct diag *d)
{
	char *copy = strdup(t->s), *rest, *part;
	int list = -1, action = -1;

	if (!copy)
		return;
	rest = copy;
	while ((part = strsep(&rest, ","))) {
		int v;

		if ((v = audit_name_to_flag(part)) >= 0 && list < 0)
			list = v;
		else if ((strcmp(part, "always") == 0 ||
			  strcmp(part, "never") == 0) &&
			 action < 0)
			action = audit_name_to_action(part);
		else
			diag_add(d, DIAG_ERROR, pl->file, pl->line, t->col,
				 "bad list or action '%s' (want e.g. "
				 "always,exit)",
				 part);
	}
	free(copy);
	if (list < 0 || action < 0) {
		diag_add(d, DIAG_ERROR, pl->file, pl->line, t->col,
			 "-a needs a list and an action, e.g. always,exit");
		return;
	}
	pl->list |= list;
	pl->action = action;
	pl->list_col = t->col;
}

static bool kr_push_tok(struct tok **arr, size_t *n, const struct tok *t)
{
	struct tok *na = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!na)
		return false;
	na[*n] = *t;
	*arr = na;
	(*n)++;
	return true;
}

static const char *kr_forbidden(const char *opt)
{
	if (strcmp(opt, "-D") == 0)
		return "-D would delete other tools' rules";
	if (strcmp(opt, "-b") == 0)
		return "-b: the backlog limit is the daemon's to set";
	if (strcmp(opt, "-f") == 0)
		return "-f: Harrier never changes the failure mode";
	if (strcmp(opt, "-e") == 0)
		return "-e: Harrier never enables, disables or locks audit "
		       "from a rules file";
	if (strcmp(opt, "-d") == 0 || strcmp(opt, "-W") == 0)
		return "rules files add rules; deleting is not allowed";
	return NULL;
}

/*
 * Parse one line (already split into tokens) into pl. Returns the number
 * of errors added to d.
 */
static size_t kr_parse_tokens(struct pline *pl, struct tok *toks, size_t n,
			      struct diag *d)
{
	size_t before = d->nerrors, i;
	bool have_list = false;

	for (i = 0; i < n; i++) {
		const char *opt = toks[i].s;
		const char *why = kr_forbidden(opt);
		struct tok *arg;
		bool ok = true;

		if (why) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line, toks[i].col,
				 "%s is not allowed in Harrier "
				 "rule files (%s)",
				 opt, why);
			/* skip its argument if it has one */
			if (i + 1 < n && toks[i + 1].s[0] != '-')
				i++;
			continue;
		}
		if (opt[0] != '-' || strlen(opt) != 2 ||
		    !strchr("aASFCkwp", opt[1])) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line, toks[i].col,
				 "unsupported option or "
				 "argument '%s'",
				 opt);
			continue;
		}
		if (i + 1 >= n) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line, toks[i].col,
				 "%s needs an argument", opt);
			break;
		}
		arg = &toks[++i];
		switch (opt[1]) {
		case 'A':
			pl->list |= AUDIT_FILTER_PREPEND;
			/* fallthrough */
		case 'a':
			if (have_list) {
				diag_add(d, DIAG_ERROR, pl->file, pl->line,
					 toks[i - 1].col,
					 "only one -a/-A per rule");
				break;
			}
			have_list = true;
			kr_parse_list(pl, arg, d);
			break;
		case 'S': {
			char *rest = arg->s, *part;

			while (ok && (part = strsep(&rest, ","))) {
				struct tok t = {
					part,
					arg->col + (unsigned int)(part - arg->s)
				};

				if (!*part)
					diag_add(d, DIAG_ERROR, pl->file,
						 pl->line, t.col,
						 "empty syscall name");
				else
					ok = kr_push_tok(&pl->sys, &pl->nsys,
							 &t);
			}
			break;
		}
		case 'F':
			if (strncmp(arg->s, "arch", 4) == 0 &&
			    strchr("=!", arg->s[4]) && arg->s[4]) {
				if (pl->arch.s)
					diag_add(d, DIAG_ERROR, pl->file,
						 pl->line, arg->col,
						 "arch given twice");
				pl->arch = *arg;
			} else if (strncmp(arg->s, "key=", 4) == 0) {
				struct tok t = { arg->s + 4, arg->col + 4 };

				kr_add_key(pl, &t, d);
			} else {
				ok = kr_push_tok(&pl->fields, &pl->nfields,
						 arg);
			}
			break;
		case 'C':
			ok = kr_push_tok(&pl->comps, &pl->ncomps, arg);
			break;
		case 'k':
			kr_add_key(pl, arg, d);
			break;
		case 'w':
			if (pl->watch.s)
				diag_add(d, DIAG_ERROR, pl->file, pl->line,
					 arg->col, "only one -w per rule");
			pl->watch = *arg;
			break;
		case 'p':
			if (kr_perm_bits(arg->s) < 0)
				diag_add(d, DIAG_ERROR, pl->file, pl->line,
					 arg->col, "-p takes r, w, x, a");
			pl->perms = *arg;
			break;
		}
		if (!ok) {
			diag_add(d, DIAG_ERROR, pl->file, pl->line, arg->col,
				 "out of memory");
			break;
		}
	}
	if (d->nerrors != before)
		return d->nerrors - before;

	if (pl->watch.s) {
		size_t len = strlen(pl->watch.s);

		if (have_list || pl->nsys || pl->nfields || pl->ncomps ||
		    pl->arch.s)
			diag_add(d, DIAG_ERROR, pl->file, pl->line,
				 pl->watch.col,
				 "-w cannot be combined with "
				 "-a, -S, -F or -C (use -F path= instead)");
		if (pl->watch.s[0] != '/')
			diag_add(d, DIAG_ERROR, pl->file, pl->line,
				 pl->watch.col,
				 "watch path must be "
				 "absolute");
		/* auditctl trims trailing slashes: "/etc/audit/" */
		while (len > 1 && pl->watch.s[len - 1] == '/')
			pl->watch.s[--len] = '\0';
		pl->list = AUDIT_FILTER_EXIT;
		pl->action = AUDIT_ALWAYS;
	} else if (!have_list) {
		diag_add(d, DIAG_ERROR, pl->file, pl->line, 1,
			 "a rule needs -a/-A list,action or -w path");
	} else if (pl->perms.s) {
		diag_add(d, DIAG_ERROR, pl->file, pl->line, pl->perms.col,
			 "-p only goes with -w (use -F perm= with -a)");
	} else if (pl->nsys &&
		   (pl->list & AUDIT_FILTER_MASK) != AUDIT_FILTER_EXIT) {
		diag_add(d, DIAG_ERROR, pl->file, pl->line, pl->sys[0].col,
			 "-S is only valid on the exit list");
	}
	if (!pl->harrier_key)
		diag_add(d, DIAG_ERROR, pl->file, pl->line,
			 pl->key_col ? pl->key_col : 1,
			 "rule has no key starting \"%s\" (every Harrier "
			 "rule needs -k %s...)",
			 KERNEL_RULES_KEY_PREFIX, KERNEL_RULES_KEY_PREFIX);
	return d->nerrors - before;
}

static void pline_free(struct pline *pl)
{
	free(pl->sys);
	free(pl->fields);
	free(pl->comps);
}

/* Split a mutable line on blanks; columns are 1-based byte offsets. */
static size_t kr_tokenize(char *line, struct tok *toks, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p && n < max) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		toks[n].s = p;
		toks[n].col = (unsigned int)(p - line) + 1;
		n++;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

int kernel_rules_load_buffer(struct kernel_rules *set, const char *name,
			     const char *text, size_t len, struct diag *d)
{
	struct kr_pending p = { NULL, 0, 0 };
	size_t before = d->nerrors, off = 0;
	unsigned int lineno = 0;
	int rc = 0;

	while (off < len && rc != -ENOMEM) {
		const char *eol = memchr(text + off, '\n', len - off);
		size_t ll = eol ? (size_t)(eol - (text + off)) : len - off;
		struct pline pl;
		struct tok *toks;
		char *line, *shown;
		size_t ntok, i;

		lineno++;
		line = strndup(text + off, ll);
		shown = strndup(text + off, ll);
		toks = calloc(ll / 2 + 1, sizeof(*toks));
		off += ll + (eol ? 1 : 0);
		if (!line || !shown || !toks) {
			free(line);
			free(shown);
			free(toks);
			rc = -ENOMEM;
			break;
		}
		for (i = 0; shown[i] == ' ' || shown[i] == '\t'; i++)
			;
		if (memchr(line, '\0', ll)) {
			diag_add(d, DIAG_ERROR, name, lineno, 1,
				 "NUL byte in rule file");
			goto next;
		}
		ntok = kr_tokenize(line, toks, ll / 2 + 1);
		if (ntok == 0 || toks[0].s[0] == '#')
			goto next;
		memset(&pl, 0, sizeof(pl));
		pl.file = name;
		pl.line = lineno;
		pl.text = shown + i;
		/* drop trailing blanks from the shown text */
		for (i = strlen(shown); i > 0 && strchr(" \t\r", shown[i - 1]);
		     i--)
			shown[i - 1] = '\0';
		/* Build even after earlier errors: all of a file's errors
		 * are reported, not just the first. */
		if (kr_parse_tokens(&pl, toks, ntok, d) == 0)
			rc = kr_expand(&pl, set->exclude_pid, &p, d);
		pline_free(&pl);
	next:
		free(line);
		free(shown);
		free(toks);
	}
	if (rc == -ENOMEM) {
		kr_pending_free(&p);
		return -ENOMEM;
	}
	if (d->nerrors != before) {
		kr_pending_free(&p);
		return -EINVAL;
	}
	rc = kr_commit(set, &p);
	if (rc < 0)
		kr_pending_free(&p);
	return rc;
}

int kernel_rules_load_file(struct kernel_rules *set, const char *path,
			   struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;
	char buf[8192];
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		diag_add(d, DIAG_ERROR, path, 0, 0, "cannot open: %s",
			 strerror(-rc));
		return rc;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			diag_add(d, DIAG_ERROR, path, 0, 0, "cannot read: %s",
				 strerror(-rc));
			close(fd);
			strbuf_free(&sb);
			return rc;
		}
		strbuf_append(&sb, buf, (size_t)n);
		if (sb.len > KR_MAX_FILE) {
			diag_add(d, DIAG_ERROR, path, 0, 0,
				 "larger than %d bytes", KR_MAX_FILE);
			close(fd);
			strbuf_free(&sb);
			return -EFBIG;
		}
	}
	close(fd);
	if (strbuf_failed(&sb)) {
		strbuf_free(&sb);
		return -ENOMEM;
	}
	rc = kernel_rules_load_buffer(set, path, strbuf_str(&sb), sb.len, d);
	strbuf_free(&sb);
	return rc;
}

static int kr_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int kernel_rules_load_dir(struct kernel_rules *set, const char *dir,
			  struct diag *d)
{
	char **names = NULL;
	size_t n = 0, i;
	struct dirent *de;
	DIR *dp;
	int rc = 0;

	dp = opendir(dir);
	if (!dp) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		diag_add(d, DIAG_ERROR, dir, 0, 0, "cannot open: %s",
			 strerror(-rc));
		return rc;
	}
	while ((de = readdir(dp))) {
		size_t len = strlen(de->d_name);
		char **nn;

		if (de->d_name[0] == '.' || len < 7 ||
		    strcmp(de->d_name + len - 6, ".rules") != 0)
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			rc = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(dp);
	if (rc == 0 && n)
		qsort(names, n, sizeof(*names), kr_name_cmp);
	for (i = 0; i < n && rc != -ENOMEM; i++) {
		char *path;
		int r;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			rc = -ENOMEM;
			break;
		}
		r = kernel_rules_load_file(set, path, d);
		free(path);
		if (r == -ENOMEM)
			rc = r;
		else if (r < 0 && rc == 0)
			rc = -EINVAL;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int kr_add_syscalls(struct kernel_rules *set, const char *const *names,
			   size_t n, bool success_only, size_t *ret_added)
{
	struct kr_pending p = { NULL, 0, 0 };
	struct strbuf text = STRBUF_INIT;
	struct tok success = { (char *)"success=1", 0 };
	struct pline pl;
	struct diag d;
	int machine, rc = 0;
	size_t i, j, used = 0;

	machine = audit_detect_machine();
	if (machine < 0)
		return -EINVAL;
	memset(&pl, 0, sizeof(pl));
	pl.sys = calloc(n ? n : 1, sizeof(*pl.sys));
	if (!pl.sys)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		bool dup = false;

		if (!names[i] || audit_name_to_syscall(names[i], machine) < 0)
			continue;
		for (j = 0; j < used && !dup; j++)
			dup = strcmp(pl.sys[j].s, names[i]) == 0;
		if (dup)
			continue;
		pl.sys[used].s = (char *)names[i];
		pl.sys[used].col = 0;
		strbuf_appends(&text, used ? "," : "-a always,exit -S ");
		strbuf_appends(&text, names[i]);
		used++;
	}
	pl.nsys = used;
	if (used == 0)
		goto out;
	if (success_only) {
		/* AUDIT_SUCCESS: exit value not in -4095..-1 */
		pl.fields = &success;
		pl.nfields = 1;
		strbuf_appends(&text, " -F success=1");
	}
	strbuf_appends(&text, " -k " KERNEL_RULES_KEY_PREFIX);
	if (strbuf_failed(&text)) {
		rc = -ENOMEM;
		goto out;
	}
	pl.file = "(detection rules)";
	pl.line = 0;
	pl.text = strbuf_str(&text);
	pl.list = AUDIT_FILTER_EXIT;
	pl.action = AUDIT_ALWAYS;
	memcpy(pl.key, KERNEL_RULES_KEY_PREFIX,
	       sizeof(KERNEL_RULES_KEY_PREFIX));
	pl.keylen = strlen(KERNEL_RULES_KEY_PREFIX);
	pl.harrier_key = true;
	diag_init(&d);
	rc = kr_expand(&pl, set->exclude_pid, &p, &d);
	diag_free(&d);
	if (rc == 0)
		rc = kr_commit(set, &p);
	if (rc < 0)
		kr_pending_free(&p);
out:
	free(pl.sys);
	strbuf_free(&text);
	if (rc == 0 && ret_added)
		*ret_added = used;
	return rc;
}

int kernel_rules_add_syscalls(struct kernel_rules *set,
			      const char *const *names, size_t n,
			      size_t *ret_added)
{
	return kr_add_syscalls(set, names, n, false, ret_added);
}

int kernel_rules_add_syscalls_success(struct kernel_rules *set,
				      const char *const *names, size_t n,
				      size_t *ret_added)
{
	return kr_add_syscalls(set, names, n, true, ret_added);
}

/* ---- kernel side ---- */

static int kr_wait_reply(int fd, struct audit_reply *rep)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int i, rc;

	for (i = 0; i < KR_REPLY_POLLS; i++) {
		rc = poll(&pfd, 1, KR_REPLY_POLL_MS);
		if (rc < 0 && errno != EINTR)
			return -errno;
		rc = audit_get_reply(fd, rep, GET_REPLY_NONBLOCKING, 0);
		if (rc == -EAGAIN || rc == -EINTR)
			continue;
		if (rc == 0)
			return -EPROTO;
		return rc;
	}
	return -ETIMEDOUT;
}

/* Open a control socket and refuse when audit is locked. The status is
 * read over its own socket (kaudit_status_get), so the acks of
 * what follows on this one line up. */
static int kr_open(char **ret_err)
{
	struct kaudit_status k;
	int fd, rc;

	rc = kaudit_status_get(&k);
	if (rc == -EPROTONOSUPPORT || rc == -EAFNOSUPPORT) {
		err_set(ret_err, "this kernel has no audit support");
		return rc;
	}
	if (rc == -EPERM || rc == -EACCES) {
		err_set(ret_err, "changing kernel audit rules needs "
				 "root (CAP_AUDIT_CONTROL)");
		return rc;
	}
	if (rc < 0) {
		err_set(ret_err, "cannot read the audit status: %s",
			strerror(-rc));
		return rc;
	}
	if (k.enabled == 2) {
		err_set(ret_err, "kernel audit is locked (enabled 2): audit "
				 "rules cannot change until reboot");
		return -EPERM;
	}
	fd = audit_open();
	if (fd < 0) {
		rc = -errno;
		err_set(ret_err, "cannot open the audit netlink socket: %s",
			strerror(-rc));
		return rc;
	}
	return fd;
}

int kernel_rules_install(struct kernel_rules *set, char **ret_err)
{
	size_t i, failed = 0;
	int fd, rc, first = 0;
	char *first_msg = NULL;

	fd = kr_open(ret_err);
	if (fd < 0)
		return fd;
	for (i = 0; i < set->n; i++) {
		struct krule *r = &set->rules[i];

		rc = audit_add_rule_data(fd, r->data, r->list, r->action);
		if (rc >= 0 || rc == -EEXIST) {
			r->installed = true;
			continue;
		}
		failed++;
		if (!first) {
			first = rc;
			err_set(&first_msg, "kernel rejected %s: %s",
				   r->desc, strerror(-rc));
		}
	}
	audit_close(fd);
	if (failed) {
		err_set(ret_err, "%zu of %zu audit rules failed; first: %s",
			   failed, set->n, first_msg ? first_msg : "?");
		free(first_msg);
		return first;
	}
	return 0;
}

/* Field types whose value is a length into the rule's buf. */
static bool kr_field_is_string(uint32_t f)
{
	switch (f) {
	case AUDIT_SUBJ_USER:
	case AUDIT_SUBJ_ROLE:
	case AUDIT_SUBJ_TYPE:
	case AUDIT_SUBJ_SEN:
	case AUDIT_SUBJ_CLR:
	case AUDIT_OBJ_USER:
	case AUDIT_OBJ_ROLE:
	case AUDIT_OBJ_TYPE:
	case AUDIT_OBJ_LEV_LOW:
	case AUDIT_OBJ_LEV_HIGH:
	case AUDIT_WATCH:
	case AUDIT_DIR:
	case AUDIT_FILTERKEY:
	case AUDIT_EXE:
		return true;
	default:
		return false;
	}
}

/* True if any of the rule's keys starts with "harrier". A rule whose
 * string lengths overrun its buffer is not ours (and left alone). */
static bool kr_rule_is_harrier(const struct audit_rule_data *r)
{
	size_t plen = strlen(KERNEL_RULES_KEY_PREFIX);
	uint32_t off = 0, i;

	if (r->field_count > AUDIT_MAX_FIELDS)
		return false;
	for (i = 0; i < r->field_count; i++) {
		uint32_t len;
		const char *k;

		if (!kr_field_is_string(r->fields[i]))
			continue;
		len = r->values[i];
		if (len > r->buflen || off > r->buflen - len)
			return false;
		if (r->fields[i] == AUDIT_FILTERKEY) {
			uint32_t p = 0;

			k = r->buf + off;
			/* keys are joined with AUDIT_KEY_SEPARATOR */
			while (p < len) {
				uint32_t e = p;

				while (e < len && k[e] != AUDIT_KEY_SEPARATOR)
					e++;
				if (e - p >= plen &&
				    memcmp(k + p, KERNEL_RULES_KEY_PREFIX,
					   plen) == 0)
					return true;
				p = e + 1;
			}
		}
		off += len;
	}
	return false;
}

struct kr_list {
	struct audit_rule_data **rules;
	size_t n;
};

static void kr_list_free(struct kr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->rules[i]);
	free(l->rules);
	l->rules = NULL;
	l->n = 0;
}

/* Every rule the kernel has, copied. */
static int kr_list_kernel(struct kr_list *out, char **ret_err)
{
	struct audit_reply rep;
	int fd, rc;

	fd = kr_open(ret_err);
	if (fd < 0)
		return fd;
	rc = audit_request_rules_list_data(fd);
	while (rc >= 0) {
		struct audit_rule_data *copy, **nr;
		size_t payload, need;

		rc = kr_wait_reply(fd, &rep);
		if (rc < 0)
			break;
		if (rep.type == NLMSG_DONE) {
			rc = 0;
			break;
		}
		if (rep.type == NLMSG_ERROR) {
			if (rep.error->error) {
				rc = rep.error->error;
				break;
			}
			continue;
		}
		if (rep.type != AUDIT_LIST_RULES)
			continue;
		payload = (size_t)rep.len - NLMSG_HDRLEN;
		if (rep.len < (int)NLMSG_HDRLEN ||
		    payload < sizeof(struct audit_rule_data))
			continue;
		need = sizeof(struct audit_rule_data) + rep.ruledata->buflen;
		if (need > payload)
			continue;
		copy = malloc(need);
		nr = realloc(out->rules, (out->n + 1) * sizeof(*nr));
		if (!copy || !nr) {
			free(copy);
			if (nr)
				out->rules = nr;
			rc = -ENOMEM;
			break;
		}
		memcpy(copy, rep.ruledata, need);
		out->rules = nr;
		out->rules[out->n++] = copy;
	}
	audit_close(fd);
	if (rc < 0) {
		err_set(ret_err, "cannot list kernel audit rules: %s",
			   strerror(-rc));
		kr_list_free(out);
		return rc;
	}
	return 0;
}

/* Does the kernel's listed rule k say the same as our rule r? The kernel
 * folds syscall-class bits (the top AUDIT_SYSCALL_CLASSES bits of the
 * mask) into real syscalls, so those bits are not compared. */
static bool kr_same_rule(const struct krule *r, const struct audit_rule_data *k)
{
	const struct audit_rule_data *a = r->data;
	uint32_t classes = ~0U << (32 - AUDIT_SYSCALL_CLASSES);
	size_t i;

	if ((k->flags & ~AUDIT_FILTER_PREPEND) !=
		    (uint32_t)(r->list & ~AUDIT_FILTER_PREPEND) ||
	    k->action != (uint32_t)r->action ||
	    k->field_count != a->field_count || k->buflen != a->buflen)
		return false;
	for (i = 0; i < AUDIT_BITMASK_SIZE - 1; i++)
		if (k->mask[i] != a->mask[i])
			return false;
	if ((k->mask[i] & ~classes) != (a->mask[i] & ~classes))
		return false;
	for (i = 0; i < a->field_count && i < AUDIT_MAX_FIELDS; i++)
		if (k->fields[i] != a->fields[i] ||
		    k->values[i] != a->values[i] ||
		    k->fieldflags[i] != a->fieldflags[i])
			return false;
	return memcmp(k->buf, a->buf, a->buflen) == 0;
}

/* Is k one of the rules of the sets in keep? */
static bool kr_set_has(const struct kernel_rules *const *keep, size_t nkeep,
		       const struct audit_rule_data *k)
{
	size_t i, j;

	for (j = 0; j < nkeep; j++)
		for (i = 0; keep[j] && i < keep[j]->n; i++)
			if (kr_same_rule(&keep[j]->rules[i], k))
				return true;
	return false;
}

int kernel_rules_remove_except(const struct kernel_rules *keep,
			       unsigned int *ret_removed, char **ret_err)
{
	return kernel_rules_remove_except_sets(&keep, 1, ret_removed,
					       ret_err);
}

int kernel_rules_remove_except_sets(const struct kernel_rules *const *keep,
				    size_t nkeep, unsigned int *ret_removed,
				    char **ret_err)
{
	struct kr_list l = { NULL, 0 };
	unsigned int removed = 0;
	int fd, rc, first = 0;
	size_t i;

	rc = kr_list_kernel(&l, ret_err);
	if (rc < 0)
		return rc;
	fd = kr_open(ret_err);
	if (fd < 0) {
		kr_list_free(&l);
		return fd;
	}
	for (i = 0; i < l.n; i++) {
		struct audit_rule_data *r = l.rules[i];

		if (!kr_rule_is_harrier(r) || kr_set_has(keep, nkeep, r))
			continue;
		rc = audit_delete_rule_data(fd, r, (int)r->flags,
					    (int)r->action);
		if (rc >= 0)
			removed++;
		else if (rc != -ENOENT && !first)
			first = rc;
	}
	audit_close(fd);
	kr_list_free(&l);
	if (first) {
		err_set(ret_err, "cannot delete a harrier audit rule: %s",
			   strerror(-first));
		return first;
	}
	if (ret_removed)
		*ret_removed = removed;
	return 0;
}

int kernel_rules_uninstall(struct kernel_rules *set, char **ret_err)
{
	int fd, rc, first = 0;
	size_t i;

	fd = kr_open(ret_err);
	if (fd < 0)
		return fd;
	for (i = 0; i < set->n; i++) {
		struct krule *r = &set->rules[i];

		rc = audit_delete_rule_data(fd, r->data, r->list, r->action);
		r->installed = false;
		if (rc < 0 && rc != -ENOENT && !first) {
			first = rc;
			err_set(ret_err, "cannot delete %s: %s", r->desc,
				strerror(-rc));
		}
	}
	audit_close(fd);
	return first;
}

int kernel_rules_make_equiv(const char *old, const char *new,
			    char **ret_err)
{
	int fd, rc;

	fd = kr_open(ret_err);
	if (fd < 0)
		return fd;
	rc = audit_make_equivalent(fd, old, new);
	audit_close(fd);
	if (rc < 0) {
		err_set(ret_err, "cannot extend the audit tree %s to %s: %s",
			old, new, strerror(-rc));
		return rc;
	}
	return 0;
}

int kernel_rules_remove_all(unsigned int *ret_removed, char **ret_err)
{
	return kernel_rules_remove_except(NULL, ret_removed, ret_err);
}

int kernel_rules_check(const struct kernel_rules *set,
		       unsigned int *ret_missing, char **ret_err)
{
	return kernel_rules_check_sets(&set, 1, ret_missing, ret_err);
}

int kernel_rules_check_sets(const struct kernel_rules *const *sets, size_t n,
			    unsigned int *ret_missing, char **ret_err)
{
	struct kr_list l = { NULL, 0 };
	size_t i, j, s;
	int rc;

	rc = kr_list_kernel(&l, ret_err);
	if (rc < 0)
		return rc;
	for (s = 0; s < n; s++) {
		unsigned int missing = 0;

		for (i = 0; sets[s] && i < sets[s]->n; i++) {
			bool found = false;

			if (!sets[s]->rules[i].installed)
				continue;
			for (j = 0; j < l.n && !found; j++)
				found = kr_same_rule(&sets[s]->rules[i],
						     l.rules[j]);
			if (!found)
				missing++;
		}
		if (ret_missing)
			ret_missing[s] = missing;
	}
	kr_list_free(&l);
	return 0;
}
