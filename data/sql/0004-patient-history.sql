-- 0004-patient-history.sql: one patient as the desk's patient panel shows them
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Refusals: RD208 no such patient (as api.patient_update says it).
--
-- Every order is written with its appointment (regdesk.book_internal), so a
-- patient's orders are read through their appointments: the index on
-- appointments (hospital_id, patient_id, created_at) and the one on
-- orders (appointment_id) answer both functions without a new index.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- Raises RD208 unless @patient_id is a patient of the caller's hospital;
-- returns that hospital.
CREATE FUNCTION regdesk.patient_hospital (p_patient_id bigint)
RETURNS bigint
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  v_hid bigint := regdesk.caller_hospital();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM regdesk.patients p
                  WHERE p.id = p_patient_id AND p.hospital_id = v_hid) THEN
    RAISE EXCEPTION 'no patient %', coalesce(p_patient_id::text, '(none)')
      USING ERRCODE = 'RD208';
  END IF;
  RETURN v_hid;
END
$$;

CREATE FUNCTION api.patient_get (patient_id bigint)
RETURNS TABLE (id          bigint,
               name        text,
               pinyin      text,
               sex         text,
               birth_date  text,
               id_type     text,
               id_number   text,
               phone       text,
               card_no     text,
               disabled    boolean,
               military    boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_hid bigint;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin');
  v_hid := regdesk.patient_hospital(patient_get.patient_id);
  RETURN QUERY
    SELECT p.id, p.name, p.pinyin, p.sex, regdesk.date_text(p.birth_date), p.id_type,
           p.id_number, p.phone, p.card_no, p.disabled, p.military
      FROM regdesk.patients p
     WHERE p.id = patient_get.patient_id AND p.hospital_id = v_hid;
END
$$;
COMMENT ON FUNCTION api.patient_get (bigint) IS
  'One patient of the caller''s hospital, in the columns of api.patient_search; RD208 if '
  'there is none.';

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
               upcoming        boolean)
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
           o.id, o.order_no, o.status, o.amount, x.upcoming
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
  '(newest first).';

-- Outstanding: an unpaid order whose payment window is still open (a
-- lapsed one is closed by the maintenance job and cannot be paid).
CREATE FUNCTION api.patient_summary (patient_id bigint)
RETURNS TABLE (appointments   int,
               upcoming       int,
               no_shows       int,
               unpaid_orders  int,
               unpaid_amount  bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_hid bigint;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin');
  v_hid := regdesk.patient_hospital(patient_summary.patient_id);
  RETURN QUERY
    SELECT count(*)::int,
           (count(*) FILTER (WHERE a.status IN ('pending_payment', 'booked', 'checked_in')
                               AND sl.ends_at > now()))::int,
           (count(*) FILTER (WHERE a.status = 'no_show'))::int,
           coalesce(sum(o.n), 0)::int,
           coalesce(sum(o.amount), 0)::bigint
      FROM regdesk.appointments a
      JOIN regdesk.slots sl ON sl.id = a.slot_id
      LEFT JOIN LATERAL (SELECT count(*) AS n, sum(y.amount) AS amount
                           FROM regdesk.orders y
                          WHERE y.appointment_id = a.id AND y.status = 'unpaid'
                            AND (y.expires_at IS NULL OR y.expires_at > now())) o ON true
     WHERE a.hospital_id = v_hid AND a.patient_id = patient_summary.patient_id;
END
$$;
COMMENT ON FUNCTION api.patient_summary (bigint) IS
  'A patient''s counts: appointments, upcoming ones, no-shows, and unpaid orders still '
  'payable with their sum in fen.';

REVOKE ALL ON FUNCTION regdesk.patient_hospital (bigint), api.patient_get (bigint),
                       api.patient_history (bigint, int), api.patient_summary (bigint)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.patient_get (bigint),
                          api.patient_history (bigint, int),
                          api.patient_summary (bigint)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
