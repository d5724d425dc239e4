-- 0022-outbox-hospital-key.sql: the SMS outbox without a key to its hospital's row
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Every booking writes an outbox row, and the row's foreign key to
-- hospitals made every booking lock its hospital's one row (FOR KEY
-- SHARE) until it committed. Many desks booking at once share that lock,
-- and PostgreSQL keeps a shared row lock as a multixact: a new one for
-- nearly every booking (pg_waldump over a storm: 0.76 MultiXact/CREATE_ID
-- records a booking or 退号), each written to pg_multixact and WAL, all
-- to be frozen by vacuum later. The key guarded nothing else: a hospital
-- that has outbox rows has patients and sessions, whose own keys keep its
-- row, and every writer of the outbox takes the hospital id from a row of
-- that hospital. The column stays, NOT NULL, for sharding by hospital.
--
-- callgrind (tests/bench/callgrind-booking.sh), this and 0021's plain
-- insert of the booking's SMS row together: a booking 2.46 to 2.41 million
-- instructions.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

ALTER TABLE regdesk.sms_outbox DROP CONSTRAINT sms_outbox_hospital_id_fkey;
