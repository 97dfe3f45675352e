/* SPDX-License-Identifier: Apache-2.0 */
/*
 * harrierd's kernel audit control: builds Harrier's kernel rule set,
 * installs, swaps and removes it, heals tampering (rules removed, audit
 * disabled) and keeps the crash-restore state. It must never touch a rule
 * whose key does not start with "harrier", set enabled 2 or change the
 * failure mode.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/log.h"
#include "common/strbuf.h"
#include "kaudit/kaudit.h"
#include "kaudit/kernel_rules.h"
#include "kaudit/kstate.h"
#include "kaudit/kstatus.h"

/* A restore plan goes to kaudit_status_set as it is. */
_Static_assert(KSTATE_KEEP == KAUDIT_KEEP,
	       "kstate and kstatus disagree on 'keep this value'");

struct kaudit {
	struct kernel_rules *krules;
	bool rules_installed; /* we tried: remove ours at stop */
	bool tamper_pending;
	bool disabled_warned; /* multicast mode: said so once */
	enum kaudit_reader reader;
	bool locked;
	/* kernel settings from before us (or before a crashed run) */
	struct kstate *kstate;
};

struct kaudit *kaudit_new(const char *kstate_path)
{
	struct kaudit *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	if (kstate_path) {
		k->kstate = kstate_new(kstate_path);
		if (!k->kstate) {
			free(k);
			return NULL;
		}
	}
	return k;
}

void kaudit_free(struct kaudit *k)
{
	if (!k)
		return;
	kstate_free(k->kstate);
	kernel_rules_free(k->krules);
	free(k);
}

struct type_list {
	const char **names;
	size_t n, cap;
};

static void add_event_type(const char *type, void *ud)
{
	struct type_list *l = ud;
	const char **p;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		p = realloc(l->names, l->cap * sizeof(*p));
		if (!p)
			return;
		l->names = p;
	}
	l->names[l->n++] = type;
}

/* audit.track_forks: successful forks keep the process table current, so
 * that the child of a parent that only forked and is gone still has its
 * container. fork and vfork are not syscalls on every architecture
 * (aarch64): then clone and clone3 alone. */
static int add_fork_rule(struct kernel_rules *kr)
{
	static const char *const texts[] = {
		"-a always,exit -S clone,clone3,fork,vfork -F success=1 "
		"-k harrier_fork\n",
		"-a always,exit -S clone,clone3 -F success=1 -k harrier_fork\n",
	};
	struct diag d;
	size_t i;
	int r = -EINVAL;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]) && r == -EINVAL; i++) {
		diag_init(&d);
		r = kernel_rules_load_buffer(kr, "audit.track_forks", texts[i],
					     strlen(texts[i]), &d);
		if (r < 0 && i + 1 == sizeof(texts) / sizeof(texts[0]))
			log_diag(&d);
		diag_free(&d);
	}
	return r;
}

/* capture.syscalls: syscalls audited only so that captures see them
 * (every connect, say). One rule keyed harrier_capture, per ABI; a name
 * the kernel does not know fails the rule set, named by the config key. */
static int add_capture_rule(struct kernel_rules *kr, const struct config *c)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag d;
	size_t i;
	int r;

	if (!c->capture_enabled || !c->ncapture_syscalls)
		return 0;
	strbuf_appends(&sb, "-a always,exit -S ");
	for (i = 0; i < c->ncapture_syscalls; i++) {
		const char *n = c->capture_syscalls[i];

		if (!*n || strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
				   strlen(n)) {
			log_error("capture.syscalls: '%s' is not a syscall "
				  "name", n);
			strbuf_free(&sb);
			return -EINVAL;
		}
		strbuf_appendf(&sb, "%s%s", i ? "," : "", n);
	}
	strbuf_appends(&sb, " -k harrier_capture\n");
	if (strbuf_failed(&sb))
		return -ENOMEM;
	diag_init(&d);
	r = kernel_rules_load_buffer(kr, "capture.syscalls", strbuf_str(&sb),
				     sb.len, &d);
	log_diag(&d);
	diag_free(&d);
	strbuf_free(&sb);
	return r;
}

/* Build Harrier's kernel rule set: the audit-rules directory plus merged
 * syscall rules per ABI for every evt.type the detection rules use, one
 * for the syscalls only successful calls of which can match (-F
 * success=1) and one for the rest. Record type names (USER_LOGIN, ...)
 * need no rule and are skipped. */
static struct kernel_rules *build_kernel_rules(const struct config *c,
					       const struct engine *e)
{
	struct kernel_rules *kr = kernel_rules_new((pid_t)getpid());
	struct type_list types = { NULL, 0, 0 };
	size_t added = 0, added_succ = 0, nfile, nfail = 0, nsucc = 0, i;
	const char **succ;
	struct diag d;
	bool any = false;
	int r;

	if (!kr)
		return NULL;
	diag_init(&d);
	r = kernel_rules_load_dir(kr, c->audit_rules_dir, &d);
	log_diag(&d);
	diag_free(&d);
	if (r < 0) {
		kernel_rules_free(kr);
		return NULL;
	}
	if (c->track_forks && add_fork_rule(kr) < 0) {
		kernel_rules_free(kr);
		return NULL;
	}
	if (add_capture_rule(kr, c) < 0) {
		kernel_rules_free(kr);
		return NULL;
	}
	nfile = kernel_rules_count(kr);
	engine_event_types(e, add_event_type, &types, &any);
	/* Syscalls whose failed calls no rule can match: audit only their
	 * successful calls (failed opens of library and PATH searches are
	 * a large share of what the kernel would otherwise send). */
	succ = calloc(types.n ? types.n : 1, sizeof(*succ));
	if (!succ) {
		free(types.names);
		kernel_rules_free(kr);
		return NULL;
	}
	for (i = 0; i < types.n; i++) {
		if (engine_type_may_fail(e, types.names[i]))
			types.names[nfail++] = types.names[i];
		else
			succ[nsucc++] = types.names[i];
	}
	r = kernel_rules_add_syscalls(kr, types.names, nfail, &added);
	if (r >= 0)
		r = kernel_rules_add_syscalls_success(kr, succ, nsucc,
						      &added_succ);
	free(types.names);
	free(succ);
	if (r < 0) {
		kernel_rules_free(kr);
		return NULL;
	}
	log_info("kernel audit rules: %zu from %s%s, %zu syscalls for the "
		 "detection rules (%zu of them success-only)",
		 nfile, c->audit_rules_dir,
		 c->track_forks ? " and audit.track_forks" : "",
		 added + added_succ, added_succ);
	if (any)
		log_warning("some rule has no evt.type restriction: it only "
			    "sees events that other kernel rules produce");
	return kr;
}

int kaudit_build(struct kaudit *k, const struct config *c,
		 const struct engine *e)
{
	struct kernel_rules *kr = build_kernel_rules(c, e);

	if (!kr)
		return -EINVAL;
	kernel_rules_free(k->krules);
	k->krules = kr;
	return 0;
}

static int install_kernel_rules(struct kaudit *k)
{
	char *err = NULL;
	int r;

	k->rules_installed = true;
	r = kernel_rules_install(k->krules, &err);
	if (r < 0) {
		log_error("cannot install kernel audit rules: %s",
			  err ? err : strerror(-r));
		free(err);
		return r;
	}
	log_info("installed %zu kernel audit rules",
		 kernel_rules_count(k->krules));
	return 0;
}

/* Every harrier rule in the kernel but keep's (NULL: all). */
static int remove_kernel_rules(const struct kernel_rules *keep)
{
	unsigned int removed = 0;
	char *err = NULL;
	int r = kernel_rules_remove_except(keep, &removed, &err);

	if (r < 0) {
		log_error("cannot remove Harrier's kernel audit rules: %s",
			  err ? err : strerror(-r));
		free(err);
		return r;
	}
	if (removed > 0)
		log_info("removed %u kernel audit rules", removed);
	return 0;
}

int kaudit_start(struct kaudit *k)
{
	int r;

	if (!k->krules)
		return 0;
	/* Leftovers of a crashed run first, then ours. */
	r = remove_kernel_rules(NULL);
	if (r < 0)
		return r;
	return install_kernel_rules(k);
}

void kaudit_reload(struct kaudit *k, const struct config *c,
		   const struct engine *e)
{
	struct kernel_rules *kr;

	if (!k->krules)
		return;
	kr = build_kernel_rules(c, e);
	/* The new set first, then what only the old one had: no moment
	 * without rules. If the new set did not install whole, the old
	 * rules stay beside it until the stop. */
	if (!kr)
		return;
	kernel_rules_free(k->krules);
	k->krules = kr;
	if (install_kernel_rules(k) == 0)
		(void)remove_kernel_rules(kr);
}

void kaudit_stop(struct kaudit *k)
{
	if (k->krules && k->rules_installed)
		(void)remove_kernel_rules(NULL);
}

/* Someone changed the audit configuration: the observer sees every
 * CONFIG_CHANGE record; a removal of a harrier rule or audit being
 * disabled makes the next tick check and restore. The alert itself comes
 * from the shipped rules, which name who did it. */
void kaudit_observe(struct kaudit *k, const struct event *ev)
{
	const struct event_field *op, *key, *en;

	if (!ev->type_name || strcmp(ev->type_name, "CONFIG_CHANGE") != 0)
		return;
	op = event_field_get(ev, "op");
	key = event_field_get(ev, "key");
	en = event_field_get(ev, "audit_enabled");
	if ((op && key && key->value &&
	     strncmp(key->value, KERNEL_RULES_KEY_PREFIX,
		     strlen(KERNEL_RULES_KEY_PREFIX)) == 0) ||
	    (en && en->raw_value && strcmp(en->raw_value, "0") == 0))
		k->tamper_pending = true;
}

/* Someone ran "auditctl -e 0": as the audit daemon, switch audit back on
 * (the shipped rules raise the alert that says who); reading auditd's
 * multicast copy, audit is auditd's to manage: only say so. */
static void check_enabled(struct kaudit *k)
{
	struct kaudit_status s;
	int r;

	if (k->reader == KAUDIT_READER_OTHER || k->locked)
		return;
	if (kaudit_status_get(&s) < 0)
		return;
	if (s.enabled != 0) {
		k->disabled_warned = false;
		return;
	}
	if (k->reader != KAUDIT_READER_DAEMON) {
		if (!k->disabled_warned)
			log_warning("kernel audit was disabled (enabled 0): "
				    "no events until the audit daemon "
				    "enables it again");
		k->disabled_warned = true;
		return;
	}
	r = kaudit_status_set(1, KAUDIT_KEEP);
	if (r < 0)
		log_error("kernel audit was disabled and cannot be enabled "
			  "again: %s",
			  strerror(-r));
	else
		log_warning("kernel audit was disabled (enabled 0): enabled "
			    "it again");
}

void kaudit_check(struct kaudit *k)
{
	unsigned int missing = 0;
	char *err = NULL;
	int r;

	k->tamper_pending = false;
	check_enabled(k);
	if (!k->krules)
		return;
	r = kernel_rules_check(k->krules, &missing, &err);
	if (r < 0) {
		log_warning("cannot verify kernel audit rules: %s",
			    err ? err : strerror(-r));
		free(err);
		return;
	}
	if (missing == 0)
		return;
	log_warning("%u of Harrier's kernel audit rules were removed: "
		    "restoring them",
		    missing);
	(void)install_kernel_rules(k);
}

void kaudit_tick(struct kaudit *k)
{
	if (k->tamper_pending)
		kaudit_check(k);
}

/* Before the netlink source starts: learn the kernel settings to restore
 * at stop. Normally what the kernel has now; but when the state file of
 * a run that did not stop cleanly is there (its pid is gone), the values
 * it recorded, since the kernel still has the crashed run's. */
void kaudit_restore_prepare(struct kaudit *k)
{
	struct kaudit_status s;
	struct kstate_settings now;
	struct kstate_record file;
	int r;

	if (!k->kstate)
		return;
	if (kaudit_status_get(&s) < 0)
		return; /* not permitted: the source says why */
	now.enabled = s.enabled;
	now.backlog_limit = s.backlog_limit;
	r = kstate_prepare(k->kstate, &now, &file);
	if (r == -EINVAL || r == -EFBIG)
		log_warning("ignoring malformed %s", kstate_path(k->kstate));
	else if (r < 0)
		log_warning("ignoring %s: %s", kstate_path(k->kstate),
			    strerror(-r));
	else if (r == KSTATE_FROM_CRASH)
		log_warning("harrierd (pid %u) did not stop cleanly: kernel "
			    "audit will be restored to enabled %u, "
			    "backlog_limit %u at stop (now %u, %u)",
			    file.pid, file.saved.enabled,
			    file.saved.backlog_limit, s.enabled,
			    s.backlog_limit);
	/* KSTATE_OTHER_RUN: another harrierd runs (it holds the audit pid:
	 * we will read along in multicast mode and change nothing). */
}

/* Once registered as the audit daemon: record what to restore. */
void kaudit_source_started(struct kaudit *k, enum kaudit_reader reader,
			   bool locked)
{
	int r;

	k->reader = reader;
	k->locked = locked;
	if (!k->kstate || !kstate_known(k->kstate) ||
	    reader != KAUDIT_READER_DAEMON || locked)
		return;
	r = kstate_write(k->kstate, getpid());
	if (r < 0)
		log_warning("cannot write %s (%s): after a crash, the next "
			    "start cannot restore the kernel audit settings",
			    kstate_path(k->kstate), strerror(-r));
}

void kaudit_restore_finish(struct kaudit *k)
{
	struct kaudit_status s;
	struct kstate_settings now, set, orig;
	int r;

	if (!k->kstate)
		return;
	if (kaudit_status_get(&s) == 0) {
		now.enabled = s.enabled;
		now.backlog_limit = s.backlog_limit;
		if (kstate_restore_plan(k->kstate, &now, &set) &&
		    kstate_saved(k->kstate, &orig) == 0) {
			r = kaudit_status_set(set.enabled, set.backlog_limit);
			if (r < 0)
				log_error("cannot restore kernel audit "
					  "settings: %s",
					  strerror(-r));
			else
				log_info("restored kernel audit settings of "
					 "before the crashed run: enabled %u, "
					 "backlog_limit %u",
					 orig.enabled, orig.backlog_limit);
		}
	}
	r = kstate_remove(k->kstate);
	if (r < 0)
		log_warning("cannot remove %s: %s", kstate_path(k->kstate),
			    strerror(-r));
}
