-- SPDX-License-Identifier: Apache-2.0
-- Harrier alert store, schema version 4: write speed. Schema 2's
-- triggers kept the containers, rule_tagsets and rule_tags tables for
-- every row inserted into alerts and events: a statement journal, a
-- JSON parse of the tags array and a lookup per row, about 2 us each of
-- the ~20 us an alert costs. The writer (harrierd, harrier replay) keeps
-- these tables itself now, with prepared statements, and only when it
-- sees a (name, id) or a (rule, tags) pair for the first time since it
-- opened the store. A row inserted by hand into alerts or events does
-- not reach them any more: `harrier alerts --container NAME` and `--tag`
-- find what harrier wrote (until version 3 the triggers kept them
-- whoever wrote: nothing to catch up here). After adding rows by hand,
-- schema/002_forensics.sql's INSERT OR IGNORE ... SELECT statements
-- bring the tables up to date.
-- Tables, columns and indexes are unchanged: every query keeps working.

DROP TRIGGER IF EXISTS alerts_containers;
DROP TRIGGER IF EXISTS alerts_rule_tags;
DROP TRIGGER IF EXISTS events_containers;

PRAGMA user_version = 4;
