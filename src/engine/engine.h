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

#include "common/alert.h"
#include "common/diag.h"
#include "common/event.h"

struct engine;

struct engine *engine_new(void);
void engine_free(struct engine *e);

/* Hostname put into alerts (default: gethostname()). */
int engine_set_hostname(struct engine *e, const char *hostname);
/* Rules below this priority are not loaded (Falco's -o priority). */
void engine_set_min_priority(struct engine *e, enum alert_priority p);

/* Parse one rules file / buffer and add its items. Returns 0, or -EINVAL
 * with every problem in d, or -errno when the file cannot be read. */
int engine_load_file(struct engine *e, const char *path, struct diag *d);
int engine_load_buffer(struct engine *e, const char *name, const char *data,
		       size_t len, struct diag *d);

/* Resolve lists, macros, appends/overrides and compile every enabled
 * rule. Returns 0 or -EINVAL with every problem in d. */
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
	bool capture;			/* capture: true */
	uint32_t capture_duration_ms;	/* capture_duration; 0 = default */
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

/* Every field the engine knows, for `harrier fields`. */
struct engine_field_info {
	const char *name;
	const char *type; /* "string", "number", "bool", "ipaddr", ... */
	const char *desc;
};
size_t engine_field_count(void);
const struct engine_field_info *engine_field_get(size_t i);

#endif
