/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The rules engine: loads Falco-syntax YAML rule files (rule, macro, list,
 * required_engine_version, override/append), compiles every condition once,
 * and evaluates events against only the rules whose evt.type set can match.
 * Load errors go to a struct diag as file:line:col; the engine never
 * prints. Usage: engine_new, engine_load_file... , engine_compile, then
 * engine_eval per event. A failed load/compile leaves the engine unusable:
 * reload builds a new engine and swaps only on success.
 */
#ifndef HARRIER_ENGINE_H
#define HARRIER_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/alert.h"
#include "common/diag.h"
#include "common/event.h"

/* The Falco engine version whose rules language Harrier implements:
 * Falco's required_engine_version is compared with it (a newer
 * requirement loads with a warning), and `harrier --version` prints it.
 * 0.57.0 is the language of falcosecurity/libs 0.22 (operators up to
 * regex, iglob, bcontains, bstartswith; transformers tolower, toupper,
 * b64, basename, len; val()), which falcosecurity/rules require. */
#define ENGINE_FALCO_VERSION_MAJOR 0
#define ENGINE_FALCO_VERSION_MINOR 57
#define ENGINE_FALCO_VERSION_PATCH 0
#define ENGINE_FALCO_VERSION "0.57.0"

struct engine;

struct engine *engine_new(void);
void engine_free(struct engine *e);

/* Hostname put into alerts (default: gethostname()). */
int engine_set_hostname(struct engine *e, const char *hostname);
/* Rules below this priority are not loaded (Falco's -o priority). */
void engine_set_min_priority(struct engine *e, enum alert_priority p);
/* rules_strict: an enabled rule that needs a field, operator or event
 * audit data cannot give fails the load instead of being skipped with a
 * warning (Falco's strictness). */
void engine_set_strict(struct engine *e, bool strict);

/* Parse one rules file / buffer and add its items. Returns 0, or -EINVAL
 * with every problem in d, or -errno when the file cannot be read. */
int engine_load_file(struct engine *e, const char *path, struct diag *d);
int engine_load_buffer(struct engine *e, const char *name, const char *data,
		       size_t len, struct diag *d);

/* Resolve lists and macros and compile every rule (disabled ones too, so
 * that their errors are found). A rule that needs what audit data cannot
 * give is skipped (engine_rule_info.skip_reason) with one warning; with
 * engine_set_strict that is an error. Errors name the macro holding the
 * problem and the rules using it. Returns 0 or -EINVAL with every
 * problem in d; d's items are then in file order (files in load order,
 * then line, then column). */
int engine_compile(struct engine *e, struct diag *d);

/* Called per matching rule with an owned alert (the callee frees it). */
typedef void (*engine_alert_cb)(struct alert *a, void *userdata);

/* Evaluate ev; returns the number of alerts raised, or -ENOMEM. */
int engine_eval(struct engine *e, const struct event *ev, engine_alert_cb cb,
		void *userdata);

/* Introspection for `harrier rules list` and the kernel rule generator. */
struct engine_rule_info {
	const char *name;
	const char *desc;
	const char *condition; /* as written, after append/override */
	enum alert_priority priority;
	bool enabled;
	const char *const *tags;
	size_t ntags;
	const char *file;
	unsigned int line;
	/* compiled, but not evaluated: needs what audit data cannot give */
	bool skipped;
	const char *skip_reason; /* NULL unless skipped */
	/* Falco's capture keys (the forensics window): capture_duration_ms
	 * is 0 when the rule does not set it */
	bool capture;
	uint64_t capture_duration_ms;
};
size_t engine_rule_count(const struct engine *e);
int engine_rule_get(const struct engine *e, size_t i,
		    struct engine_rule_info *ret);

/* The event types (syscall names as libaudit spells them, or audit record
 * type names for non-syscall events) that the enabled rules can match.
 * Calls cb once per distinct name. *ret_any is set to true when some rule
 * has no evt.type restriction (could match every event). */
void engine_event_types(const struct engine *e,
			void (*cb)(const char *type, void *userdata),
			void *userdata, bool *ret_any);

/* May some enabled rule that can see an event of the syscall type
 * (libaudit spelling) match one where the syscall failed? False only when
 * each such rule (those naming type in evt.type, and those with no
 * evt.type restriction) has a condition that implies success (see
 * cond_implies_success in cond.h for the accepted forms): then the kernel
 * need only audit the syscall's successful calls. True before
 * engine_compile succeeded. */
bool engine_type_may_fail(const struct engine *e, const char *type);

/* Does every enabled rule that can see a syscall event of type require
 * one of the audit keys in keys (a top-level "audit.key = K" or
 * "audit.key in (...)" conjunct, every K among keys)? Then the kernel
 * rules that carry those keys already send every event such a rule can
 * match, and the type needs no kernel rule of its own. False when no rule
 * sees the type, and before engine_compile succeeded. */
bool engine_type_needs_key(const struct engine *e, const char *type,
			   const char *const *keys, size_t nkeys);

/* Every field the engine knows, for `harrier fields`. */
struct engine_field_info {
	const char *name;
	const char *type; /* "string", "number", "bool", "ipaddr", ... */
	const char *desc;
	/* NULL when Harrier gives the field; else why it cannot (a Falco
	 * field that audit data lacks, or that Harrier does not give yet):
	 * a rule whose condition needs it is skipped with this reason. */
	const char *unavailable;
};
size_t engine_field_count(void);
const struct engine_field_info *engine_field_get(size_t i);

/* The Falco rules-engine version this engine implements (Falco's
 * numbering, as rule files give it in required_engine_version). */
const char *engine_version(void);

#endif
