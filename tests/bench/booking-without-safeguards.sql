-- booking-without-safeguards.sql: an upper bound, not a proposal
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- regdesk-ctl bench booking --extra-sql tests/bench/booking-without-safeguards.sql
--
-- Takes away, in the bench's scratch database only, what the database
-- checks on a booking's and a 退号's writes beyond the api functions' own
-- rules: the hot tables' row rules, the row triggers that publish writes
-- made outside the api functions, and the (hospital_id, id) keys of
-- appointments and orders that the cold tables' foreign keys point at
-- (with those keys), with two indexes that only reports read. The storm's
-- throughput with all of it gone bounds what any leaner writing of the
-- same rules could reach on the same machine.

BEGIN;

-- Row rules (0016, 0024): one domain check per table and statement.
ALTER TABLE regdesk.slots DROP CONSTRAINT slots_row_check;
ALTER TABLE regdesk.appointments DROP CONSTRAINT appointments_row_check;
ALTER TABLE regdesk.orders DROP CONSTRAINT orders_row_check;
ALTER TABLE regdesk.sms_outbox DROP CONSTRAINT sms_outbox_row_check;
ALTER TABLE regdesk.audit_log DROP CONSTRAINT audit_log_action_check;

-- Row triggers that the hot path passes by (regdesk.row_events).
DROP TRIGGER slots_changed ON regdesk.slots;
DROP TRIGGER appointments_changed ON regdesk.appointments;
DROP TRIGGER sms_outbox_notify_insert ON regdesk.sms_outbox;
DROP TRIGGER orders_notify ON regdesk.orders;

-- The keys the cold tables' foreign keys point at (with those keys), and
-- the day's-orders and audit-period indexes.
ALTER TABLE regdesk.appointments DROP CONSTRAINT appointments_hospital_id_id_key CASCADE;
ALTER TABLE regdesk.orders DROP CONSTRAINT orders_hospital_id_id_key CASCADE;
DROP INDEX regdesk.orders_created_at_idx;
DROP INDEX regdesk.audit_log_at_brin;

COMMIT;
