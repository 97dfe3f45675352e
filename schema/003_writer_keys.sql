-- SPDX-License-Identifier: Apache-2.0
-- Harrier alert store, schema version 3: every row the daemon writes
-- carries its writer's run (a random id per harrierd/harrier process) and
-- its sequence number in that run. The unique index makes writing an
-- alert twice a no-op: after a fault whose outcome is unknown (a commit
-- cut short, a crash between the commit and the spool's bookkeeping)
-- the store writes the batch again, and every alert stays in once.
-- Rows from before this version have NULL there (NULLs never collide).
-- (Version 2, forensics, gave alerts their own key: time_ns,
-- audit_serial, rule, hostname; the writer's insert does nothing on a
-- conflict with either. Context rows, events and captures, are
-- idempotent by their own keys and carry no writer key.)

ALTER TABLE alerts ADD COLUMN writer_run INTEGER;
ALTER TABLE alerts ADD COLUMN writer_seq INTEGER;
CREATE UNIQUE INDEX alerts_writer ON alerts (writer_run, writer_seq);

PRAGMA user_version = 3;
