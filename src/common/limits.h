/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every bounded queue, table, cache and buffer in Harrier, with the reason
 * for its size and what happens on overflow. Nothing here may be exceeded
 * silently: the module that enforces a limit counts what it drops.
 */
#ifndef HARRIER_LIMITS_H
#define HARRIER_LIMITS_H

/* Longest audit record line accepted. The kernel caps a record at
 * MAX_AUDIT_MESSAGE_LENGTH (8970); auditd's enriched form may add the
 * interpreted fields. Longer lines are counted as malformed and skipped. */
#define HARRIER_MAX_RECORD_LEN 32768

/* Arguments kept per execve. The kernel splits huge argv across several
 * EXECVE records; past this we keep the first ones and mark truncation. */
#define HARRIER_MAX_ARGS 256

/* Bytes of a joined command line (proc.cmdline). Truncated beyond. */
#define HARRIER_MAX_CMDLINE 4096

/* PATH items kept per event. rename/link produce up to 5; more is odd. */
#define HARRIER_MAX_PATHS 16

/* Fields kept for a non-syscall record (USER_*, ANOM_*, ...). */
#define HARRIER_MAX_RECORD_FIELDS 64

/* Rate limit for warnings about malformed input: at most this many
 * messages per interval, then one summary of how many were suppressed. */
#define HARRIER_WARN_BURST 10
#define HARRIER_WARN_INTERVAL_SEC 10

/* Nesting depth of a rule condition (parentheses, not, macros). Deeper
 * conditions are rejected at load: evaluation recurses. */
#define HARRIER_MAX_COND_DEPTH 64

/* Items in one YAML list after expansion of nested lists. */
#define HARRIER_MAX_LIST_ITEMS 65536

/* Alerts waiting for the SQLite writer thread. When full, the producer
 * waits up to HARRIER_STORE_ENQUEUE_WAIT_MS (replay: indefinitely), then
 * counts the alert as dropped and says so. */
#define HARRIER_STORE_QUEUE_MAX 65536
#define HARRIER_STORE_ENQUEUE_WAIT_MS 2000

/* Alerts per SQLite transaction: large batches amortise fsync. */
#define HARRIER_STORE_BATCH_MAX 512

/* How long the writer waits for more alerts before committing a batch:
 * bounds alert-to-row latency. */
#define HARRIER_STORE_BATCH_WAIT_MS 50

/* busy_timeout for writers and readers of the store. */
#define HARRIER_STORE_BUSY_TIMEOUT_MS 5000

/* Raw records between the netlink reader thread and processing. When
 * full, the reader drops the record and counts it: it must never block. */
#define HARRIER_RECORD_QUEUE_MAX 65536

/* Processes tracked by the process table; least recently used evicted. */
#define HARRIER_PROCTABLE_MAX 65536

/* Containers whose metadata is cached. */
#define HARRIER_CONTAINER_CACHE_MAX 4096

/* uid -> user name cache entries. */
#define HARRIER_USER_CACHE_MAX 1024

#endif
