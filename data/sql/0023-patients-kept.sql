-- 0023-patients-kept.sql: patient records are kept; bookings no longer lock them
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- A patient's record is never deleted (outpatient records are kept for
-- years by law) and its key never changes: patients now refuse DELETE,
-- TRUNCATE and a change of id or hospital_id, as the audit log refuses
-- changes. An appointment's and an order's patient can then no longer go
-- away, and the two foreign keys to patients, appointments (hospital_id,
-- patient_id) and orders (hospital_id, patient_id), go. What they still
-- did was take a row lock on the patient (FOR KEY SHARE) with every
-- booking: a WAL record, and after each checkpoint a full image of the
-- patient's page, for a random page of the patients table each time (a
-- booking storm's full-page images were mostly these, 18 % of its WAL),
-- and two checks of 44 000 instructions each. Both rows are written only
-- by regdesk.book_internal(), which reads the patient, in the booking's
-- hospital, in the same transaction and refuses a missing one (RD208).
-- The waiting list and lottery requests keep their keys to patients.
--
-- callgrind (tests/bench/callgrind-booking.sh): a booking 2.41 to 2.32
-- million instructions.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE FUNCTION regdesk.patients_refuse ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.hospital_id = NEW.hospital_id THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'patient records are kept and keep their number (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER patients_kept BEFORE DELETE OR UPDATE OF id, hospital_id ON regdesk.patients
  FOR EACH ROW EXECUTE FUNCTION regdesk.patients_refuse();
CREATE TRIGGER patients_no_truncate BEFORE TRUNCATE ON regdesk.patients
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.patients_refuse();

ALTER TABLE regdesk.appointments DROP CONSTRAINT appointments_hospital_id_patient_id_fkey;
ALTER TABLE regdesk.orders DROP CONSTRAINT orders_hospital_id_patient_id_fkey;
