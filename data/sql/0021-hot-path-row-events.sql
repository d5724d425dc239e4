-- 0021-hot-path-row-events.sql: booking and 退号 count and announce their own rows
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Same rows, counts and notifications; fewer trigger calls and statements.
-- A booking changes four rows that have row triggers (the slot, the
-- appointment, the order, the SMS); each trigger ran a PL/pgSQL function
-- that announced its row (regdesk.announce()), and the slot's and the
-- appointment's each upserted the session's counts (0011). A 退号 fired
-- three of them. The two writers know their changes beforehand: they
-- now count them with one upsert inside their own statement and announce
-- them with one call, and say so for that statement in the transaction
-- setting regdesk.row_events ('caller'), which each of the four trigger
-- functions now tests first.
-- Every other writer (roster, payments, expiry, waiting list, lottery,
-- bulk loads) still goes through the triggers; a setting made inside a
-- failed subtransaction goes with it.
--
-- The booking's SMS row is a plain insert (its key names the new
-- appointment), no longer a speculative one.
--
-- regdesk.announce() takes a comma-separated list of changes. Both
-- writers name the session last, so that its counts are the last thing a
-- desk hears of the change, as before.
--
-- regdesk.cancel_appointment() reads the appointment and locks its slot
-- in one statement; locks the appointment and reads its session, its
-- hospital and whether anyone waits for the session in a second; locks
-- the order in a third; and writes the appointment, the slot, an unpaid
-- order, the counts and the audit row in a fourth. After the retry check
-- that was ten statements and three trigger calls. The paid path's
-- refunds are as before.
--
-- callgrind (tests/bench/callgrind-booking.sh, with the desk's calls written
-- out whole): a booking 2.62 to 2.46 million instructions (before the SMS
-- insert was a plain one), a 退号 1.92 to 1.82 million.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE OR REPLACE FUNCTION regdesk.announce (payload text)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_pending text;
  v_done text;
  c text;
BEGIN
  IF pg_catalog.current_setting('regdesk.publish_after_commit', true) IS DISTINCT FROM 'on' THEN
    FOREACH c IN ARRAY pg_catalog.string_to_array(payload, ',') LOOP
      v_done := pg_catalog.pg_notify('rd_change', c);
    END LOOP;
    RETURN;
  END IF;
  v_pending := pg_catalog.current_setting('regdesk.pending_changes', true);
  IF v_pending IS NULL OR v_pending = '' THEN
    v_done := pg_catalog.set_config('regdesk.pending_changes', payload, true);
    RETURN;
  END IF;
  FOREACH c IN ARRAY pg_catalog.string_to_array(payload, ',') LOOP
    IF pg_catalog.strpos(',' || v_pending || ',', ',' || c || ',') = 0 THEN
      v_pending := v_pending || ',' || c;
    END IF;
  END LOOP;
  v_done := pg_catalog.set_config('regdesk.pending_changes', v_pending, true);
END
$$;

-- The four row triggers a booking or a 退号 fires return at once when
-- their writer counts and announces the row itself. (A WHEN clause on the
-- trigger would spare the call, but the executor reads a trigger's WHEN
-- back from its stored text at every statement, text constants byte by
-- byte: 23 000 instructions a table, more than the call it spares.)
CREATE OR REPLACE FUNCTION regdesk.slots_changed_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_done text;
BEGIN
  IF pg_catalog.current_setting('regdesk.row_events', true) = 'caller' THEN
    RETURN NULL;
  END IF;
  IF pg_catalog.current_setting('regdesk.bulk_load', true) IS DISTINCT FROM 'on' THEN
    v_done := regdesk.announce('session:' || NEW.hospital_id || ':' || NEW.session_id);
    IF OLD.session_id <> NEW.session_id THEN
      v_done := regdesk.announce('session:' || OLD.hospital_id || ':' || OLD.session_id);
    END IF;
  END IF;
  IF OLD.status = 'free' THEN
    v_done := regdesk.count_session(OLD.session_id, -(OLD.channel = 'window')::int,
                                    -(OLD.channel = 'online')::int,
                                    -(OLD.channel = 'phone')::int, 0);
  END IF;
  IF NEW.status = 'free' THEN
    v_done := regdesk.count_session(NEW.session_id, (NEW.channel = 'window')::int,
                                    (NEW.channel = 'online')::int,
                                    (NEW.channel = 'phone')::int, 0);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION regdesk.appointments_changed_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_was_live boolean;
  v_is_live boolean;
  v_done text;
BEGIN
  IF pg_catalog.current_setting('regdesk.row_events', true) = 'caller' THEN
    RETURN NULL;
  END IF;
  v_was_live := TG_OP <> 'INSERT' AND OLD.status IN ('pending_payment', 'booked', 'checked_in');
  v_is_live := TG_OP <> 'DELETE' AND NEW.status IN ('pending_payment', 'booked', 'checked_in');
  IF pg_catalog.current_setting('regdesk.bulk_load', true) IS DISTINCT FROM 'on' THEN
    IF TG_OP = 'DELETE' THEN
      v_done := regdesk.announce('appointment:' || OLD.hospital_id || ':' || OLD.id);
    ELSE
      v_done := regdesk.announce('appointment:' || NEW.hospital_id || ':' || NEW.id);
    END IF;
  END IF;
  IF v_was_live AND (NOT v_is_live OR OLD.session_id <> NEW.session_id) THEN
    v_done := regdesk.count_session(OLD.session_id, 0, 0, 0, -1);
  END IF;
  IF v_is_live AND (NOT v_was_live OR OLD.session_id <> NEW.session_id) THEN
    v_done := regdesk.count_session(NEW.session_id, 0, 0, 0, 1);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION regdesk.entity_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_done text;
BEGIN
  IF pg_catalog.current_setting('regdesk.row_events', true) = 'caller'
     OR pg_catalog.current_setting('regdesk.bulk_load', true) = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    v_done := regdesk.announce(TG_ARGV[0] || ':' || OLD.hospital_id || ':' || OLD.id);
  ELSE
    v_done := regdesk.announce(TG_ARGV[0] || ':' || NEW.hospital_id || ':' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION regdesk.sms_outbox_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_done text;
BEGIN
  IF pg_catalog.current_setting('regdesk.row_events', true) = 'caller' THEN
    RETURN NULL;
  END IF;
  v_done := regdesk.announce('sms:' || NEW.hospital_id || ':new');
  RETURN NULL;
END
$$;

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
  v_order_id bigint;
  v_texted boolean;
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
  -- The text's key names the new appointment, so it cannot be taken yet: a
  -- plain insert, not a speculative one (ON CONFLICT), which needs a second
  -- WAL record to confirm the row.
  -- The statement counts and announces its rows itself, so their row
  -- triggers pass them by (regdesk.row_events): the slot leaves its free
  -- pool and the appointment is live, one change to the session's counts.
  v_done := pg_catalog.set_config('regdesk.row_events', 'caller', true);
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
      FROM appt
    RETURNING id),
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
    RETURNING 1),
  counted AS (
    INSERT INTO regdesk.session_counts AS c
           (session_id, shard, free_window, free_online, free_phone, booked)
    VALUES (s.id, pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.%) 8,
            -(sl.channel = 'window')::int, -(sl.channel = 'online')::int,
            -(sl.channel = 'phone')::int, 1)
    ON CONFLICT (session_id, shard) DO UPDATE
       SET free_window = c.free_window OPERATOR(pg_catalog.+) excluded.free_window,
           free_online = c.free_online OPERATOR(pg_catalog.+) excluded.free_online,
           free_phone = c.free_phone OPERATOR(pg_catalog.+) excluded.free_phone,
           booked = c.booked OPERATOR(pg_catalog.+) excluded.booked)
  INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
  SELECT p_hospital_id, 'book', 'appointment', appt.id::text,
         pg_catalog.jsonb_build_object('session_id', s.id, 'patient_id', p_patient_id,
                                       'slot_seq', sl.seq, 'channel', p_channel,
                                       'order_no', v_order_no, 'via', p_via,
                                       'priority_reason', v_reason)
    FROM appt
  RETURNING entity_id::bigint, (SELECT ord.id FROM ord), EXISTS (SELECT FROM sms)
    INTO v_appt, v_order_id, v_texted;
  v_done := pg_catalog.set_config('regdesk.row_events', '', true);
  v_done := regdesk.announce(pg_catalog.concat_ws(',',
              'appointment:' || p_hospital_id || ':' || v_appt,
              'order:' || p_hospital_id || ':' || v_order_id,
              CASE WHEN v_texted THEN 'sms:' || p_hospital_id || ':new' END,
              'session:' || p_hospital_id || ':' || s.id));

  RETURN ROW(v_appt, v_order_no, sl.seq, v_status)::regdesk.booking;
END
$$;

CREATE OR REPLACE FUNCTION regdesk.cancel_appointment (p_request_id     text,
                                                       p_appointment_id bigint,
                                                       p_reason         text)
RETURNS regdesk.cancellation
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_request CONSTANT text := p_request_id;
  v_id CONSTANT bigint := p_appointment_id;
  v_reason CONSTANT text := nullif(btrim(coalesce(p_reason, '')), '');
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
  v_row record;
  v_slot record;
  v_closed text;
  v_done text;
BEGIN
  v_hid := regdesk.desk_request(v_request);
  SELECT * INTO a FROM regdesk.appointments x
   WHERE x.hospital_id = v_hid AND x.cancel_request_id = v_request;
  IF FOUND THEN
    IF a.id <> v_id THEN
      RAISE EXCEPTION 'request id % was used to cancel another appointment', v_request
        USING ERRCODE = 'RD309';
    END IF;
    SELECT * INTO o FROM regdesk.orders x WHERE x.appointment_id = a.id ORDER BY x.id LIMIT 1;
    SELECT w.granted_appointment_id INTO v_granted
      FROM regdesk.waitlist w
      JOIN regdesk.appointments g ON g.id = w.granted_appointment_id
     WHERE g.slot_id = a.slot_id AND g.created_at >= a.cancelled_at
     ORDER BY g.id LIMIT 1;
    RETURN ROW(a.id, o.order_no, o.status, o.refunded_amount, v_granted)::regdesk.cancellation;
  END IF;

  -- The slot's lock first, as a booking takes it, then the appointment's.
  SELECT sl.status, sl.channel INTO v_slot
    FROM regdesk.appointments x
    JOIN regdesk.slots sl ON sl.id = x.slot_id
   WHERE x.id = v_id AND x.hospital_id = v_hid
     FOR NO KEY UPDATE OF sl;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no appointment %', v_id USING ERRCODE = 'RD401';
  END IF;
  SELECT x AS a, se AS s, ho AS h,
         EXISTS (SELECT 1 FROM regdesk.waitlist w
                  WHERE w.session_id = x.session_id AND w.status = 'waiting') AS waiting
    INTO v_row
    FROM regdesk.appointments x
    JOIN regdesk.sessions se ON se.id = x.session_id
    JOIN regdesk.hospitals ho ON ho.id = x.hospital_id
   WHERE x.id = v_id
     FOR UPDATE OF x;
  a := v_row.a;
  s := v_row.s;
  h := v_row.h;
  IF a.status NOT IN ('pending_payment', 'booked') THEN
    RAISE EXCEPTION 'this appointment is %: it cannot be cancelled', replace(a.status, '_', ' ')
      USING ERRCODE = 'RD402';
  END IF;
  v_cutoff := regdesk.setting_int(h.settings, 'cancel_cutoff_minutes', 30);
  IF now() > regdesk.local_instant(s.date, s.starts_at, h.time_zone)
             - make_interval(mins => v_cutoff) THEN
    RAISE EXCEPTION 'appointments can be cancelled until % minutes before the session starts',
      v_cutoff USING ERRCODE = 'RD403';
  END IF;

  SELECT * INTO o FROM regdesk.orders x WHERE x.appointment_id = a.id ORDER BY x.id LIMIT 1
     FOR UPDATE;
  IF o.status = 'paid' THEN
    -- Back through the way it came: cash and card at once, gateways later.
    FOR y IN SELECT * FROM regdesk.payments x
              WHERE x.order_id = o.id AND x.status = 'succeeded' AND x.amount > 0
                -- A payment already going back (a surplus) is not refunded twice.
                AND NOT EXISTS (SELECT 1 FROM regdesk.refunds r WHERE r.payment_id = x.id)
              ORDER BY x.id
    LOOP
      INSERT INTO regdesk.refunds (hospital_id, payment_id, out_refund_no, amount, status,
                                   reason, finished_at)
      VALUES (v_hid, y.id, regdesk.next_trade_no('F', h.time_zone), y.amount,
              CASE WHEN y.method IN ('cash', 'card') THEN 'succeeded' ELSE 'pending' END,
              coalesce(v_reason, ''),
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
     WHERE x.id = o.id
    RETURNING * INTO o;
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

  -- The appointment, its slot, an unpaid order, the counts and the audit
  -- row in one statement, counted and announced here (regdesk.row_events):
  -- the appointment stops being live and the slot, if it was not free,
  -- returns to its pool.
  v_done := set_config('regdesk.row_events', 'caller', true);
  WITH cancelled AS (
    UPDATE regdesk.appointments x
       SET status = 'cancelled', cancelled_at = now(), cancel_reason = v_reason,
           cancel_request_id = v_request
     WHERE x.id = a.id),
  freed AS (
    UPDATE regdesk.slots x SET status = 'free', held_until = NULL, updated_at = now()
     WHERE x.id = a.slot_id),
  closed AS (
    UPDATE regdesk.orders x SET status = 'closed', closed_at = now()
     WHERE x.id = o.id AND o.status = 'unpaid'
    RETURNING x.status),
  counted AS (
    INSERT INTO regdesk.session_counts AS c
           (session_id, shard, free_window, free_online, free_phone, booked)
    VALUES (a.session_id, pg_backend_pid() % 8,
            (v_slot.status <> 'free' AND v_slot.channel = 'window')::int,
            (v_slot.status <> 'free' AND v_slot.channel = 'online')::int,
            (v_slot.status <> 'free' AND v_slot.channel = 'phone')::int, -1)
    ON CONFLICT (session_id, shard) DO UPDATE
       SET free_window = c.free_window + excluded.free_window,
           free_online = c.free_online + excluded.free_online,
           free_phone = c.free_phone + excluded.free_phone,
           booked = c.booked + excluded.booked)
  INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
  VALUES (v_hid, 'cancel', 'appointment', a.id::text,
          jsonb_build_object('reason', v_reason, 'order_no', o.order_no,
                             'refunded', v_refunded, 'refund_pending', v_pending))
  RETURNING (SELECT c.status FROM closed c) INTO v_closed;
  v_done := set_config('regdesk.row_events', '', true);
  v_done := regdesk.announce(concat_ws(',',
              'appointment:' || v_hid || ':' || a.id,
              CASE WHEN v_closed IS NOT NULL THEN 'order:' || v_hid || ':' || o.id END,
              'session:' || v_hid || ':' || a.session_id));
  IF v_closed IS NOT NULL THEN
    o.status := v_closed;
  END IF;

  -- Both helpers are called only when they may have something to do.
  IF v_row.waiting THEN
    v_granted := regdesk.grant_waitlist(a.slot_id);
  END IF;
  IF v_granted IS NULL AND (s.online_cutoff_at <= now() OR s.phone_cutoff_at <= now()) THEN
    PERFORM regdesk.release_pools(a.session_id);
  END IF;

  RETURN ROW(a.id, o.order_no, o.status, o.refunded_amount, v_granted)::regdesk.cancellation;
END
$$;
