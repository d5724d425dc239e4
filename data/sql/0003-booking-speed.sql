-- 0003-booking-speed.sql: the booking path without per-call overhead
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Same rules, same rows, same notifications as 0001 and 0002; only cheaper:
-- * the change notifications of slots, appointments, orders and patients
--   use static queries (planned once per session) instead of an EXECUTE
--   of a format() string (parsed and planned on every statement), and call
--   pg_notify directly instead of a helper per row;
-- * regdesk.book_internal, regdesk.book_request and
--   regdesk.cancel_appointment do what the small helpers (lock_patient,
--   lock_request, audit, next_order_no, require_group, caller_hospital,
--   date_text, yuan) did inline: each helper call was one more SPI
--   statement plus a SET search_path save and restore, or a parse and plan;
-- * the per-doctor-per-day rule and the daily maximum read the patient's
--   day once;
-- * expire_unpaid, grant_waitlist and release_pools are only called when
--   there is a run-out hold, a waiting entry or a passed cut-off.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- Change notifications ------------------------------------------------------------
--
-- Payloads and their order are those of regdesk.rows_notify: distinct
-- (hospital, id) sorted, new rows before old rows. No SET search_path:
-- these run inside the api functions' own, and every name is qualified
-- (new_rows and old_rows are the trigger's transition tables).

CREATE FUNCTION regdesk.slots_notify ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF pg_catalog.current_setting('regdesk.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'session:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT n.hospital_id, n.session_id AS id FROM new_rows n
              ORDER BY 1, 2) r;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'session:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT o.hospital_id, o.session_id AS id FROM old_rows o
              ORDER BY 1, 2) r;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.appointments_notify ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF pg_catalog.current_setting('regdesk.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'appointment:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT n.hospital_id, n.id FROM new_rows n ORDER BY 1, 2) r;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'appointment:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT o.hospital_id, o.id FROM old_rows o ORDER BY 1, 2) r;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.orders_notify ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF pg_catalog.current_setting('regdesk.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'order:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT n.hospital_id, n.id FROM new_rows n ORDER BY 1, 2) r;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'order:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT o.hospital_id, o.id FROM old_rows o ORDER BY 1, 2) r;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.patients_notify ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF pg_catalog.current_setting('regdesk.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'patient:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT n.hospital_id, n.id FROM new_rows n ORDER BY 1, 2) r;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'patient:' || r.hospital_id || ':' || r.id)
       FROM (SELECT DISTINCT o.hospital_id, o.id FROM old_rows o ORDER BY 1, 2) r;
  END IF;
  RETURN NULL;
END
$$;

DO $triggers$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['slots', 'appointments', 'orders', 'patients'] LOOP
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t || '_notify_insert', t);
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t || '_notify_update', t);
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t || '_notify_delete', t);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON regdesk.%I '
                   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                   'EXECUTE FUNCTION regdesk.%I()',
                   t || '_notify_insert', t, t || '_notify');
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON regdesk.%I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION regdesk.%I()',
                   t || '_notify_update', t, t || '_notify');
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON regdesk.%I '
                   'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                   'EXECUTE FUNCTION regdesk.%I()',
                   t || '_notify_delete', t, t || '_notify');
  END LOOP;
END
$triggers$;

DROP FUNCTION regdesk.rows_notify ();

-- Booking -----------------------------------------------------------------------

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
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  s regdesk.sessions;
  h regdesk.hospitals;
  pat regdesk.patients;
  sl regdesk.slots;
  v_starts timestamptz;
  v_ends timestamptz;
  v_reason text := nullif(btrim(p_priority_reason), '');
  v_floor int := 0;
  v_reserved int;
  v_status text;
  v_appt bigint;
  v_order_no text;
  v_window int;
  v_max int;
  v_count int;
  v_template text;
  v_same_doctor int;
BEGIN
  IF p_channel IS NULL OR p_channel NOT IN ('window', 'online', 'phone') THEN
    RAISE EXCEPTION 'unknown booking channel %', coalesce(p_channel, '(none)')
      USING ERRCODE = 'RD304';
  END IF;
  SELECT * INTO s FROM regdesk.sessions x
   WHERE x.id = p_session_id AND x.hospital_id = p_hospital_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no session %', p_session_id USING ERRCODE = 'RD301';
  END IF;
  SELECT * INTO h FROM regdesk.hospitals x WHERE x.id = p_hospital_id;
  v_starts := regdesk.local_instant(s.date, s.starts_at, h.time_zone);
  v_ends := regdesk.local_instant(s.date, s.ends_at, h.time_zone);
  IF s.status = 'suspended' THEN
    RAISE EXCEPTION 'the doctor has suspended this session (%)', s.suspended_reason
      USING ERRCODE = 'RD302';
  ELSIF s.status <> 'open' THEN
    RAISE EXCEPTION 'this session is closed for booking' USING ERRCODE = 'RD302';
  END IF;
  IF now() >= v_ends THEN
    RAISE EXCEPTION 'this session is over' USING ERRCODE = 'RD303';
  END IF;
  IF (p_channel = 'online' AND s.online_cutoff_at <= now())
     OR (p_channel = 'phone' AND s.phone_cutoff_at <= now()) THEN
    RAISE EXCEPTION 'the % pool closed at % and its slots went to the window', p_channel,
      to_char(CASE p_channel WHEN 'online' THEN s.online_cutoff_at ELSE s.phone_cutoff_at END
                AT TIME ZONE h.time_zone, 'YYYY-MM-DD HH24:MI')
      USING ERRCODE = 'RD312';
  END IF;
  IF s.policy = 'lottery' AND p_channel <> 'window' AND p_via <> 'lottery'
     AND NOT regdesk.lottery_drawn(s) THEN
    RAISE EXCEPTION 'the % pool of this session is allocated by lottery: join the lottery',
      p_channel USING ERRCODE = 'RD313';
  END IF;
  SELECT * INTO pat FROM regdesk.patients x
   WHERE x.id = p_patient_id AND x.hospital_id = p_hospital_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no patient %', p_patient_id USING ERRCODE = 'RD208';
  END IF;

  IF v_reason IS NOT NULL THEN
    IF v_reason NOT IN ('elderly', 'disabled', 'military', 'urgent') THEN
      RAISE EXCEPTION 'unknown priority reason %', v_reason USING ERRCODE = 'RD310';
    ELSIF v_reason = 'elderly'
          AND pat.birth_date > s.date - make_interval(
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
      WHEN pat.birth_date <= s.date - make_interval(
             years => regdesk.setting_int(h.settings, 'priority_age', 70)) THEN 'elderly'
    END;
  END IF;

  -- Slots whose payment window passed return first; pools past their
  -- cut-off join the window. (The draw and the waiting list come from
  -- there already.)
  IF p_via = 'book' THEN
    -- Most bookings find nothing to expire: look before calling.
    IF EXISTS (SELECT 1 FROM regdesk.slots x
                WHERE x.status = 'held' AND x.held_until <= now() AND x.session_id = s.id) THEN
      PERFORM regdesk.expire_unpaid(s.id);
    END IF;
    IF p_channel = 'window' AND (s.online_cutoff_at <= now() OR s.phone_cutoff_at <= now()) THEN
      PERFORM regdesk.release_pools(s.id);
    END IF;
  END IF;

  -- regdesk.lock_patient(), then both rules from one reading of the patient's day.
  PERFORM pg_advisory_xact_lock(1380209748, (p_patient_id % 2147483647)::int);
  SELECT count(*) FILTER (WHERE x.doctor_id = s.doctor_id), count(*)
    INTO v_same_doctor, v_count
    FROM regdesk.appointments a
    JOIN regdesk.sessions x ON x.id = a.session_id
   WHERE a.hospital_id = p_hospital_id AND a.patient_id = p_patient_id
     AND a.status IN ('pending_payment', 'booked', 'checked_in') AND x.date = s.date;
  IF v_same_doctor > 0 THEN
    RAISE EXCEPTION 'the patient already has a booking with this doctor on %',
      regdesk.date_text(s.date) USING ERRCODE = 'RD307';
  END IF;
  v_max := regdesk.setting_int(h.settings, 'max_bookings_per_patient_per_day', 3);
  IF v_count >= v_max THEN
    RAISE EXCEPTION 'the patient already has % bookings on %, the most allowed in a day',
      v_count, regdesk.date_text(s.date) USING ERRCODE = 'RD308';
  END IF;

  -- Slots held for priority patients, if any: those up to seq v_floor.
  IF s.policy = 'priority' AND v_reason IS NULL
     AND now() < v_starts - make_interval(
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
    SELECT * INTO sl FROM regdesk.slots x
     WHERE x.session_id = s.id AND x.channel = p_channel AND x.status = 'free'
       AND x.seq > v_floor
     ORDER BY x.seq
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
  INSERT INTO regdesk.appointments AS a
    (hospital_id, patient_id, session_id, slot_id, channel, status, priority_reason,
     request_id, paid_at)
  VALUES (p_hospital_id, p_patient_id, s.id, sl.id, p_channel, v_status, v_reason,
          p_request_id, CASE WHEN s.fee = 0 THEN now() END)
  RETURNING a.id INTO v_appt;
  UPDATE regdesk.slots x
     SET status = CASE WHEN s.fee = 0 THEN 'booked' ELSE 'held' END,
         held_until = CASE WHEN s.fee = 0 THEN NULL
                           ELSE now() + make_interval(mins => v_window) END,
         updated_at = now()
   WHERE x.id = sl.id;
  -- regdesk.next_order_no(), inline.
  v_order_no := nextval('regdesk.order_no_seq')::text;
  v_order_no := 'R' || to_char(now() AT TIME ZONE h.time_zone, 'YYMMDD')
                || lpad(v_order_no, greatest(8, length(v_order_no)), '0');
  INSERT INTO regdesk.orders (hospital_id, order_no, appointment_id, patient_id, amount, status,
                              expires_at, paid_at)
  VALUES (p_hospital_id, v_order_no, v_appt, p_patient_id, s.fee,
          CASE WHEN s.fee = 0 THEN 'paid' ELSE 'unpaid' END,
          CASE WHEN s.fee > 0 THEN now() + make_interval(mins => v_window) END,
          CASE WHEN s.fee = 0 THEN now() END);

  IF pat.phone IS NOT NULL THEN
    v_template := CASE p_via WHEN 'waitlist' THEN 'waitlist_granted' ELSE 'booking_confirmed' END;
    -- date_text() and yuan() spelt out: SQL functions around a stable to_char()
    -- are not inlined, and each call would parse and plan them again.
    INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key)
    SELECT p_hospital_id, pat.phone, v_template,
           jsonb_build_object('name', pat.name, 'department', dep.name, 'doctor', doc.name,
                              'date', to_char(s.date::timestamp, 'YYYY-MM-DD'),
                              'time', to_char(sl.starts_at AT TIME ZONE h.time_zone, 'HH24:MI'),
                              'queue_no', sl.seq, 'order_no', v_order_no,
                              'fee', to_char(s.fee / 100.0, 'FM999999999990.00')),
           v_template || ':' || v_appt
      FROM regdesk.departments dep, regdesk.doctors doc
     WHERE dep.id = s.department_id AND doc.id = s.doctor_id
    ON CONFLICT (dedup_key) DO NOTHING;
  END IF;
  INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
  VALUES (p_hospital_id, 'book', 'appointment', v_appt::text,
          jsonb_build_object('session_id', s.id, 'patient_id', p_patient_id,
                             'slot_seq', sl.seq, 'channel', p_channel,
                             'order_no', v_order_no, 'via', p_via,
                             'priority_reason', v_reason));

  RETURN ROW(v_appt, v_order_no, sl.seq, v_status)::regdesk.booking;
END
$$;

CREATE OR REPLACE FUNCTION regdesk.book_request (p_request_id      text,
                                                 p_session_id      bigint,
                                                 p_patient_id      bigint,
                                                 p_channel         text,
                                                 p_slot_seq        int,
                                                 p_priority_reason text)
RETURNS regdesk.booking
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  v_hid bigint;
  a regdesk.appointments;
  b regdesk.booking;
BEGIN
  -- regdesk.require_group() and regdesk.caller_hospital(), inline.
  IF NOT (pg_has_role(session_user, 'regdesk_clerk', 'MEMBER')
          OR pg_has_role(session_user, 'regdesk_manager', 'MEMBER')
          OR pg_has_role(session_user, 'regdesk_admin', 'MEMBER')) THEN
    RAISE EXCEPTION 'permission denied: % is not a member of %', session_user,
      'regdesk_clerk, regdesk_manager, regdesk_admin'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF coalesce(p_request_id, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := coalesce((SELECT st.hospital_id FROM regdesk.staff st WHERE st.login = session_user),
                    (SELECT min(ho.id) FROM regdesk.hospitals ho));
  -- A retry waits for the first attempt and then returns its result.
  PERFORM pg_advisory_xact_lock(1380209233, hashtext(p_request_id));
  SELECT * INTO a FROM regdesk.appointments x
   WHERE x.hospital_id = v_hid AND x.request_id = p_request_id;
  IF FOUND THEN
    IF a.session_id <> p_session_id OR a.patient_id <> p_patient_id THEN
      RAISE EXCEPTION 'request id % was used for another booking', p_request_id
        USING ERRCODE = 'RD309';
    END IF;
    SELECT a.id, o.order_no, x.seq, a.status INTO b
      FROM regdesk.slots x
      LEFT JOIN regdesk.orders o ON o.appointment_id = a.id
     WHERE x.id = a.slot_id
     ORDER BY o.id
     LIMIT 1;
    RETURN b;
  END IF;
  RETURN regdesk.book_internal(v_hid, p_request_id, p_session_id, p_patient_id, p_channel,
                               p_slot_seq, NULL, p_priority_reason, 'book');
END
$$;

-- Cancelling ---------------------------------------------------------------------

CREATE OR REPLACE FUNCTION regdesk.cancel_appointment (p_request_id     text,
                                                       p_appointment_id bigint,
                                                       p_reason         text)
RETURNS TABLE (appointment_id          bigint,
               order_no                text,
               order_status            text,
               refunded_amount         bigint,
               waitlist_appointment_id bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_request CONSTANT text := p_request_id;
  v_id CONSTANT bigint := p_appointment_id;
  v_hid bigint;
  a regdesk.appointments;
  s regdesk.sessions;
  h regdesk.hospitals;
  o regdesk.orders;
  y regdesk.payments;
  pat regdesk.patients;
  v_refunded bigint := 0;
  v_pending boolean := false;
  v_granted bigint;
  v_cutoff int;
BEGIN
  -- regdesk.require_group() and regdesk.caller_hospital(), inline.
  IF NOT (pg_has_role(session_user, 'regdesk_clerk', 'MEMBER')
          OR pg_has_role(session_user, 'regdesk_manager', 'MEMBER')
          OR pg_has_role(session_user, 'regdesk_admin', 'MEMBER')) THEN
    RAISE EXCEPTION 'permission denied: % is not a member of %', session_user,
      'regdesk_clerk, regdesk_manager, regdesk_admin'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF coalesce(v_request, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := coalesce((SELECT st.hospital_id FROM regdesk.staff st WHERE st.login = session_user),
                    (SELECT min(ho.id) FROM regdesk.hospitals ho));
  PERFORM pg_advisory_xact_lock(1380209233, hashtext(v_request));
  SELECT * INTO a FROM regdesk.appointments x
   WHERE x.hospital_id = v_hid AND x.cancel_request_id = v_request;
  IF FOUND THEN
    IF a.id <> v_id THEN
      RAISE EXCEPTION 'request id % was used to cancel another appointment', v_request
        USING ERRCODE = 'RD309';
    END IF;
    RETURN QUERY
      SELECT a.id, o2.order_no, o2.status, o2.refunded_amount,
             (SELECT w.granted_appointment_id FROM regdesk.waitlist w
                JOIN regdesk.appointments g ON g.id = w.granted_appointment_id
               WHERE g.slot_id = a.slot_id AND g.created_at >= a.cancelled_at
               ORDER BY g.id LIMIT 1)
        FROM (SELECT 1) one
        LEFT JOIN regdesk.orders o2 ON o2.appointment_id = a.id;
    RETURN;
  END IF;

  SELECT * INTO a FROM regdesk.appointments x WHERE x.id = v_id AND x.hospital_id = v_hid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no appointment %', v_id USING ERRCODE = 'RD401';
  END IF;
  PERFORM 1 FROM regdesk.slots x WHERE x.id = a.slot_id FOR NO KEY UPDATE;
  SELECT * INTO a FROM regdesk.appointments x WHERE x.id = v_id FOR UPDATE;
  IF a.status NOT IN ('pending_payment', 'booked') THEN
    RAISE EXCEPTION 'this appointment is %: it cannot be cancelled', replace(a.status, '_', ' ')
      USING ERRCODE = 'RD402';
  END IF;
  SELECT * INTO s FROM regdesk.sessions x WHERE x.id = a.session_id;
  SELECT * INTO h FROM regdesk.hospitals x WHERE x.id = v_hid;
  v_cutoff := regdesk.setting_int(h.settings, 'cancel_cutoff_minutes', 30);
  IF now() > regdesk.local_instant(s.date, s.starts_at, h.time_zone)
             - make_interval(mins => v_cutoff) THEN
    RAISE EXCEPTION 'appointments can be cancelled until % minutes before the session starts',
      v_cutoff USING ERRCODE = 'RD403';
  END IF;

  UPDATE regdesk.appointments x
     SET status = 'cancelled', cancelled_at = now(),
         cancel_reason = nullif(btrim(coalesce(p_reason, '')), ''),
         cancel_request_id = v_request
   WHERE x.id = a.id
  RETURNING * INTO a;

  SELECT * INTO o FROM regdesk.orders x WHERE x.appointment_id = a.id ORDER BY x.id LIMIT 1
     FOR UPDATE;
  IF o.status = 'unpaid' THEN
    UPDATE regdesk.orders x SET status = 'closed', closed_at = now() WHERE x.id = o.id;
  ELSIF o.status = 'paid' THEN
    -- Back through the way it came: cash and card at once, gateways later.
    FOR y IN SELECT * FROM regdesk.payments x
              WHERE x.order_id = o.id AND x.status = 'succeeded' AND x.amount > 0
              ORDER BY x.id
    LOOP
      INSERT INTO regdesk.refunds (hospital_id, payment_id, out_refund_no, amount, status,
                                   reason, finished_at)
      VALUES (v_hid, y.id, regdesk.next_trade_no('F', h.time_zone), y.amount,
              CASE WHEN y.method IN ('cash', 'card') THEN 'succeeded' ELSE 'pending' END,
              coalesce(a.cancel_reason, ''),
              CASE WHEN y.method IN ('cash', 'card') THEN now() END);
      IF y.method IN ('cash', 'card') THEN
        v_refunded := v_refunded + y.amount;
      ELSE
        v_pending := true;
      END IF;
    END LOOP;
    UPDATE regdesk.orders x
       SET status = CASE WHEN v_pending THEN 'refunding'
                         WHEN v_refunded >= x.amount THEN 'refunded'
                         WHEN v_refunded > 0 THEN 'partially_refunded'
                         ELSE x.status END,
           refunded_amount = least(x.amount, x.refunded_amount + v_refunded)
     WHERE x.id = o.id;
    SELECT * INTO pat FROM regdesk.patients x WHERE x.id = a.patient_id;
    IF v_refunded > 0 AND pat.phone IS NOT NULL THEN
      INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key)
      VALUES (v_hid, pat.phone, 'refund_done',
              jsonb_build_object('name', pat.name, 'order_no', o.order_no,
                                 'amount', regdesk.yuan(v_refunded),
                                 'date', regdesk.date_text(s.date)),
              'refund_done:' || a.id)
      ON CONFLICT (dedup_key) DO NOTHING;
    END IF;
  END IF;

  UPDATE regdesk.slots x SET status = 'free', held_until = NULL, updated_at = now()
   WHERE x.id = a.slot_id;
  INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
  VALUES (v_hid, 'cancel', 'appointment', a.id::text,
          jsonb_build_object('reason', a.cancel_reason, 'order_no', o.order_no,
                             'refunded', v_refunded, 'refund_pending', v_pending));
  -- Both helpers are called only when they may have something to do.
  IF EXISTS (SELECT 1 FROM regdesk.waitlist w
              WHERE w.session_id = a.session_id AND w.status = 'waiting') THEN
    v_granted := regdesk.grant_waitlist(a.slot_id);
  END IF;
  IF v_granted IS NULL AND (s.online_cutoff_at <= now() OR s.phone_cutoff_at <= now()) THEN
    PERFORM regdesk.release_pools(a.session_id);
  END IF;

  RETURN QUERY
    SELECT a.id, o2.order_no, o2.status, o2.refunded_amount, v_granted
      FROM (SELECT 1) one
      LEFT JOIN regdesk.orders o2 ON o2.id = o.id;
END
$$;

REVOKE ALL ON FUNCTION regdesk.slots_notify (), regdesk.appointments_notify (),
                       regdesk.orders_notify (), regdesk.patients_notify ()
  FROM PUBLIC;

-- Foreign keys ----------------------------------------------------------------------
--
-- An appointment's and an order's hospital is already checked by their
-- composite key to the patient (hospital_id, patient_id), whose own key
-- checks the hospital. The direct key took a KEY SHARE lock on the one
-- hospital row for every booking: a new MultiXact whenever two windows
-- book at the same time.
ALTER TABLE regdesk.appointments DROP CONSTRAINT appointments_hospital_id_fkey;
ALTER TABLE regdesk.orders DROP CONSTRAINT orders_hospital_id_fkey;
