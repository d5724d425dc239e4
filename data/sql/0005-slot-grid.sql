-- 0005-slot-grid.sql: the slots of one session, as the desk's slot grid shows them
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- The grid re-reads one session on every "session:<h>:<id>" notification,
-- so the read is one call: slots from UNIQUE (session_id, seq), the
-- session's appointments from appointments (session_id, status), patients
-- by primary key.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- A name for a screen others can see: first and last character kept, the
-- rest starred (张*三, 李*, 欧**明); one character stays as it is.
CREATE FUNCTION regdesk.mask_name (name text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE
           WHEN pg_catalog.char_length(n) <= 1 THEN n
           WHEN pg_catalog.char_length(n) = 2 THEN pg_catalog.left(n, 1) || '*'
           ELSE pg_catalog.left(n, 1) || pg_catalog.repeat('*', pg_catalog.char_length(n) - 2)
                || pg_catalog.right(n, 1)
         END
    FROM (SELECT pg_catalog.btrim(name) AS n) AS t
$$;
COMMENT ON FUNCTION regdesk.mask_name (text) IS
  'A patient name as a shared screen may show it: 张*三.';

CREATE FUNCTION api.session_slots (session_id bigint)
RETURNS TABLE (seq            int,
               starts_at      text,
               ends_at        text,
               channel        text,
               status         text,
               held_until     text,
               appointment_id bigint,
               patient_label  text,
               queue_no       int,
               order_no       text,
               order_amount   bigint,
               order_status   text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_session CONSTANT bigint := session_slots.session_id;
  v_hid bigint;
  v_tz text;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin');
  SELECT h.id, coalesce(h.time_zone, 'Asia/Shanghai')
    INTO v_hid, v_tz
    FROM regdesk.hospitals h
   WHERE h.id = regdesk.caller_hospital();

  -- Another hospital's session, or none: no rows, so a grid left on a
  -- deleted session simply empties. Checked apart so that the slots are
  -- read by session alone, in seq order, from UNIQUE (session_id, seq).
  IF NOT EXISTS (SELECT 1 FROM regdesk.sessions s
                  WHERE s.id = v_session AND s.hospital_id = v_hid) THEN
    RETURN;
  END IF;

  RETURN QUERY
    WITH appointment AS (
      -- The newest appointment still holding each slot: live ones, and the
      -- finished ones (completed, no-show) that a checked-in or no-show
      -- slot keeps showing.
      SELECT DISTINCT ON (a.slot_id) a.slot_id, a.id, a.patient_id, a.queue_no
        FROM regdesk.appointments a
       WHERE a.session_id = v_session
         AND a.status IN ('pending_payment', 'booked', 'checked_in', 'completed', 'no_show')
       ORDER BY a.slot_id, a.created_at DESC, a.id DESC)
    SELECT sl.seq,
           to_char(sl.starts_at AT TIME ZONE v_tz, 'HH24:MI'),
           to_char(sl.ends_at AT TIME ZONE v_tz, 'HH24:MI'),
           sl.channel,
           sl.status,
           to_char(sl.held_until AT TIME ZONE v_tz, 'HH24:MI'),
           ap.id,
           regdesk.mask_name(p.name),
           ap.queue_no,
           o.order_no,
           o.amount,
           o.status
      FROM regdesk.slots sl
      LEFT JOIN appointment ap
        ON ap.slot_id = sl.id
       AND sl.status IN ('held', 'booked', 'paid', 'checked_in', 'no_show')
      LEFT JOIN regdesk.patients p ON p.id = ap.patient_id
      -- the desk takes the fee, reprints and refunds by the order
      LEFT JOIN LATERAL (SELECT o.order_no, o.amount, o.status
                           FROM regdesk.orders o
                          WHERE o.appointment_id = ap.id
                          ORDER BY o.created_at DESC, o.id DESC
                          LIMIT 1) o ON true
     WHERE sl.session_id = v_session
     ORDER BY sl.seq;
END
$$;
COMMENT ON FUNCTION api.session_slots (bigint) IS
  'The slots of one session in seq order: local HH:MM times, channel pool, status, hold '
  'end, and for taken slots the appointment, the masked patient name, the queue number '
  '(given at check-in) and the appointment''s order.';

REVOKE ALL ON FUNCTION regdesk.mask_name (text), api.session_slots (bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.session_slots (bigint)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
