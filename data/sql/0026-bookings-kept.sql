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
-- The refusals are AFTER UPDATE OF triggers, not BEFORE ones: a BEFORE
-- UPDATE row trigger makes every update fetch and lock its row first, and
-- the hot paths update appointments and slots; an AFTER UPDATE OF trigger
-- is queued only when a statement sets one of its columns, which no api
-- function does.
--
-- callgrind (tests/bench/callgrind-booking.sh): a booking 2.30 to 2.19
-- million instructions, a 退号 1.79 to 1.76 million.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE FUNCTION regdesk.appointments_refuse ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.hospital_id = NEW.hospital_id
     AND OLD.session_id = NEW.session_id AND OLD.slot_id = NEW.slot_id THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'appointments are kept, in their session and slot (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE FUNCTION regdesk.orders_refuse ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.hospital_id = NEW.hospital_id
     AND OLD.appointment_id = NEW.appointment_id THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'orders are kept, with their appointment (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
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

REVOKE ALL ON FUNCTION regdesk.appointments_refuse (), regdesk.orders_refuse (),
                       regdesk.slots_refuse ()
  FROM PUBLIC;

CREATE TRIGGER appointments_kept BEFORE DELETE ON regdesk.appointments
  FOR EACH ROW EXECUTE FUNCTION regdesk.appointments_refuse();
CREATE TRIGGER appointments_keys_kept AFTER UPDATE OF id, hospital_id, session_id, slot_id
  ON regdesk.appointments
  FOR EACH ROW EXECUTE FUNCTION regdesk.appointments_refuse();
CREATE TRIGGER appointments_no_truncate BEFORE TRUNCATE ON regdesk.appointments
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.appointments_refuse();

CREATE TRIGGER orders_kept BEFORE DELETE ON regdesk.orders
  FOR EACH ROW EXECUTE FUNCTION regdesk.orders_refuse();
CREATE TRIGGER orders_keys_kept AFTER UPDATE OF id, hospital_id, appointment_id
  ON regdesk.orders
  FOR EACH ROW EXECUTE FUNCTION regdesk.orders_refuse();
CREATE TRIGGER orders_no_truncate BEFORE TRUNCATE ON regdesk.orders
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.orders_refuse();

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
