-- 0009-sms-worker.sql: what regdesk-ctl worker asks of the database to send
-- the SMS outbox and the day-before reminders
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- The outbox row's life: pending → sending (claimed, with a lease) → sent;
-- or → failed (retried after an exponential back-off) → ... → dead (after
-- sms_max_attempts, or at once for a final refusal such as a bad number).
-- A worker that dies while sending leaves its rows 'sending' with a lease
-- (next_attempt_at) that runs out; another worker then takes them again.
-- Each claim increments attempts, and only the claim holding that attempt
-- number may record the result, so a late answer to an expired lease
-- changes nothing.
--
-- Hospital settings (regdesk.hospitals.settings, whole numbers):
--   sms_quiet_start_hour (21), sms_quiet_end_hour (8): local hours between
--     which nothing is sent; due rows are moved to the end of the quiet time
--     (equal hours: no quiet time);
--   sms_max_per_phone_per_hour (5): more to one number within an hour is
--     moved to when the oldest of them is an hour old;
--   sms_backoff_base_seconds (60), sms_backoff_max_seconds (3600): the
--     n-th failure waits base · 2^(n-1), at most max;
--   sms_max_attempts (10);
--   sms_lease_seconds (300): how long a claim may stay unanswered;
--   sms_reminder_hour (18): from this local hour on, tomorrow's booked
--     appointments get their reminder (once: the dedup key is per
--     appointment).

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

ALTER TABLE regdesk.sms_outbox ADD COLUMN claimed_by text;
COMMENT ON COLUMN regdesk.sms_outbox.claimed_by IS
  'The worker that claimed the row last (for people reading the queue).';

-- Claims of crashed workers, found when their lease runs out.
CREATE INDEX sms_outbox_sending_idx ON regdesk.sms_outbox (next_attempt_at)
  WHERE status = 'sending';
-- The per-number rate limit counts recent messages to one number.
CREATE INDEX sms_outbox_phone_idx ON regdesk.sms_outbox (to_phone, sent_at)
  WHERE status IN ('sent', 'sending');

-- A new outbox row wakes the workers: NOTIFY rd_change 'sms:<hospital>:<id>'
-- (the highest new id of the statement per hospital: one wake-up is enough).
CREATE FUNCTION regdesk.sms_outbox_notify ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM pg_catalog.pg_notify('rd_change', 'sms:' || r.hospital_id || ':' || r.id)
     FROM (SELECT n.hospital_id, max(n.id) AS id FROM new_rows n
            GROUP BY n.hospital_id ORDER BY 1) r;
  RETURN NULL;
END
$$;

CREATE TRIGGER sms_outbox_notify_insert AFTER INSERT ON regdesk.sms_outbox
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION regdesk.sms_outbox_notify();

-- The end of the quiet time that @at falls in, or NULL when @at is not in
-- one. Hours are local to @tz; start > end spans midnight.
CREATE FUNCTION regdesk.sms_quiet_until (at timestamptz, tz text, start_hour int, end_hour int)
RETURNS timestamptz
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  v_local timestamp := at AT TIME ZONE tz;
  v_hour int := extract(hour FROM v_local)::int;
  v_end timestamp;
BEGIN
  IF start_hour = end_hour
     OR start_hour NOT BETWEEN 0 AND 23 OR end_hour NOT BETWEEN 0 AND 23 THEN
    RETURN NULL;
  END IF;
  IF (start_hour < end_hour AND v_hour >= start_hour AND v_hour < end_hour)
     OR (start_hour > end_hour AND (v_hour >= start_hour OR v_hour < end_hour)) THEN
    v_end := date_trunc('day', v_local) + make_interval(hours => end_hour);
    IF v_end <= v_local THEN
      v_end := v_end + interval '1 day';
    END IF;
    RETURN v_end AT TIME ZONE tz;
  END IF;
  RETURN NULL;
END
$$;

-- Takes up to @max_rows due rows for @worker: each comes back 'sending'
-- with its attempt number, or is moved on (quiet hours, rate limit) and
-- does not come back. Several workers may call it at once: rows another
-- worker holds are skipped, and the per-number count is taken under a
-- per-number lock so two workers never both take the last allowed message
-- (a number another worker is deciding on is left for the next pass).
CREATE FUNCTION api.sms_claim (worker text, max_rows int DEFAULT 20)
RETURNS TABLE (id          bigint,
               hospital_id bigint,
               to_phone    text,
               template    text,
               params      jsonb,
               dedup_key   text,
               attempt     int)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  r regdesk.sms_outbox;
  h regdesk.hospitals;
  v_until timestamptz;
  v_recent int;
  v_oldest timestamptz;
  v_limit int;
  v_lease int;
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_admin');
  IF coalesce(max_rows, 0) <= 0 THEN
    RETURN;
  END IF;
  FOR r IN SELECT * FROM regdesk.sms_outbox x
            WHERE x.next_attempt_at <= now() AND x.status IN ('pending', 'failed', 'sending')
            ORDER BY x.next_attempt_at, x.id
            LIMIT max_rows
              FOR UPDATE SKIP LOCKED
  LOOP
    SELECT * INTO h FROM regdesk.hospitals x WHERE x.id = r.hospital_id;

    v_until := regdesk.sms_quiet_until(now(), h.time_zone,
                                       regdesk.setting_int(h.settings, 'sms_quiet_start_hour', 21),
                                       regdesk.setting_int(h.settings, 'sms_quiet_end_hour', 8));
    IF v_until IS NOT NULL THEN
      UPDATE regdesk.sms_outbox x
         SET status = CASE x.status WHEN 'sending' THEN 'failed' ELSE x.status END,
             next_attempt_at = v_until
       WHERE x.id = r.id;
      CONTINUE;
    END IF;

    -- Try, never wait: two workers taking numbers in different orders must
    -- not deadlock. A row whose number is busy stays due for the next pass.
    IF NOT pg_try_advisory_xact_lock(hashtext('regdesk.sms:' || r.to_phone)) THEN
      CONTINUE;
    END IF;
    v_limit := regdesk.setting_int(h.settings, 'sms_max_per_phone_per_hour', 5);
    SELECT count(*), min(coalesce(x.sent_at, now())) INTO v_recent, v_oldest
      FROM regdesk.sms_outbox x
     WHERE x.to_phone = r.to_phone AND x.id <> r.id
       AND ((x.status = 'sent' AND x.sent_at > now() - interval '1 hour')
            OR (x.status = 'sending' AND x.next_attempt_at > now()));
    IF v_limit > 0 AND v_recent >= v_limit THEN
      UPDATE regdesk.sms_outbox x
         SET status = CASE x.status WHEN 'sending' THEN 'failed' ELSE x.status END,
             next_attempt_at = greatest(v_oldest + interval '1 hour', now() + interval '1 second')
       WHERE x.id = r.id;
      CONTINUE;
    END IF;

    v_lease := greatest(regdesk.setting_int(h.settings, 'sms_lease_seconds', 300), 10);
    UPDATE regdesk.sms_outbox x
       SET status = 'sending', attempts = x.attempts + 1, claimed_by = worker,
           next_attempt_at = now() + make_interval(secs => v_lease)
     WHERE x.id = r.id
    RETURNING * INTO r;
    id := r.id;
    hospital_id := r.hospital_id;
    to_phone := r.to_phone;
    template := r.template;
    params := r.params;
    dedup_key := r.dedup_key;
    attempt := r.attempts;
    RETURN NEXT;
  END LOOP;
END
$$;
COMMENT ON FUNCTION api.sms_claim (text, int) IS
  'Claims due SMS outbox rows (FOR UPDATE SKIP LOCKED) for one worker, applying quiet hours '
  'and the per-number rate limit; the rows come back as sending with their attempt number.';

-- Records a message the gateway accepted. FALSE when the claim is no
-- longer this attempt's (its lease ran out and another worker took it).
CREATE FUNCTION api.sms_mark_sent (id bigint, attempt int, provider text, message_id text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_admin');
  UPDATE regdesk.sms_outbox x
     SET status = 'sent', sent_at = now(), provider = sms_mark_sent.provider,
         provider_message_id = sms_mark_sent.message_id, last_error = NULL
   WHERE x.id = sms_mark_sent.id AND x.status = 'sending' AND x.attempts = sms_mark_sent.attempt;
  RETURN FOUND;
END
$$;
COMMENT ON FUNCTION api.sms_mark_sent (bigint, int, text, text) IS
  'Marks a claimed SMS outbox row sent, if the claim of that attempt still holds it.';

-- Records a failed attempt: 'failed' with the next attempt after the
-- back-off (at least @retry_after seconds when the gateway asked to slow
-- down), or 'dead' when it was final or the attempts are used up. Returns
-- the row's new status, or NULL when the claim no longer holds it.
CREATE FUNCTION api.sms_mark_failed (id          bigint,
                                     attempt     int,
                                     provider    text,
                                     error_text  text,
                                     retryable   boolean,
                                     retry_after int DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  r regdesk.sms_outbox;
  h regdesk.hospitals;
  v_base int;
  v_cap int;
  v_delay double precision;
  v_status text;
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_admin');
  SELECT * INTO r FROM regdesk.sms_outbox x
   WHERE x.id = sms_mark_failed.id AND x.status = 'sending'
     AND x.attempts = sms_mark_failed.attempt
     FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  SELECT * INTO h FROM regdesk.hospitals x WHERE x.id = r.hospital_id;

  v_base := greatest(regdesk.setting_int(h.settings, 'sms_backoff_base_seconds', 60), 0);
  v_cap := greatest(regdesk.setting_int(h.settings, 'sms_backoff_max_seconds', 3600), v_base);
  v_delay := least(v_cap::double precision,
                   v_base * power(2::double precision, least(r.attempts - 1, 30)));
  v_delay := greatest(v_delay, coalesce(retry_after, 0));

  IF NOT coalesce(retryable, false)
     OR r.attempts >= regdesk.setting_int(h.settings, 'sms_max_attempts', 10) THEN
    v_status := 'dead';
  ELSE
    v_status := 'failed';
  END IF;
  UPDATE regdesk.sms_outbox x
     SET status = v_status, provider = sms_mark_failed.provider,
         last_error = left(sms_mark_failed.error_text, 500),
         next_attempt_at = CASE v_status WHEN 'failed'
                                         THEN now() + make_interval(secs => v_delay)
                                         ELSE x.next_attempt_at END
   WHERE x.id = r.id;
  RETURN v_status;
END
$$;
COMMENT ON FUNCTION api.sms_mark_failed (bigint, int, text, text, boolean, int) IS
  'Records a failed SMS attempt: retried after an exponential back-off, or dead when final '
  'or out of attempts.';

-- Queues the reminder of every booked (paid) appointment of tomorrow whose
-- patient has a mobile number, in each hospital whose local clock is past
-- its sms_reminder_hour. Returns the rows added (each appointment once).
CREATE FUNCTION api.sms_enqueue_reminders ()
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  n int;
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_admin');
  INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key)
  SELECT a.hospital_id, p.phone, 'reminder',
         jsonb_build_object('name', p.name, 'department', dep.name, 'doctor', doc.name,
                            'date', regdesk.date_text(s.date),
                            'time', to_char(sl.starts_at AT TIME ZONE h.time_zone, 'HH24:MI'),
                            'queue_no', sl.seq),
         'reminder:' || a.id
    FROM regdesk.hospitals h
    JOIN regdesk.sessions s
      ON s.hospital_id = h.id AND s.date = (now() AT TIME ZONE h.time_zone)::date + 1
    JOIN regdesk.appointments a ON a.session_id = s.id
    JOIN regdesk.patients p ON p.id = a.patient_id
    JOIN regdesk.slots sl ON sl.id = a.slot_id
    JOIN regdesk.departments dep ON dep.id = s.department_id
    JOIN regdesk.doctors doc ON doc.id = s.doctor_id
   WHERE extract(hour FROM now() AT TIME ZONE h.time_zone)
           >= regdesk.setting_int(h.settings, 'sms_reminder_hour', 18)
     AND s.status = 'open' AND a.status = 'booked' AND p.phone IS NOT NULL
  ORDER BY a.id
  ON CONFLICT (dedup_key) DO NOTHING;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION api.sms_enqueue_reminders () IS
  'Queues the day-before reminders of tomorrow''s booked appointments once the hospital''s '
  'sms_reminder_hour has come; each appointment once.';

-- Privileges ---------------------------------------------------------------------------

REVOKE ALL ON FUNCTION regdesk.sms_outbox_notify (), regdesk.sms_quiet_until (timestamptz, text,
                                                                               int, int),
                       api.sms_claim (text, int), api.sms_mark_sent (bigint, int, text, text),
                       api.sms_mark_failed (bigint, int, text, text, boolean, int),
                       api.sms_enqueue_reminders ()
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.sms_claim (text, int),
                          api.sms_mark_sent (bigint, int, text, text),
                          api.sms_mark_failed (bigint, int, text, text, boolean, int),
                          api.sms_enqueue_reminders ()
  TO regdesk_worker, regdesk_admin;
