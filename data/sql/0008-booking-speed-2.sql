-- 0008-booking-speed-2.sql: api.book with fewer statements, calls and indexes
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Same rules, same rows, same notifications as 0002 and 0003; only cheaper:
-- * api.book is PL/pgSQL: a SQL function with a SET clause is never inlined,
--   so its body was parsed and planned again on every call; PL/pgSQL keeps
--   the plans for the life of the connection;
-- * regdesk.book_request and regdesk.book_internal run inside the search
--   path of the api function that calls them (every name they use is
--   qualified) instead of setting and restoring their own: each SET made
--   the next catalogue lookup rebuild the search path;
-- * book_internal reads the session, the hospital, the patient and whether
--   any hold ran out in one statement, and writes the appointment, the slot,
--   the order, the SMS and the audit row in one statement: one executor
--   start and one round of AFTER triggers instead of five;
-- * the change notifications of slots, appointments and orders are row
--   triggers whose body is one expression, guarded by a WHEN clause, instead
--   of statement triggers that kept transition tables and ran a sorting
--   query for every statement; a bulk load no longer queues them at all;
-- * indexes that no query reads are gone (see Indexes below).
--
-- What is left and cannot go: every transaction that notifies takes, at
-- commit, one cluster-wide lock that it holds until its commit record is
-- flushed (PostgreSQL keeps the notification queue in commit order). So
-- booking commits one at a time however many clerks book, while a
-- transaction that does not notify shares its flush with the others.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- Change notifications ------------------------------------------------------------
--
-- Payloads are those of 0003's statement triggers; identical payloads of one
-- transaction still fold into one. No SET search_path: they run inside the
-- api functions' own, and every name is qualified.

CREATE FUNCTION regdesk.slots_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'session:' || OLD.hospital_id || ':'
                                              || OLD.session_id);
    RETURN NULL;
  END IF;
  PERFORM pg_catalog.pg_notify('rd_change', 'session:' || NEW.hospital_id || ':'
                                            || NEW.session_id);
  IF TG_OP = 'UPDATE' AND OLD.session_id <> NEW.session_id THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'session:' || OLD.hospital_id || ':'
                                              || OLD.session_id);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.appointments_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'appointment:' || OLD.hospital_id || ':' || OLD.id);
  ELSE
    PERFORM pg_catalog.pg_notify('rd_change', 'appointment:' || NEW.hospital_id || ':' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.orders_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_catalog.pg_notify('rd_change', 'order:' || OLD.hospital_id || ':' || OLD.id);
  ELSE
    PERFORM pg_catalog.pg_notify('rd_change', 'order:' || NEW.hospital_id || ':' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;

DO $triggers$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['slots', 'appointments', 'orders'] LOOP
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t || '_notify_insert', t);
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t || '_notify_update', t);
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t || '_notify_delete', t);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON regdesk.%I '
                   'FOR EACH ROW WHEN (pg_catalog.current_setting(''regdesk.bulk_load'', true) '
                   'IS DISTINCT FROM ''on'') EXECUTE FUNCTION regdesk.%I()',
                   t || '_notify', t, t || '_notify_row');
    EXECUTE format('DROP FUNCTION regdesk.%I()', t || '_notify');
  END LOOP;
END
$triggers$;

REVOKE ALL ON FUNCTION regdesk.slots_notify_row (), regdesk.appointments_notify_row (),
                       regdesk.orders_notify_row ()
  FROM PUBLIC;

-- Indexes ---------------------------------------------------------------------------
--
-- Each booking wrote about 25 index entries. These had no reader:
-- * orders (hospital_id, created_at): the day's orders (rd-order-list.c) are
--   a range of created_at alone, which orders (created_at) answers;
-- * orders (expires_at) WHERE unpaid: holds run out through the slots
--   (slots_held_idx), never through the orders;
-- * sms_outbox (hospital_id, created_at): the worker reads the outbox by
--   next_attempt_at and by phone number;
-- * audit_log (hospital_id, at): rows arrive in time order, so a BRIN index
--   on at (a few pages, updated once per range of pages) finds a period.
DROP INDEX regdesk.orders_hospital_id_created_at_idx;
DROP INDEX regdesk.orders_unpaid_idx;
DROP INDEX regdesk.sms_outbox_hospital_id_created_at_idx;
DROP INDEX regdesk.audit_log_hospital_id_at_idx;
CREATE INDEX audit_log_at_brin ON regdesk.audit_log USING brin (at);

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
  PERFORM pg_catalog.pg_advisory_xact_lock(1380209748, (p_patient_id % 2147483647)::int);
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

CREATE OR REPLACE FUNCTION regdesk.book_request (p_request_id      text,
                                                 p_session_id      bigint,
                                                 p_patient_id      bigint,
                                                 p_channel         text,
                                                 p_slot_seq        int,
                                                 p_priority_reason text)
RETURNS regdesk.booking
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_hid bigint;
  a regdesk.appointments;
  b regdesk.booking;
BEGIN
  -- regdesk.require_group() and regdesk.caller_hospital(), inline.
  IF NOT (pg_catalog.pg_has_role(session_user, 'regdesk_clerk', 'MEMBER')
          OR pg_catalog.pg_has_role(session_user, 'regdesk_manager', 'MEMBER')
          OR pg_catalog.pg_has_role(session_user, 'regdesk_admin', 'MEMBER')) THEN
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
  PERFORM pg_catalog.pg_advisory_xact_lock(1380209233, pg_catalog.hashtext(p_request_id));
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

-- PL/pgSQL refuses an input and an output column of one name (slot_seq):
-- the function returns the booking type instead, whose columns are the
-- same, so callers read the same row.
DROP FUNCTION api.book (text, bigint, bigint, text, int, text);
CREATE FUNCTION api.book (request_id      text,
                          session_id      bigint,
                          patient_id      bigint,
                          channel         text,
                          slot_seq        int DEFAULT NULL,
                          priority_reason text DEFAULT NULL)
RETURNS regdesk.booking
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
BEGIN
  RETURN regdesk.book_request(request_id, session_id, patient_id, channel, slot_seq,
                              priority_reason);
END
$$;
COMMENT ON FUNCTION api.book (text, bigint, bigint, text, int, text) IS
  'Books a slot (the next free one of the channel, or slot_seq) in one transaction: '
  'appointment, order, SMS and audit rows. The same request id returns the same booking.';
REVOKE ALL ON FUNCTION api.book (text, bigint, bigint, text, int, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.book (text, bigint, bigint, text, int, text)
  TO regdesk_clerk, regdesk_manager, regdesk_admin;
