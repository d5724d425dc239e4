-- 0011-session-counts.sql: each session's free slots and bookings, kept as counters
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- api.session_overview counted a session's free slots and live bookings
-- on every read: an index scan over every free slot and every booking of
-- the session, with a heap visit for most of them since slots change all
-- day (1 446 heap fetches for one session of 2 000 slots, several
-- milliseconds). Every desk re-read its roster's session after every
-- booking anywhere, so N desks paid N countings per booking.
--
-- The counts are now kept by triggers in regdesk.session_counts, and a
-- reading sums a few rows. Each session has up to 8 rows (shards): a
-- transaction adds its changes to the row of its backend (pid modulo 8),
-- so desks booking one hot session at once rarely wait for each other's
-- commit on one counter row. A row's free counts may go below zero (slots
-- freed by one backend, taken by another); only the sum means something.
--
-- api.publish now also sends, for each session a booking or 退号 changed,
--   free:<hospital>:<session>:<free window>:<free online>:<free phone>:<booked>
-- so that the desks' rosters show the new counts without a query of their
-- own.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE TABLE regdesk.session_counts (
  session_id  bigint NOT NULL,
  shard       int NOT NULL,
  free_window int NOT NULL DEFAULT 0,
  free_online int NOT NULL DEFAULT 0,
  free_phone  int NOT NULL DEFAULT 0,
  booked      int NOT NULL DEFAULT 0,
  PRIMARY KEY (session_id, shard)
) WITH (fillfactor = 50);
COMMENT ON TABLE regdesk.session_counts IS
  'Free slots per channel and live appointments of a session, as the sum of its rows.';

-- Staff read it like the rest of their tables (api.publish does, as them).
GRANT SELECT ON regdesk.session_counts
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin, regdesk_worker;

-- One upsert into this backend's row. PL/pgSQL, so that its plan is kept:
-- a SQL function that is not inlined is parsed and planned on every call.
CREATE FUNCTION regdesk.count_session (p_session_id bigint,
                                       p_window     int,
                                       p_online     int,
                                       p_phone      int,
                                       p_booked     int)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  INSERT INTO regdesk.session_counts AS c
         (session_id, shard, free_window, free_online, free_phone, booked)
  VALUES (p_session_id, pg_catalog.pg_backend_pid() OPERATOR(pg_catalog.%) 8,
          p_window, p_online, p_phone, p_booked)
  ON CONFLICT (session_id, shard) DO UPDATE
     SET free_window = c.free_window OPERATOR(pg_catalog.+) excluded.free_window,
         free_online = c.free_online OPERATOR(pg_catalog.+) excluded.free_online,
         free_phone = c.free_phone OPERATOR(pg_catalog.+) excluded.free_phone,
         booked = c.booked OPERATOR(pg_catalog.+) excluded.booked;
END
$$;

-- Slots: an updated row (a booking, a 退号, a release) fires one trigger,
-- which announces its session (unless a bulk load runs: 0008) and counts a
-- free slot taken or given back. Inserts and deletes keep 0008's row
-- trigger for the announcement, and count in a statement trigger: a
-- generated roster counts once per session.
CREATE FUNCTION regdesk.slots_changed_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF pg_catalog.current_setting('regdesk.bulk_load', true) IS DISTINCT FROM 'on' THEN
    PERFORM regdesk.announce('session:' || NEW.hospital_id || ':' || NEW.session_id);
    IF OLD.session_id <> NEW.session_id THEN
      PERFORM regdesk.announce('session:' || OLD.hospital_id || ':' || OLD.session_id);
    END IF;
  END IF;
  IF OLD.status = 'free' THEN
    PERFORM regdesk.count_session(OLD.session_id, -(OLD.channel = 'window')::int,
                                  -(OLD.channel = 'online')::int,
                                  -(OLD.channel = 'phone')::int, 0);
  END IF;
  IF NEW.status = 'free' THEN
    PERFORM regdesk.count_session(NEW.session_id, (NEW.channel = 'window')::int,
                                  (NEW.channel = 'online')::int,
                                  (NEW.channel = 'phone')::int, 0);
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.slots_count_statement ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_sign int := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
  PERFORM regdesk.count_session(r.session_id, v_sign * r.w, v_sign * r.o, v_sign * r.p, 0)
     FROM (SELECT n.session_id,
                  count(*) FILTER (WHERE n.status = 'free' AND n.channel = 'window')::int AS w,
                  count(*) FILTER (WHERE n.status = 'free' AND n.channel = 'online')::int AS o,
                  count(*) FILTER (WHERE n.status = 'free' AND n.channel = 'phone')::int AS p
             FROM changed_rows n GROUP BY n.session_id ORDER BY 1) r;
  RETURN NULL;
END
$$;

DROP TRIGGER slots_notify ON regdesk.slots;
CREATE TRIGGER slots_notify AFTER INSERT OR DELETE ON regdesk.slots
  FOR EACH ROW WHEN (pg_catalog.current_setting('regdesk.bulk_load', true)
                     IS DISTINCT FROM 'on')
  EXECUTE FUNCTION regdesk.slots_notify_row();
CREATE TRIGGER slots_changed AFTER UPDATE ON regdesk.slots
  FOR EACH ROW EXECUTE FUNCTION regdesk.slots_changed_row();
CREATE TRIGGER slots_count_insert AFTER INSERT ON regdesk.slots
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT
  EXECUTE FUNCTION regdesk.slots_count_statement();
CREATE TRIGGER slots_count_delete AFTER DELETE ON regdesk.slots
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT
  EXECUTE FUNCTION regdesk.slots_count_statement();

-- Appointments: every change announces the appointment (unless a bulk
-- load runs), and one that makes it live (holding its slot) or ends that
-- counts it; one trigger for both.
CREATE FUNCTION regdesk.appointments_changed_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  v_was_live boolean := TG_OP <> 'INSERT'
                        AND OLD.status IN ('pending_payment', 'booked', 'checked_in');
  v_is_live boolean := TG_OP <> 'DELETE'
                       AND NEW.status IN ('pending_payment', 'booked', 'checked_in');
BEGIN
  IF pg_catalog.current_setting('regdesk.bulk_load', true) IS DISTINCT FROM 'on' THEN
    IF TG_OP = 'DELETE' THEN
      PERFORM regdesk.announce('appointment:' || OLD.hospital_id || ':' || OLD.id);
    ELSE
      PERFORM regdesk.announce('appointment:' || NEW.hospital_id || ':' || NEW.id);
    END IF;
  END IF;
  IF v_was_live AND (NOT v_is_live OR OLD.session_id <> NEW.session_id) THEN
    PERFORM regdesk.count_session(OLD.session_id, 0, 0, 0, -1);
  END IF;
  IF v_is_live AND (NOT v_was_live OR OLD.session_id <> NEW.session_id) THEN
    PERFORM regdesk.count_session(NEW.session_id, 0, 0, 0, 1);
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER appointments_notify ON regdesk.appointments;
CREATE TRIGGER appointments_changed AFTER INSERT OR UPDATE OR DELETE ON regdesk.appointments
  FOR EACH ROW EXECUTE FUNCTION regdesk.appointments_changed_row();

-- TRUNCATE fires no row triggers: the counts of what it emptied go too.
CREATE FUNCTION regdesk.counts_truncated ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_TABLE_NAME = 'slots' THEN
    UPDATE regdesk.session_counts SET free_window = 0, free_online = 0, free_phone = 0;
  ELSE
    UPDATE regdesk.session_counts SET booked = 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER slots_count_truncate AFTER TRUNCATE ON regdesk.slots
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.counts_truncated();
CREATE TRIGGER appointments_count_truncate AFTER TRUNCATE ON regdesk.appointments
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.counts_truncated();

REVOKE ALL ON FUNCTION regdesk.count_session (bigint, int, int, int, int),
                       regdesk.slots_changed_row (), regdesk.slots_count_statement (),
                       regdesk.appointments_changed_row (), regdesk.counts_truncated ()
  FROM PUBLIC;

-- What is there already, in shard 0.
INSERT INTO regdesk.session_counts (session_id, shard, free_window, free_online, free_phone,
                                    booked)
SELECT s.id, 0,
       (SELECT count(*) FROM regdesk.slots sl
         WHERE sl.session_id = s.id AND sl.status = 'free' AND sl.channel = 'window'),
       (SELECT count(*) FROM regdesk.slots sl
         WHERE sl.session_id = s.id AND sl.status = 'free' AND sl.channel = 'online'),
       (SELECT count(*) FROM regdesk.slots sl
         WHERE sl.session_id = s.id AND sl.status = 'free' AND sl.channel = 'phone'),
       (SELECT count(*) FROM regdesk.appointments a
         WHERE a.session_id = s.id AND a.status IN ('pending_payment', 'booked', 'checked_in'))
  FROM regdesk.sessions s;

-- The same view, summing the counters.
CREATE OR REPLACE VIEW api.session_overview AS
SELECT s.id,
       s.hospital_id,
       s.department_id,
       dep.name AS department_name,
       dep.code AS department_code,
       dep.pinyin AS department_pinyin,
       s.doctor_id,
       doc.name AS doctor_name,
       doc.title AS doctor_title,
       s.clinic_type,
       s.fee,
       regdesk.date_text(s.date) AS date,
       s.period,
       s.starts_at,
       s.ends_at,
       s.status,
       s.policy,
       s.capacity,
       coalesce(f.free_window, 0) AS free_window,
       coalesce(f.free_online, 0) AS free_online,
       coalesce(f.free_phone, 0) AS free_phone,
       coalesce(f.booked, 0) AS booked
  FROM regdesk.sessions s
  JOIN regdesk.departments dep ON dep.id = s.department_id
  JOIN regdesk.doctors doc ON doc.id = s.doctor_id
  LEFT JOIN LATERAL (
    SELECT sum(c.free_window) AS free_window,
           sum(c.free_online) AS free_online,
           sum(c.free_phone) AS free_phone,
           sum(c.booked) AS booked
      FROM regdesk.session_counts c
     WHERE c.session_id = s.id) f ON true;

-- The announcement of a booking or 退号 (0010) with each changed session's
-- counts as they are after its commit. Two desks' announcements of one
-- session may cross on the way: the roster also re-reads the session on
-- 'session:…', and that answer is the one that stays.
CREATE OR REPLACE PROCEDURE api.publish (changes text)
LANGUAGE plpgsql
AS $$
DECLARE
  c text;
  v_parts text[];
  r record;
BEGIN
  PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
  FOREACH c IN ARRAY pg_catalog.string_to_array(coalesce(changes, ''), ',') LOOP
    PERFORM pg_catalog.pg_notify('rd_change', c);
    CONTINUE WHEN NOT pg_catalog.starts_with(c, 'session:');
    v_parts := pg_catalog.string_to_array(c, ':');
    SELECT coalesce(sum(x.free_window), 0) AS w, coalesce(sum(x.free_online), 0) AS o,
           coalesce(sum(x.free_phone), 0) AS p, coalesce(sum(x.booked), 0) AS b
      INTO r
      FROM regdesk.session_counts x
     WHERE x.session_id = v_parts[3]::bigint;
    PERFORM pg_catalog.pg_notify('rd_change',
                                 pg_catalog.concat_ws(':', 'free', v_parts[2], v_parts[3],
                                                      r.w, r.o, r.p, r.b));
  END LOOP;
END
$$;
COMMENT ON PROCEDURE api.publish (text) IS
  'NOTIFYs the comma-separated change payloads and free:… with the counts of each session '
  'among them: the second step of api.book_and_publish and api.cancel_and_publish.';
