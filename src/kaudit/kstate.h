/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The daemon's kernel audit settings restore file. What daemon mode changes
 * in the kernel (enabled flag, backlog limit) is recorded at start and the
 * file removed at a clean stop; after kill -9 the next run finds it and
 * restores the values from before the crashed run. Pure file and decision
 * logic: it never talks to the kernel (the caller reads and sets the
 * settings) and never logs. Not thread-safe.
 */
#ifndef HARRIER_KAUDIT_KSTATE_H
#define HARRIER_KAUDIT_KSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The settings restored. In a restore plan a member may be KSTATE_KEEP:
 * leave that value alone (the same value as KAUDIT_KEEP, so a plan
 * passes straight to kaudit_status_set). */
#define KSTATE_KEEP UINT32_MAX
struct kstate_settings {
	uint32_t enabled; /* 0 or 1 */
	uint32_t backlog_limit; /* > 0 */
};

/* One parsed state file: who wrote it and what it says to restore. */
struct kstate_record {
	uint32_t pid; /* 1 .. INT32_MAX */
	struct kstate_settings saved;
	/* Optional (files of older versions lack them): the settings the
	 * run put in the kernel, and the boot it ran in (/proc/stat btime,
	 * seconds since the epoch). */
	bool has_applied, has_boot_time;
	struct kstate_settings applied;
	uint32_t boot_time;
};

/* Parse a state file's text (len bytes, need not be NUL-terminated):
 * lines "pid=N", "enabled=N", "backlog_limit=N", optionally
 * "applied_enabled=N" with "applied_backlog_limit=N" and "boot_time=N",
 * blank lines and "#" comments; other "name=value" lines are ignored (a newer version's keys).
 * Numbers are plain decimal digits. Returns 0 and writes *ret, -EFBIG if
 * len >= HARRIER_KSTATE_MAX_BYTES, or -EINVAL: a line that is not
 * "name=value", a NUL byte, a key missing or repeated, a number out of
 * bounds (pid 0 or > INT32_MAX, enabled > 1, backlog_limit 0). */
int kstate_parse(const char *text, size_t len, struct kstate_record *ret);

/* Read and parse the file at path (a symlink is refused, ELOOP). Returns
 * 0 and writes *ret, -ENOENT (no file), the errors of kstate_parse, or
 * another -errno. */
int kstate_read(const char *path, struct kstate_record *ret);

/* Whether pid is a process other than the caller that still exists
 * (kill(pid, 0) succeeds or fails with anything but ESRCH). */
bool kstate_pid_alive(pid_t pid);

struct kstate;

/* path (copied) is the state file; its directory is created by
 * kstate_write if missing. Returns NULL on allocation failure. */
struct kstate *kstate_new(const char *path);
void kstate_free(struct kstate *ks);
const char *kstate_path(const struct kstate *ks);

enum kstate_origin {
	/* No file: restore what the kernel has now. */
	KSTATE_FROM_KERNEL = 0,
	/* The file of a run whose pid is gone (or is our own pid): the
	 * kernel still has that run's settings; restore the recorded ones. */
	KSTATE_FROM_CRASH,
	/* A live process wrote the file: it holds the audit pid and will
	 * restore; this run must change and record nothing. */
	KSTATE_OTHER_RUN,
	/* The file of a run that is gone, but not what the kernel has now:
	 * it is from an earlier boot, or the kernel's settings were changed
	 * since that run set them (an administrator, a reboot, another
	 * tool). Restoring it would undo that change: ignored, and what the
	 * kernel has now is restored, as for FROM_KERNEL. */
	KSTATE_STALE,
};

/* At start, before the source changes anything: decide what to restore at
 * stop from the kernel's settings now and the file. Returns an origin
 * (>= 0), writing *ret_file (may be NULL) for FROM_CRASH and OTHER_RUN;
 * or, when the file exists but is unusable, the -errno of kstate_read
 * (-EINVAL/-EFBIG: malformed), in which case the file is ignored and the
 * kernel's settings now are what will be restored, as for FROM_KERNEL. */
int kstate_prepare(struct kstate *ks, const struct kstate_settings *now,
		   struct kstate_record *ret_file);

/* True after kstate_prepare with any result but OTHER_RUN: the settings
 * to restore are known (kstate_saved) and may be recorded. */
bool kstate_known(const struct kstate *ks);

/* The settings to restore at stop. 0, or -ENODATA if not known. */
int kstate_saved(const struct kstate *ks, struct kstate_settings *ret);

/* The settings this run put in the kernel (read back once the source
 * changed them), written with the file so that a later run can tell a
 * crashed run's file from a stale one. */
void kstate_set_applied(struct kstate *ks, const struct kstate_settings *a);

/* This boot's start (/proc/stat btime), 0 if unknown. */
uint32_t kstate_boot_time(void);

/* Record the settings to restore, with pid as the owner, in the file:
 * written to "<path>.tmp" and renamed, so a crash never leaves half a
 * file. Returns 0, -ENODATA if not known, or -errno (the file is then
 * left as it was). */
int kstate_write(struct kstate *ks, pid_t pid);

/* At stop, with the kernel's settings now: what to set so the kernel is
 * as before a crashed run. Only after a successful kstate_write whose
 * values came from a crashed run's file; an enabled of 2 (locked) is
 * never touched. Returns true and writes *ret (KSTATE_KEEP for a value
 * already right) when something must be set; false otherwise. */
bool kstate_restore_plan(const struct kstate *ks,
			 const struct kstate_settings *now,
			 struct kstate_settings *ret);

/* At a clean stop: remove the file this run wrote. 0 if removed, already
 * gone or never written by us, or -errno. */
int kstate_remove(struct kstate *ks);

#endif
