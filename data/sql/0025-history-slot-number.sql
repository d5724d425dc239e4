-- 0025-history-slot-number.sql: a patient's history gives each booking's number
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- The number a booking takes is its slot's sequence number: the desk says
-- it when it books, the SMS and the slip print it ("No. 7"). The queue
-- number is another one, handed out at check-in in the order patients
-- arrive. api.patient_history (0004) returned only the queue number, so
-- the patient panel could not show the number on the patient's slip. It
-- now returns the slot's number as well, as its last column, slot_seq.
-- Its other columns are unchanged; a new column in a function's result
-- means the function is made again, with its grants.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

DROP FUNCTION api.patient_history (bigint, int);

-- Upcoming: the appointment is still live (waiting for payment, booked or
-- checked in) and its slot has not ended. Upcoming rows come first, soonest
-- first; then the past, newest first.
CREATE FUNCTION api.patient_history (patient_id bigint, max_rows int DEFAULT 100)
RETURNS TABLE (id              bigint,
               session_id      bigint,
               date            text,
               period          text,
               starts_at       text,
               ends_at         text,
               department_name text,
               doctor_name     text,
               doctor_title    text,
               clinic_type     text,
               channel         text,
               status          text,
               queue_no        int,
               order_id        bigint,
               order_no        text,
               order_status    text,
               amount          bigint,
               upcoming        boolean,
               slot_seq        int)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_hid bigint;
  v_tz text;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin');
  v_hid := regdesk.patient_hospital(patient_history.patient_id);
  SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = v_hid;
  RETURN QUERY
    SELECT a.id, s.id, regdesk.date_text(s.date), s.period,
           to_char(sl.starts_at AT TIME ZONE v_tz, 'HH24:MI'),
           to_char(sl.ends_at AT TIME ZONE v_tz, 'HH24:MI'),
           dep.name, doc.name, doc.title, s.clinic_type, a.channel, a.status, a.queue_no,
           o.id, o.order_no, o.status, o.amount, x.upcoming, sl.seq
      FROM regdesk.appointments a
      JOIN regdesk.sessions s ON s.id = a.session_id
      JOIN regdesk.slots sl ON sl.id = a.slot_id
      JOIN regdesk.departments dep ON dep.id = s.department_id
      JOIN regdesk.doctors doc ON doc.id = s.doctor_id
      LEFT JOIN LATERAL (SELECT y.id, y.order_no, y.status, y.amount
                           FROM regdesk.orders y
                          WHERE y.appointment_id = a.id
                          ORDER BY y.id DESC
                          LIMIT 1) o ON true
      CROSS JOIN LATERAL (SELECT a.status IN ('pending_payment', 'booked', 'checked_in')
                                 AND sl.ends_at > now() AS upcoming) x
     WHERE a.hospital_id = v_hid AND a.patient_id = patient_history.patient_id
     ORDER BY x.upcoming DESC,
              CASE WHEN x.upcoming THEN sl.starts_at END ASC,
              sl.starts_at DESC, a.id DESC
     LIMIT least(greatest(coalesce(patient_history.max_rows, 100), 1), 500);
END
$$;
COMMENT ON FUNCTION api.patient_history (bigint, int) IS
  'A patient''s appointments with their session, slot time (hospital time, HH:MM), '
  'department, doctor and order: upcoming ones first (soonest first), then the past '
  '(newest first). slot_seq is the booking''s number (the slot''s); queue_no the one '
  'given at check-in.';

REVOKE ALL ON FUNCTION api.patient_history (bigint, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.patient_history (bigint, int)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
