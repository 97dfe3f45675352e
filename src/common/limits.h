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

/* Nesting of YAML collections in a rules or config file. Falco's rule
 * files nest 5 deep (exceptions' values); deeper input is refused before
 * it is loaded (common/yaml_depth.h: libyaml's cost grows with depth). */
#define HARRIER_MAX_YAML_DEPTH 64

/* Items in one YAML list after expansion of nested lists. */
#define HARRIER_MAX_LIST_ITEMS 65536

/* Transformers applied to one field (tolower(basename(fd.name)) is 2):
 * each needs a scratch buffer per evaluation; Falco's rules use one. */
#define HARRIER_MAX_XFORMS 4

/* Bytes of a regex pattern (regex operator). glibc compiles patterns to
 * automata whose size grows with the pattern; Falco's rules use <100. */
#define HARRIER_MAX_REGEX_LEN 1024

/* Product of a regex's counted repetitions (a{n,m}): RE2, Falco's
 * matcher, caps a repeat at 1000 and the program's size; glibc compiles
 * each repeat into a copy of the automaton. */
#define HARRIER_MAX_REGEX_REPEAT 1000

/* Items (alerts, and rows of other tables) waiting for the SQLite writer
 * thread. When full, the producer waits up to
 * HARRIER_STORE_ENQUEUE_WAIT_MS (replay: indefinitely; not at all while
 * the store is failing: the spool takes the overflow then), then counts
 * the item as dropped and says so. */
#define HARRIER_STORE_QUEUE_MAX 65536
#define HARRIER_STORE_ENQUEUE_WAIT_MS 2000

/* During a store fault, items beyond this many in memory go to the spool
 * file (store_output.spool_dir), oldest first: memory stays bounded and
 * they survive a restart. */
#define HARRIER_STORE_SPILL_AT 1024

/* Default cap of the spool file (store_output.spool_max). When the spool
 * is full too, the memory queue fills up to HARRIER_STORE_QUEUE_MAX and
 * then new items are dropped and counted. */
#define HARRIER_STORE_SPOOL_MAX_BYTES (256ULL * 1024 * 1024)

/* Items per SQLite transaction: large batches amortise fsync, and above
 * all the index pages a transaction dirties, each written to the WAL
 * (and later checkpointed) once per commit however many rows it got:
 * 4096 instead of 512 took a busy node's varied alerts from ~9,000 to
 * ~20,000 a second, 16384 instead of 4096 from ~24,000 to ~34,000 (and
 * 12,800 -> 22,600 over a store's first 500,000 alerts; the WAL's peak
 * 22 -> 32 MB); 32768 gained nothing more (bench/store_bench.c). Alike
 * alerts and a storm gain little. Only a backlog fills a batch: at a few
 * alerts a second each commit still comes HARRIER_STORE_BATCH_WAIT_MS
 * after its first; a full batch of varied alerts is ~0.5 s of writing. */
#define HARRIER_STORE_BATCH_MAX 16384

/* The writer's SQLite page cache (KiB): the index pages the inserts
 * touch stay in memory instead of being read back per row. At most this
 * much more RSS, only as the store grows. */
#define HARRIER_STORE_CACHE_KIB 16384

/* How long the writer waits for more alerts before committing a batch:
 * bounds alert-to-row latency. Fewer, larger transactions: 200 ms took
 * 7% less of the daemon's CPU than 50 ms at 900 alerts/s (bench/live). */
#define HARRIER_STORE_BATCH_WAIT_MS 200

/* Ancestors kept with each event in the capture window (pids, parent
 * first): a host capture takes the descendants of the alert process's
 * parent, found through these. Deeper nesting within one capture's
 * seconds is rare; a deeper descendant is missed, not misattributed. */
#define HARRIER_CAPTURE_ANCESTORS 8

/* Captures running at once. Each new event is matched against every one
 * and linked to those it belongs to. An alert past this (an alert storm)
 * gets no capture of its own (its captures row says so, and the ones
 * running hold the context); counted in the capture stats. */
#define HARRIER_CAPTURE_MAX_ACTIVE 256

/* Longest capture after an alert: a rule's capture_duration above this
 * is cut to it (an hour of a container's events is more than anyone reads
 * as one alert's context, and the window must end to be summed up). */
#define HARRIER_CAPTURE_MAX_DURATION_MS (3600 * 1000)

/* A capture ends this long after its window closed, so that events of
 * its window still on their way (netlink batching, the auparse ageing of
 * ~1 s) are in it. */
#define HARRIER_CAPTURE_END_GRACE_MS 2000

/* Events `harrier timeline` shows at most (it holds them to indent by
 * lineage); a longer range says so and shows the first ones. */
#define HARRIER_TIMELINE_MAX_EVENTS 200000

/* The page cache of the reader of `harrier alerts` (and timeline's alert
 * lookups), in pages. A query reads most pages once: a small cache that is
 * reused beats one that grows, since each new page of memory costs a page fault
 * (~15 us on the 2-vCPU VM, more than the pread of a cached page) and SQLite's
 * default (2 MB) is ~500 of them. `--file /etc/shadow` (1,016 of 1M rows) took
 * 29 ms with the default, 17 ms with 64 pages; the full scan did not slow down
 * (bench/forensics). 32 pages: the same preads (the table's and indexes' upper
 * levels stay), ~30 faults fewer, a 3,073-row glob 25.4-26.0 -> 24.5-25.2 ms.
 * Sorts spill past this much memory too, to memory (temp_store), and sort keys
 * only (see store_query.c), a few dozen bytes a row. Not for `harrier report`:
 * its groupings revisit pages (0.8 -> 1.0-1.3 s on 300k alerts). */
#define HARRIER_QUERY_CACHE_PAGES 32
/* harrier alerts: rows read by id (a filter of several index ranges)
 * are read this many a statement, their ids in a JSON array. */
#define HARRIER_QUERY_ROWS_BATCH 2048

/* busy_timeout for writers and readers of the store. */
#define HARRIER_STORE_BUSY_TIMEOUT_MS 5000

/* WAL upkeep: SQLite checkpoints (PASSIVE) once the WAL holds this many
 * pages (4 MiB at 4 KiB pages; a quarter of that took a third of the
 * store's throughput in checkpoints, bench/store.c), and truncates the
 * WAL to JOURNAL_SIZE_LIMIT after a checkpoint reset it: the store's disk
 * use follows its rows, also after a reader kept an old snapshot open and
 * the WAL grew meanwhile. */
#define HARRIER_STORE_WAL_AUTOCHECKPOINT 1000
#define HARRIER_STORE_JOURNAL_SIZE_LIMIT (4 * 1024 * 1024)

/* Retention (max_age, max_rows): rows are deleted in transactions of at
 * most PRUNE_BATCH (each holds the write lock for milliseconds), every
 * PRUNE_INTERVAL_MS and until done while the writer is idle, and up to
 * VACUUM_PAGES free pages are given back per step (incremental vacuum). */
#define HARRIER_STORE_PRUNE_BATCH 500
#define HARRIER_STORE_PRUNE_INTERVAL_MS 60000
#define HARRIER_STORE_VACUUM_PAGES 256

/* Fault reports (start, clear) not yet taken by the daemon's loop. More
 * are dropped (the counters still say it all). */
#define HARRIER_STORE_REPORTS 16

/* Notification outputs with a receiver (http, file, program): the lines
 * waiting for it are bounded by each output's queue_max (http_output:
 * 10000 by default); when full, the oldest waiting line is dropped and
 * counted. A failing receiver is retried after RETRY_MIN_MS, then twice
 * that, up to RETRY_MAX_MS; a flush at shutdown does not wait for it.
 * REPORTS: start/clear reports not yet logged by the daemon. */
#define HARRIER_OUTPUT_QUEUE_MAX 10000
#define HARRIER_OUTPUT_RETRY_MIN_MS 100
#define HARRIER_OUTPUT_RETRY_MAX_MS 2000
#define HARRIER_OUTQ_REPORTS 16

/* Per-rule rate limiting of the notification outputs: rules tracked at
 * once (each bucket is a few dozen bytes); further rules share one
 * bucket. */
#define HARRIER_OUTLIMIT_RULES 4096

/* Raw records between the netlink reader thread and processing. When
 * full, the reader drops the record and counts it: it must never block. */
#define HARRIER_RECORD_QUEUE_MAX 65536

/* Processes tracked by the process table; least recently used evicted. */
#define HARRIER_PROCTABLE_MAX 65536

/* Containers whose metadata is cached. */
#define HARRIER_CONTAINER_CACHE_MAX 4096

/* uid -> user name cache entries. */
#define HARRIER_USER_CACHE_MAX 1024

/* Largest container runtime state file read (OCI config.json, runc
 * state.json, docker config.v2.json). Real ones are 5-100 KiB; a bigger
 * file is skipped (fields stay unknown) so a hostile or corrupt file
 * cannot make the enricher allocate without bound. */
#define HARRIER_CONTAINER_STATE_MAX_BYTES (4 * 1024 * 1024)

/* Symlink resolution of paths (src/enrich/pathres.c): results cached by
 * (name, inode), direct-mapped, a colliding name replaces the slot (a
 * miss costs one readlinkat per component); symlinks learned from the
 * log's own symlink records, oldest forgotten first; links followed in
 * one walk before giving up (the kernel's own limit is 40). */
#define HARRIER_PATHRES_CACHE_MAX 4096
#define HARRIER_PATHRES_LINKS_MAX 4096
#define HARRIER_PATHRES_MAX_LINKS 40

/* The fd table (src/enrich/fdtable.c): fds known in all, and per
 * process (a process's least recently set fd goes first; past the total
 * a new fact is dropped and counted). A process's fds leave with it.
 * Entries are ~200 bytes: 65536 of them are ~13 MiB at worst. */
#define HARRIER_FDTABLE_MAX 65536
#define HARRIER_FDTABLE_PER_PROC 256

/* Largest /proc/PID/net/{tcp,udp,unix,...} read to find a socket's
 * addresses by inode (about 150 bytes a socket: 4 MiB is ~27000
 * sockets); a socket past it stays of unknown address. */
#define HARRIER_PROC_NET_MAX_BYTES (4 * 1024 * 1024)

/* Bytes of /proc/PID/environ kept for proc.env (read when a rule asks,
 * once per exec). A longer environment is cut there. */
#define HARRIER_PROC_ENV_MAX (32 * 1024)

/* Domain names from rules (fd.sip.name = NAME) resolved in the
 * background (src/common/resolver.c): at most this many names, each with
 * at most this many addresses kept, refreshed every REFRESH_S seconds.
 * A name past the bound is never resolved (the rule compiles; it does
 * not match by that name). */
#define HARRIER_RESOLVER_MAX_NAMES 256
#define HARRIER_RESOLVER_MAX_ADDRS 16
#define HARRIER_RESOLVER_REFRESH_S 600

/* Mounts kept per container (container.mounts, container.mount.*); past
 * it the rest are not shown. Kubernetes pods have tens. */
#define HARRIER_CONTAINER_MOUNTS_MAX 256

/* Runtime states read when looking for the container whose init a gone
 * process was (container_find_init: only for a runtime's init that
 * exec'd and exited before its cgroup was read). A node runs at most a
 * few hundred containers; past this the process stays unattributed. */
#define HARRIER_CONTAINER_INIT_SCAN_MAX 1024

/* Longest container name, image, pod name/namespace/uid kept from runtime
 * state (Kubernetes names are at most 253, image references about 300).
 * A longer value is ignored (the field stays unknown). */
#define HARRIER_CONTAINER_FIELD_MAX 1024

/* A container seen before its runtime wrote its state (runc writes
 * state.json just after the process starts): metadata is read again on a
 * later lookup at most every RETRY_MS, at most RETRY_MAX times, then the
 * unknown fields stay unknown until the entry is evicted. */
#define HARRIER_CONTAINER_RETRY_MS 500
#define HARRIER_CONTAINER_RETRY_MAX 10

/* Bytes read from one /proc/PID file (stat, status, cgroup). cgroup files
 * with nested runc paths on hybrid hierarchies stay well below this;
 * longer text is truncated and parsed as far as it is whole. */
#define HARRIER_PROC_FILE_MAX 16384

/* How long an exited process stays in the process table so that late
 * events and children started just before the exit are still attributed.
 * Dead entries are evicted after this, or first when the table is full. */
#define HARRIER_PROCTABLE_DEAD_GRACE_MS 5000

/* A store batch that fails is rolled back and retried. Replay (which
 * can run again) tries RETRY_MAX times, waiting RETRY_BACKOFF_MS, then
 * twice that, ..., then counts the batch as dropped. The daemon never
 * gives up: it retries with the same doubling backoff up to
 * RETRY_MAX_WAIT_MS (store_output.retry_interval) between tries for as
 * long as the fault lasts, keeping the items meanwhile. */
#define HARRIER_STORE_RETRY_MAX 5
#define HARRIER_STORE_RETRY_BACKOFF_MS 200
#define HARRIER_STORE_RETRY_MAX_WAIT_MS 2000

/* Ancestors walked for proc.aname / proc.apid / proc.aexe without [N]
 * (any ancestor matches). Real process trees are a few tens deep; the
 * bound also stops a walk that pid reuse turned into a loop. */
#define HARRIER_MAX_ANCESTORS 64

/* Bytes of decoded argv kept per event (EXECVE or PROCTITLE). One argument
 * may be up to 128 KiB (MAX_ARG_STRLEN) and an event can carry many EXECVE
 * records; past this the assembler stops adding arguments and sets
 * argv_truncated. Rules look at the start of a command line. */
#define HARRIER_MAX_ARGV_BYTES (256 * 1024)

/* Largest rules file read. Falco's full default rule set is ~200 KiB;
 * libyaml's document tree costs several times the file size, so a bigger
 * file is refused (-EFBIG) rather than parsed. */
#define HARRIER_MAX_RULES_FILE_BYTES (16 * 1024 * 1024)

/* Records in one event (a 2 MiB argv is about 260 EXECVE records). Past
 * it the assembler flushes auparse (every open event is delivered as it
 * stands) so that a hostile log cannot grow one event without bound. The
 * number of open events is bounded by HARRIER_EOE_DISTANCE below. */
#define HARRIER_MAX_EVENT_RECORDS 4096

/* auditd's log files carry no EOE records, so auparse would keep every
 * event open until 2 s of event time passed, scanning all open events for
 * each record (quadratic in the event rate: half of replay's time). So
 * the assembler ends a syscall event with an EOE at its PROCTITLE (the
 * kernel's last record), and an event without a SYSCALL record (complete
 * as it comes) once this many newer events have begun; in a log without
 * PROCTITLE records every event goes by this distance. Live netlink
 * input has the kernel's own EOE records. */
#define HARRIER_EOE_DISTANCE 32

/* A syscall event is complete with its PROCTITLE record: until then it
 * stays open (records of as many events as the machine has CPUs
 * interleave), up to this many open events; past it the oldest is ended
 * as it stands and counted (assembler_stats.closed_early). auparse scans
 * the open events for each record: the bound also bounds that cost. */
#define HARRIER_ASM_MAX_OPEN 1024

/* ... and a syscall event whose PROCTITLE has not come after this much
 * newer event time (ms) is ended then (its records were lost or filtered
 * out): concurrent events interleave within a few ms. Counted as closed
 * early too. Without it such events would stay open, each making
 * auparse's per-record scan longer. */
#define HARRIER_ASM_WAIT_MS 100

/* Largest kernel audit settings restore file (/run/harrier/kernel-state)
 * read. The daemon writes about 80 bytes; a bigger file is not ours and
 * is ignored as malformed (-EFBIG). */
#define HARRIER_KSTATE_MAX_BYTES 512

/* Container roots harrierd extends its rules to. A root costs no kernel
 * rule: it joins its directories to the host's dir= trees and to the
 * anchor trees of the path= rules (auditctl -M; a chunk per directory in
 * the kernel, nothing per syscall). Without anchors (never in harrierd)
 * a root got a watch per path= rule, which is what the fallback beyond
 * this bound was for: the path= filters dropped for everyone (those
 * syscalls then filtered by permission and outcome only). Measured in
 * bench/README (50 roots: no rule more). */
#define HARRIER_KAUDIT_MAX_ROOTS 1024
/* How often running processes are scanned for container roots harrierd
 * has not seen start (and for roots no process uses any more), and how
 * long a root found before its first process may wait for one. */
#define HARRIER_KAUDIT_ROOT_SCAN_MS 5000
#define HARRIER_KAUDIT_ROOT_GRACE_MS 60000

#endif
