-- 0019-slot-key.sql: an appointment's session and slot checked as one key
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- An appointment named its session and its slot through two foreign keys,
-- (hospital_id, session_id) to sessions and (hospital_id, slot_id) to
-- slots, so nothing said that the slot was one of that session's. It now
-- names both through one key to the slot, (hospital_id, session_id,
-- slot_id): the slot exists, in that session, of that hospital, and the
-- slot's own key to its session says the session exists. One check of a
-- referenced row per booking instead of two; the slots keep as many
-- unique indexes as before, (hospital_id, session_id, id) replacing
-- (hospital_id, id), which only this key used. A session with
-- appointments still cannot be deleted: its slots go with it, and the
-- appointments' key refuses that.
--
-- regdesk.book_internal() takes the patient's lock as an assignment, not
-- as a query the executor starts (0014, 0017). Restated whole; only that
-- line changed.
--
-- callgrind (tests/bench/callgrind-booking.sh): a booking 2.69 to 2.65
-- million instructions, a 退号 1.97 to 1.96 million.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

ALTER TABLE regdesk.slots
  ADD CONSTRAINT slots_hospital_id_session_id_id_key UNIQUE (hospital_id, session_id, id);
ALTER TABLE regdesk.appointments
  ADD CONSTRAINT appointments_hospital_id_session_id_slot_id_fkey
  FOREIGN KEY (hospital_id, session_id, slot_id)
  REFERENCES regdesk.slots (hospital_id, session_id, id);
ALTER TABLE regdesk.appointments
  DROP CONSTRAINT appointments_hospital_id_slot_id_fkey,
  DROP CONSTRAINT appointments_hospital_id_session_id_fkey;
ALTER TABLE regdesk.slots DROP CONSTRAINT slots_hospital_id_id_key;

CREATE OR REPLACE FUNCTION regdesk.book_internal (p_hospital_id     bigint,
                                                  p_request_id      text,
                                                  p_session_id      bigint,
                                                  p_patient_id      bigint,
                                                  p_channel         text,
                                                  p_slot_seq        int,
                                                  p_slot_id         bigint,
                                                  p_priority_reason text,
                                                  p_via             text)
RETURNS regdesk.booking
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  s regdesk.sessions;
  h regdesk.hospitals;
  pat regdesk.patients;
  sl regdesk.slots;
  v_starts timestamptz;
  v_ends timestamptz;
  v_reason text := nullif(pg_catalog.btrim(p_priority_reason), '');
  v_floor int := 0;
  v_reserved int;
  v_status text;
  v_appt bigint;
  v_order_no text;
  v_window int;
  v_max int;
  v_count int;
  v_same_doctor int;
  r record;
  v_done text;
BEGIN
  IF p_channel IS NULL OR p_channel NOT IN ('window', 'online', 'phone') THEN
    RAISE EXCEPTION 'unknown booking channel %', coalesce(p_channel, '(none)')
      USING ERRCODE = 'RD304';
  END IF;
  -- Session, hospital, patient and "did a hold of this session run out"
  -- in one reading.
  SELECT x AS s, ho AS h, pa AS pat,
         EXISTS (SELECT 1 FROM regdesk.slots y
                  WHERE y.status = 'held' AND y.held_until <= pg_catalog.now()
                    AND y.session_id = x.id) AS expired
    INTO r
    FROM regdesk.sessions x
    JOIN regdesk.hospitals ho ON ho.id = x.hospital_id
    LEFT JOIN regdesk.patients pa ON pa.id = p_patient_id AND pa.hospital_id = p_hospital_id
   WHERE x.id = p_session_id AND x.hospital_id = p_hospital_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no session %', p_session_id USING ERRCODE = 'RD301';
  END IF;
  s := r.s;
  h := r.h;
  pat := r.pat;
  v_starts := regdesk.local_instant(s.date, s.starts_at, h.time_zone);
  v_ends := regdesk.local_instant(s.date, s.ends_at, h.time_zone);
  IF s.status = 'suspended' THEN
    RAISE EXCEPTION 'the doctor has suspended this session (%)', s.suspended_reason
      USING ERRCODE = 'RD302';
  ELSIF s.status <> 'open' THEN
    RAISE EXCEPTION 'this session is closed for booking' USING ERRCODE = 'RD302';
  END IF;
  IF pg_catalog.now() >= v_ends THEN
    RAISE EXCEPTION 'this session is over' USING ERRCODE = 'RD303';
  END IF;
  IF (p_channel = 'online' AND s.online_cutoff_at <= pg_catalog.now())
     OR (p_channel = 'phone' AND s.phone_cutoff_at <= pg_catalog.now()) THEN
    RAISE EXCEPTION 'the % pool closed at % and its slots went to the window', p_channel,
      pg_catalog.to_char(CASE p_channel WHEN 'online' THEN s.online_cutoff_at
                                        ELSE s.phone_cutoff_at END
                         AT TIME ZONE h.time_zone, 'YYYY-MM-DD HH24:MI')
      USING ERRCODE = 'RD312';
  END IF;
  IF s.policy = 'lottery' AND p_channel <> 'window' AND p_via <> 'lottery'
     AND NOT regdesk.lottery_drawn(s) THEN
    RAISE EXCEPTION 'the % pool of this session is allocated by lottery: join the lottery',
      p_channel USING ERRCODE = 'RD313';
  END IF;
  IF pat.id IS NULL THEN
    RAISE EXCEPTION 'no patient %', p_patient_id USING ERRCODE = 'RD208';
  END IF;

  IF v_reason IS NOT NULL THEN
    IF v_reason NOT IN ('elderly', 'disabled', 'military', 'urgent') THEN
      RAISE EXCEPTION 'unknown priority reason %', v_reason USING ERRCODE = 'RD310';
    ELSIF v_reason = 'elderly'
          AND pat.birth_date > s.date - pg_catalog.make_interval(
                years => regdesk.setting_int(h.settings, 'priority_age', 70)) THEN
      RAISE EXCEPTION 'the patient is younger than % on the day of the visit',
        regdesk.setting_int(h.settings, 'priority_age', 70) USING ERRCODE = 'RD310';
    ELSIF v_reason = 'disabled' AND NOT pat.disabled THEN
      RAISE EXCEPTION 'the patient is not registered as disabled' USING ERRCODE = 'RD310';
    ELSIF v_reason = 'military' AND NOT pat.military THEN
      RAISE EXCEPTION 'the patient is not registered as military' USING ERRCODE = 'RD310';
    END IF;
  ELSIF s.policy = 'priority' THEN
    v_reason := CASE
      WHEN pat.disabled THEN 'disabled'
      WHEN pat.military THEN 'military'
      WHEN pat.birth_date <= s.date - pg_catalog.make_interval(
             years => regdesk.setting_int(h.settings, 'priority_age', 70)) THEN 'elderly'
    END;
  END IF;

  -- Slots whose payment window passed return first; pools past their
  -- cut-off join the window. (The draw and the waiting list come from
  -- there already.)
  IF p_via = 'book' THEN
    IF r.expired THEN
      PERFORM regdesk.expire_unpaid(s.id);
    END IF;
    IF p_channel = 'window'
       AND (s.online_cutoff_at <= pg_catalog.now() OR s.phone_cutoff_at <= pg_catalog.now()) THEN
      PERFORM regdesk.release_pools(s.id);
    END IF;
  END IF;

  -- The patient's lock, then both rules from one reading of the patient's
  -- day. Its own statement: the count must see what committed while this
  -- transaction waited for the lock.
  v_done := pg_catalog.pg_advisory_xact_lock(1380209748, (p_patient_id % 2147483647)::int);
  SELECT count(*) FILTER (WHERE x.doctor_id = s.doctor_id), count(*)
    INTO v_same_doctor, v_count
    FROM regdesk.appointments a
    JOIN regdesk.sessions x ON x.id = a.session_id
   WHERE a.hospital_id = p_hospital_id AND a.patient_id = p_patient_id
     AND a.status IN ('pending_payment', 'booked', 'checked_in') AND x.date = s.date;
  IF v_same_doctor > 0 THEN
    RAISE EXCEPTION 'the patient already has a booking with this doctor on %',
      pg_catalog.to_char(s.date::timestamp, 'YYYY-MM-DD') USING ERRCODE = 'RD307';
  END IF;
  v_max := regdesk.setting_int(h.settings, 'max_bookings_per_patient_per_day', 3);
  IF v_count >= v_max THEN
    RAISE EXCEPTION 'the patient already has % bookings on %, the most allowed in a day',
      v_count, pg_catalog.to_char(s.date::timestamp, 'YYYY-MM-DD') USING ERRCODE = 'RD308';
  END IF;

  -- Slots held for priority patients, if any: those up to seq v_floor.
  IF s.policy = 'priority' AND v_reason IS NULL
     AND pg_catalog.now() < v_starts - pg_catalog.make_interval(
                   mins => regdesk.setting_int(h.settings, 'priority_hold_minutes', 60)) THEN
    SELECT ceil(count(*) * regdesk.setting_int(h.settings, 'priority_reserved_percent', 20)
                / 100.0)::int
      INTO v_reserved
      FROM regdesk.slots x WHERE x.session_id = s.id AND x.channel = p_channel;
    IF v_reserved > 0 THEN
      SELECT x.seq INTO v_floor
        FROM regdesk.slots x WHERE x.session_id = s.id AND x.channel = p_channel
       ORDER BY x.seq OFFSET v_reserved - 1 LIMIT 1;
    END IF;
  END IF;

  IF p_slot_id IS NOT NULL THEN
    SELECT * INTO sl FROM regdesk.slots x
     WHERE x.id = p_slot_id AND x.session_id = s.id AND x.status = 'free'
       FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'the released slot is no longer free' USING ERRCODE = 'RD306';
    END IF;
  ELSIF p_slot_seq IS NOT NULL THEN
    SELECT * INTO sl FROM regdesk.slots x WHERE x.session_id = s.id AND x.seq = p_slot_seq;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'this session has no slot %', p_slot_seq USING ERRCODE = 'RD306';
    ELSIF sl.channel <> p_channel THEN
      RAISE EXCEPTION 'slot % belongs to the % pool', p_slot_seq, sl.channel
        USING ERRCODE = 'RD306';
    ELSIF sl.seq <= v_floor THEN
      RAISE EXCEPTION 'slot % is held for priority patients', p_slot_seq
        USING ERRCODE = 'RD314';
    END IF;
    SELECT * INTO sl FROM regdesk.slots x
     WHERE x.id = sl.id AND x.status = 'free'
       FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'slot % is already taken', p_slot_seq USING ERRCODE = 'RD306';
    END IF;
  ELSE
    -- Only slots_next_free_idx (session_id, channel, seq) gives this order:
    -- written as "channel = p_channel", the planner drops channel from the
    -- order and may walk the session's taken slots in the (session_id, seq)
    -- key instead, one more step with every booking.
    SELECT * INTO sl FROM regdesk.slots x
     WHERE x.session_id = s.id AND x.channel >= p_channel AND x.channel <= p_channel
       AND x.status = 'free' AND x.seq > v_floor
     ORDER BY x.channel, x.seq
     LIMIT 1
       FOR NO KEY UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
      IF v_floor > 0 AND EXISTS (SELECT 1 FROM regdesk.slots x
                                  WHERE x.session_id = s.id AND x.channel = p_channel
                                    AND x.status = 'free') THEN
        RAISE EXCEPTION 'the remaining % slots are held for priority patients', p_channel
          USING ERRCODE = 'RD314';
      END IF;
      RAISE EXCEPTION 'no free slot left in the % pool of this session', p_channel
        USING ERRCODE = 'RD305';
    END IF;
  END IF;

  v_window := regdesk.setting_int(h.settings, 'payment_window_minutes', 15);
  v_status := CASE WHEN s.fee = 0 THEN 'booked' ELSE 'pending_payment' END;
  -- regdesk.next_order_no(), inline.
  v_order_no := pg_catalog.nextval('regdesk.order_no_seq')::text;
  v_order_no := 'R' || pg_catalog.to_char(pg_catalog.now() AT TIME ZONE h.time_zone, 'YYMMDD')
                || pg_catalog.lpad(v_order_no, greatest(8, pg_catalog.length(v_order_no)), '0');

  -- Appointment, slot, order, SMS and audit row in one statement. The
  -- order's key to the new appointment is checked when the statement ends,
  -- by which time the appointment exists. date_text() and yuan() are
  -- spelt out: SQL functions around a stable to_char() are not inlined.
  WITH appt AS (
    INSERT INTO regdesk.appointments AS a
      (hospital_id, patient_id, session_id, slot_id, channel, status, priority_reason,
       request_id, paid_at)
    VALUES (p_hospital_id, p_patient_id, s.id, sl.id, p_channel, v_status, v_reason,
            p_request_id, CASE WHEN s.fee = 0 THEN pg_catalog.now() END)
    RETURNING a.id),
  slot AS (
    UPDATE regdesk.slots x
       SET status = CASE WHEN s.fee = 0 THEN 'booked' ELSE 'held' END,
           held_until = CASE WHEN s.fee = 0 THEN NULL
                             ELSE pg_catalog.now() + pg_catalog.make_interval(mins => v_window)
                        END,
           updated_at = pg_catalog.now()
     WHERE x.id = sl.id),
  ord AS (
    INSERT INTO regdesk.orders (hospital_id, order_no, appointment_id, patient_id, amount,
                                status, expires_at, paid_at)
    SELECT p_hospital_id, v_order_no, appt.id, p_patient_id, s.fee,
           CASE WHEN s.fee = 0 THEN 'paid' ELSE 'unpaid' END,
           CASE WHEN s.fee > 0 THEN pg_catalog.now() + pg_catalog.make_interval(mins => v_window)
           END,
           CASE WHEN s.fee = 0 THEN pg_catalog.now() END
      FROM appt),
  sms AS (
    INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key)
    SELECT p_hospital_id, pat.phone, m.template,
           pg_catalog.jsonb_build_object(
             'name', pat.name, 'department', dep.name, 'doctor', doc.name,
             'date', pg_catalog.to_char(s.date::timestamp, 'YYYY-MM-DD'),
             'time', pg_catalog.to_char(sl.starts_at AT TIME ZONE h.time_zone, 'HH24:MI'),
             'queue_no', sl.seq, 'order_no', v_order_no,
             'fee', pg_catalog.to_char(s.fee / 100.0, 'FM999999999990.00')),
           m.template || ':' || appt.id
      FROM appt,
           (SELECT CASE p_via WHEN 'waitlist' THEN 'waitlist_granted'
                              ELSE 'booking_confirmed' END AS template) m,
           regdesk.departments dep, regdesk.doctors doc
     WHERE pat.phone IS NOT NULL AND dep.id = s.department_id AND doc.id = s.doctor_id
    ON CONFLICT (dedup_key) DO NOTHING)
  INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
  SELECT p_hospital_id, 'book', 'appointment', appt.id::text,
         pg_catalog.jsonb_build_object('session_id', s.id, 'patient_id', p_patient_id,
                                       'slot_seq', sl.seq, 'channel', p_channel,
                                       'order_no', v_order_no, 'via', p_via,
                                       'priority_reason', v_reason)
    FROM appt
  RETURNING entity_id::bigint INTO v_appt;

  RETURN ROW(v_appt, v_order_no, sl.seq, v_status)::regdesk.booking;
END
$$;
