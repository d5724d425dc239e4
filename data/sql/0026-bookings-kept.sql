-- 0026-bookings-kept.sql: appointments and orders are kept; a booking checks
-- no foreign key
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- As patients' records since 0023: an appointment and an order are records
-- of what the desk did, never deleted, and what they belong to never
-- changes. So they refuse DELETE, TRUNCATE and a change of their keys: an
-- appointment of its id, hospital, session and slot; an order of its id,
-- hospital and appointment. A slot that an appointment names cannot be
-- deleted, nor moved to another session or hospital (and with it the
-- session it is in, whose deletion takes its slots). The two foreign keys
-- that a booking checked, appointments (hospital_id, session_id, slot_id)
-- to slots and orders (hospital_id, appointment_id) to appointments, then
-- guard nothing that can still happen to the rows they point at, and go,
-- with the slots' (hospital_id, session_id, id) key that only the first
-- used.
--
-- What the keys still did was check, with every booking, that the rows
-- just written agreed: a query per key, a row lock (FOR KEY SHARE, a WAL
-- record each) on the slot and on the new appointment, and an index entry
-- for the slot's key each time a booking or a 退号 rewrote the slot. Both
-- rows are written only by regdesk.book_internal(), in one statement: the
-- appointment with the slot it has just locked in the session it read, in
-- the booking's hospital (a slot's own key names its session and
-- hospital), and the order with that appointment.
--
-- The refusals of a key change are AFTER UPDATE OF triggers, not BEFORE
-- ones: a BEFORE UPDATE row trigger makes every update fetch and lock its
-- row first, and the hot paths update appointments, orders and slots; an
-- AFTER UPDATE OF trigger is queued only when a statement sets one of its
-- columns, which no api function does. (Patients' stays a BEFORE trigger:
-- a booking does not update the patient.)
--
-- callgrind (tests/bench/callgrind-booking.sh): a booking 2.30 to 2.19
-- million instructions, a 退号 1.79 to 1.76 million.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- One refusal for every kept record, patients' too (0023's
-- regdesk.patients_refuse() goes): TG_ARGV[0] says what is kept, the other
-- arguments name the columns that may not change.
CREATE FUNCTION regdesk.record_kept ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  k text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    FOREACH k IN ARRAY TG_ARGV[1:] LOOP
      IF to_jsonb(OLD) -> k IS DISTINCT FROM to_jsonb(NEW) -> k THEN
        RAISE EXCEPTION '% (% of % refused)', TG_ARGV[0], TG_OP, k
          USING ERRCODE = 'insufficient_privilege';
      END IF;
    END LOOP;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% (% refused)', TG_ARGV[0], TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

-- A slot that no appointment names may still go, or move (a roster
-- changed before anyone booked).
CREATE FUNCTION regdesk.slots_refuse ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM regdesk.appointments) THEN
      RAISE EXCEPTION 'slots that appointments name are kept (TRUNCATE refused)'
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.hospital_id = NEW.hospital_id
     AND OLD.session_id = NEW.session_id THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM regdesk.appointments a
              WHERE a.session_id = OLD.session_id AND a.slot_id = OLD.id) THEN
    RAISE EXCEPTION 'slot % is named by an appointment and stays in its session (% refused)',
      OLD.seq, TG_OP USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN OLD;
END
$$;

REVOKE ALL ON FUNCTION regdesk.record_kept (), regdesk.slots_refuse () FROM PUBLIC;

DROP TRIGGER patients_kept ON regdesk.patients;
DROP TRIGGER patients_no_truncate ON regdesk.patients;
DROP FUNCTION regdesk.patients_refuse ();

DO $triggers$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES
      ('patients', 'BEFORE', 'patient records are kept and keep their number',
       ARRAY['id', 'hospital_id']),
      ('appointments', 'AFTER', 'appointments are kept, in their session and slot',
       ARRAY['id', 'hospital_id', 'session_id', 'slot_id']),
      ('orders', 'AFTER', 'orders are kept, with their appointment',
       ARRAY['id', 'hospital_id', 'appointment_id'])) AS x (tab, timing, says, keys)
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON regdesk.%I FOR EACH ROW '
                   'EXECUTE FUNCTION regdesk.record_kept(%L)', t.tab || '_kept', t.tab, t.says);
    EXECUTE format('CREATE TRIGGER %I %s UPDATE OF %s ON regdesk.%I FOR EACH ROW '
                   'EXECUTE FUNCTION regdesk.record_kept(%L, %s)',
                   t.tab || '_keys_kept', t.timing,
                   (SELECT string_agg(quote_ident(k), ', ') FROM unnest(t.keys) k), t.tab,
                   t.says, (SELECT string_agg(quote_literal(k), ', ') FROM unnest(t.keys) k));
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON regdesk.%I FOR EACH STATEMENT '
                   'EXECUTE FUNCTION regdesk.record_kept(%L)', t.tab || '_no_truncate', t.tab,
                   t.says);
  END LOOP;
END
$triggers$;

CREATE TRIGGER slots_kept BEFORE DELETE ON regdesk.slots
  FOR EACH ROW EXECUTE FUNCTION regdesk.slots_refuse();
CREATE TRIGGER slots_keys_kept AFTER UPDATE OF id, hospital_id, session_id ON regdesk.slots
  FOR EACH ROW EXECUTE FUNCTION regdesk.slots_refuse();
CREATE TRIGGER slots_no_truncate BEFORE TRUNCATE ON regdesk.slots
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.slots_refuse();

ALTER TABLE regdesk.appointments
  DROP CONSTRAINT appointments_hospital_id_session_id_slot_id_fkey;
ALTER TABLE regdesk.orders DROP CONSTRAINT orders_hospital_id_appointment_id_fkey;
ALTER TABLE regdesk.slots DROP CONSTRAINT slots_hospital_id_session_id_id_key;
