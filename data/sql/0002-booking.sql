-- 0002-booking.sql: patients, booking, desk payments, cancellation, check-in,
-- lottery, waiting list and the maintenance job
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Refusals (SQLSTATE, what the clerk reads):
--   RD201 name required            RD207 duplicate patient (DETAIL patient_id=N)
--   RD202 sex must be F or M       RD208 no such patient
--   RD203 bad document number      RD209 impossible birth date
--   RD204 resident ID check fails  RD210 bad medical card number
--   RD205 ID disagrees with birth  RD211 bad pinyin initials
--         date or sex              RD212 medical card already used (DETAIL)
--   RD206 bad mobile number
--   RD301 no such session          RD309 request id missing or reused
--   RD302 session not open                 for something else
--   RD303 session is over          RD310 priority reason not met
--   RD304 unknown channel          RD312 channel pool closed (cut-off)
--   RD305 no free slot in the pool RD313 lottery session not drawn yet
--   RD306 chosen slot unavailable  RD314 remaining slots held for priority
--   RD307 one booking per patient
--         per doctor per day
--   RD308 daily maximum reached
--   RD401 no such appointment      RD403 too late to cancel
--   RD402 appointment not cancellable in its state
--   RD501 no such order            RD504 cash tendered below the fee
--   RD502 order already paid       RD505 card reference required
--   RD503 order closed or its payment window passed
--   RD601 not paid yet             RD603 check-in only on the day
--   RD602 not checkable in its state RD604 session is over
--   RD701 not a lottery session    RD704 patient already in this lottery
--   RD702 lottery requests closed  RD705 too early to draw
--   RD703 lottery is for the online and phone pools
--   RD706 not drawn yet (no seed)
--   RD801 free slots left: book instead
--   RD802 already on the waiting list
--
-- Allocation rules:
-- * fcfs: the earliest free slot of the channel's pool (or the chosen one).
-- * priority: inside each channel the earliest priority_reserved_percent
--   (default 20 %, rounded up) of the pool's slots are held for priority
--   patients (elderly at or over priority_age on the visit day, disabled,
--   military, or urgent as the clerk judges) until priority_hold_minutes
--   (default 60) before the session starts; a priority patient always takes
--   the earliest free slot, others the earliest free slot after the held
--   ones. So priority patients are seen first and never find the pool
--   emptied by others before the hold ends.
-- * lottery: the online and phone pools are allocated by the draw only
--   (requests collected until lottery_draw_at, ranked by md5(seed:request
--   id)); the window books as fcfs. After the draw leftovers are fcfs.
-- * waiting list: a released slot (cancel, expiry) goes to the oldest
--   waiting entry of the same session and channel whose patient may still
--   book under the rules, in the same transaction.
-- * pools: the online and phone pools' free slots join the window pool at
--   the session's cut-off times (lazily in api.book and api.cancel, and in
--   regdesk.run_maintenance).
--
-- Concurrency: bookers lock rows in one order (request id lock → patient
-- lock → slot → appointment → order) and take slots with SKIP LOCKED, so
-- two windows booking the same session never wait on each other. The
-- per-patient advisory lock makes the per-doctor-per-day rule and the daily
-- maximum hold under concurrency; the request id lock makes a retried
-- request return the first result.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- A worker role (the maintenance job; the worker command comes later).
DO $roles$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'regdesk_worker') THEN
    CREATE ROLE regdesk_worker NOLOGIN;
  END IF;
END
$roles$;
GRANT USAGE ON SCHEMA regdesk, api TO regdesk_worker;

-- Columns and indexes --------------------------------------------------------

ALTER TABLE regdesk.patients ADD COLUMN request_id text CHECK (request_id <> '');
CREATE UNIQUE INDEX patients_request_key ON regdesk.patients (hospital_id, request_id)
  WHERE request_id IS NOT NULL;
-- Medical card prefix search (patients_card_key is not a pattern index).
CREATE INDEX patients_card_prefix_idx ON regdesk.patients (hospital_id,
                                                          card_no text_pattern_ops);
-- Duplicate detection: same name, birth date and phone.
CREATE INDEX patients_person_idx ON regdesk.patients (hospital_id, name, birth_date);

ALTER TABLE regdesk.appointments ADD COLUMN cancel_request_id text
  CHECK (cancel_request_id <> '');
CREATE UNIQUE INDEX appointments_cancel_request_key
  ON regdesk.appointments (hospital_id, cancel_request_id) WHERE cancel_request_id IS NOT NULL;

ALTER TABLE regdesk.payments ADD COLUMN request_id text CHECK (request_id <> '');
CREATE UNIQUE INDEX payments_request_key ON regdesk.payments (hospital_id, request_id)
  WHERE request_id IS NOT NULL;

ALTER TABLE regdesk.waitlist ADD COLUMN request_id text CHECK (request_id <> '');
CREATE UNIQUE INDEX waitlist_request_key ON regdesk.waitlist (hospital_id, request_id)
  WHERE request_id IS NOT NULL;

ALTER TABLE regdesk.sessions ADD COLUMN lottery_drawn_at timestamptz;
COMMENT ON COLUMN regdesk.sessions.lottery_drawn_at IS
  'When regdesk.lottery_draw() ranked the requests (NULL: not drawn).';

-- Unpaid holds past their payment window, found without reading every slot.
CREATE INDEX slots_held_idx ON regdesk.slots (held_until) WHERE status = 'held';
CREATE INDEX ON regdesk.lottery_requests (session_id, status);

CREATE SEQUENCE regdesk.order_no_seq;
CREATE SEQUENCE regdesk.trade_no_seq;

CREATE TYPE regdesk.booking AS
(
  appointment_id bigint,
  order_no       text,
  slot_seq       int,
  status         text
);

-- Helpers ---------------------------------------------------------------------

CREATE FUNCTION regdesk.setting_int (settings jsonb, key text, fallback int)
RETURNS int
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce((settings ->> key)::int, fallback) $$;

-- 1234 fen → '12.34', for messages.
CREATE FUNCTION regdesk.yuan (fen bigint)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT to_char(fen / 100.0, 'FM999999999990.00') $$;

-- Wall-clock date and time of the hospital as an instant.
CREATE FUNCTION regdesk.local_instant (d date, t time, tz text)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (d + t) AT TIME ZONE tz $$;

-- A LIKE pattern matching strings that start with @prefix literally.
CREATE FUNCTION regdesk.like_prefix (prefix text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT replace(replace(replace(prefix, '\', '\\'), '%', '\%'), '_', '\_') || '%' $$;

-- Advisory lock classes (two-key form): 'RDRQ' request ids, 'RDPT'
-- patients, 'RDPD' patient duplicate checks.
CREATE FUNCTION regdesk.lock_request (request_id text)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_advisory_xact_lock(1380209233, hashtext(request_id)) $$;

CREATE FUNCTION regdesk.lock_patient (patient_id bigint)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_advisory_xact_lock(1380209748, (patient_id % 2147483647)::int) $$;

CREATE FUNCTION regdesk.next_order_no (tz text)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n text := nextval('regdesk.order_no_seq')::text;
BEGIN
  RETURN 'R' || to_char(now() AT TIME ZONE tz, 'YYMMDD')
         || lpad(n, greatest(8, length(n)), '0');
END
$$;

CREATE FUNCTION regdesk.next_trade_no (prefix text, tz text)
RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  n text := nextval('regdesk.trade_no_seq')::text;
BEGIN
  RETURN prefix || to_char(now() AT TIME ZONE tz, 'YYMMDD')
         || lpad(n, greatest(9, length(n)), '0');
END
$$;

-- GB 11643 check character of 17 digits.
CREATE FUNCTION regdesk.gb11643_check (first17 text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT substr('10X98765432',
                (SELECT sum(substr(first17, i, 1)::int
                            * (ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])[i])
                   FROM generate_series(1, 17) i)::int % 11 + 1, 1)
$$;

CREATE FUNCTION regdesk.lottery_drawn (s regdesk.sessions)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT s.lottery_drawn_at IS NOT NULL
         OR EXISTS (SELECT 1 FROM regdesk.lottery_requests q
                     WHERE q.session_id = s.id AND q.status IN ('won', 'lost'))
$$;

-- Patients ----------------------------------------------------------------------

-- Checks and normalises a patient's fields (as a patients row, id =
-- @exclude_id) and refuses duplicates of anybody but @exclude_id.
CREATE FUNCTION regdesk.patient_normalize (p_hospital_id bigint,
                                           p_exclude_id  bigint,
                                           p_name        text,
                                           p_sex         text,
                                           p_birth_date  date,
                                           p_id_type     text,
                                           p_id_number   text,
                                           p_phone       text,
                                           p_card_no     text,
                                           p_pinyin      text,
                                           p_disabled    boolean,
                                           p_military    boolean)
RETURNS regdesk.patients
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  r regdesk.patients;
  v_other bigint;
  v_born date;
BEGIN
  r.id := p_exclude_id;
  r.hospital_id := p_hospital_id;
  r.name := regexp_replace(btrim(coalesce(p_name, '')), '\s+', ' ', 'g');
  IF r.name = '' THEN
    RAISE EXCEPTION 'the patient''s name is required' USING ERRCODE = 'RD201';
  END IF;
  r.sex := upper(btrim(coalesce(p_sex, '')));
  IF r.sex NOT IN ('F', 'M') THEN
    RAISE EXCEPTION 'sex must be F or M' USING ERRCODE = 'RD202';
  END IF;
  r.birth_date := p_birth_date;
  IF r.birth_date IS NULL OR r.birth_date < date '1880-01-01'
     OR r.birth_date > (now() AT TIME ZONE 'Asia/Shanghai')::date THEN
    RAISE EXCEPTION 'the birth date % is not possible', coalesce(r.birth_date::text, '(none)')
      USING ERRCODE = 'RD209';
  END IF;

  r.id_type := coalesce(nullif(btrim(p_id_type), ''), 'none');
  r.id_number := nullif(upper(regexp_replace(coalesce(p_id_number, ''), '\s', '', 'g')), '');
  IF r.id_type = 'none' THEN
    IF r.id_number IS NOT NULL THEN
      RAISE EXCEPTION 'choose the kind of document for number %', r.id_number
        USING ERRCODE = 'RD203';
    END IF;
  ELSIF r.id_number IS NULL THEN
    RAISE EXCEPTION 'enter the document number' USING ERRCODE = 'RD203';
  ELSIF r.id_type = 'resident_id' THEN
    IF r.id_number !~ '^[0-9]{17}[0-9X]$' THEN
      RAISE EXCEPTION 'a resident ID has 18 characters: 17 digits and a digit or X'
        USING ERRCODE = 'RD203';
    END IF;
    IF NOT regdesk.resident_id_valid(r.id_number) THEN
      RAISE EXCEPTION 'resident ID % is not valid: check every digit', r.id_number
        USING ERRCODE = 'RD204';
    END IF;
    v_born := to_date(substr(r.id_number, 7, 8), 'YYYYMMDD');
    IF v_born <> r.birth_date THEN
      RAISE EXCEPTION 'the resident ID gives birth date %, not %', v_born, r.birth_date
        USING ERRCODE = 'RD205';
    END IF;
    IF (substr(r.id_number, 17, 1)::int % 2 = 1) <> (r.sex = 'M') THEN
      RAISE EXCEPTION 'the resident ID is a % person''s, not %',
        CASE WHEN substr(r.id_number, 17, 1)::int % 2 = 1 THEN 'male' ELSE 'female' END,
        CASE r.sex WHEN 'M' THEN 'male' ELSE 'female' END
        USING ERRCODE = 'RD205';
    END IF;
  ELSIF r.id_type = 'passport' THEN
    IF r.id_number !~ '^[A-Z0-9]{5,9}$' THEN
      RAISE EXCEPTION 'a passport number has 5 to 9 letters and digits' USING ERRCODE = 'RD203';
    END IF;
  ELSIF r.id_type = 'hk_macau_permit' THEN
    IF r.id_number !~ '^[HM]([0-9]{8}|[0-9]{10})$' THEN
      RAISE EXCEPTION 'a Hong Kong or Macau permit number is H or M and 8 or 10 digits'
        USING ERRCODE = 'RD203';
    END IF;
  ELSIF r.id_type = 'taiwan_permit' THEN
    IF r.id_number !~ '^([0-9]{8}|[0-9]{10})$' THEN
      RAISE EXCEPTION 'a Taiwan permit number has 8 or 10 digits' USING ERRCODE = 'RD203';
    END IF;
  ELSIF r.id_type = 'foreign_permanent' THEN
    IF NOT (r.id_number ~ '^[A-Z]{3}[0-9]{12}$'
            OR (r.id_number ~ '^9[0-9]{16}[0-9X]$'
                AND regdesk.gb11643_check(left(r.id_number, 17)) = right(r.id_number, 1))) THEN
      RAISE EXCEPTION 'a permanent residence ID is 18 characters starting with 9, '
                      'or 3 letters and 12 digits' USING ERRCODE = 'RD203';
    END IF;
  ELSE
    RAISE EXCEPTION 'unknown kind of document: %', r.id_type USING ERRCODE = 'RD203';
  END IF;

  r.phone := nullif(regexp_replace(coalesce(p_phone, ''), '[\s-]', '', 'g'), '');
  IF r.phone ~ '^(\+86|0086)1[0-9]{10}$' THEN
    r.phone := right(r.phone, 11);
  END IF;
  IF r.phone IS NOT NULL AND NOT regdesk.phone_valid(r.phone) THEN
    RAISE EXCEPTION 'mobile number % is not valid: 11 digits starting with 13 to 19', r.phone
      USING ERRCODE = 'RD206';
  END IF;
  r.card_no := nullif(upper(btrim(coalesce(p_card_no, ''))), '');
  IF r.card_no IS NOT NULL AND r.card_no !~ '^[0-9A-Z]{4,32}$' THEN
    RAISE EXCEPTION 'a medical card number has 4 to 32 letters and digits'
      USING ERRCODE = 'RD210';
  END IF;
  r.pinyin := lower(btrim(coalesce(p_pinyin, '')));
  IF r.pinyin !~ '^[a-z]*$' THEN
    RAISE EXCEPTION 'pinyin initials are letters a to z only' USING ERRCODE = 'RD211';
  END IF;
  r.disabled := coalesce(p_disabled, false);
  r.military := coalesce(p_military, false);

  -- Two desks registering the same person at once: the second waits and
  -- then sees the first.
  PERFORM pg_advisory_xact_lock(1380209732, hashtext(r.name || '/' || r.birth_date));
  IF r.id_number IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(1380209732, hashtext(r.id_type || '/' || r.id_number));
    SELECT p.id INTO v_other FROM regdesk.patients p
     WHERE p.hospital_id = p_hospital_id AND p.id_type = r.id_type
       AND p.id_number = r.id_number AND p.id IS DISTINCT FROM p_exclude_id;
    IF FOUND THEN
      RAISE EXCEPTION 'a patient with this document number is already registered'
        USING ERRCODE = 'RD207', DETAIL = 'patient_id=' || v_other;
    END IF;
  END IF;
  IF r.phone IS NOT NULL THEN
    SELECT p.id INTO v_other FROM regdesk.patients p
     WHERE p.hospital_id = p_hospital_id AND p.name = r.name
       AND p.birth_date = r.birth_date AND p.phone = r.phone
       AND p.id IS DISTINCT FROM p_exclude_id
     ORDER BY p.id LIMIT 1;
    IF FOUND THEN
      RAISE EXCEPTION 'a patient with this name, birth date and mobile number is already '
                      'registered' USING ERRCODE = 'RD207', DETAIL = 'patient_id=' || v_other;
    END IF;
  END IF;
  IF r.card_no IS NOT NULL THEN
    SELECT p.id INTO v_other FROM regdesk.patients p
     WHERE p.hospital_id = p_hospital_id AND p.card_no = r.card_no
       AND p.id IS DISTINCT FROM p_exclude_id;
    IF FOUND THEN
      RAISE EXCEPTION 'medical card % belongs to another patient', r.card_no
        USING ERRCODE = 'RD212', DETAIL = 'patient_id=' || v_other;
    END IF;
  END IF;

  RETURN r;
END
$$;

CREATE FUNCTION api.patient_create (request_id  text,
                                    name        text,
                                    sex         text,
                                    birth_date  date,
                                    id_type     text,
                                    id_number   text,
                                    phone       text,
                                    card_no     text,
                                    pinyin      text,
                                    disabled    boolean DEFAULT false,
                                    military    boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_hid bigint;
  v_id bigint;
  r regdesk.patients;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(patient_create.request_id, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := regdesk.caller_hospital();
  PERFORM regdesk.lock_request(patient_create.request_id);
  SELECT p.id INTO v_id FROM regdesk.patients p
   WHERE p.hospital_id = v_hid AND p.request_id = patient_create.request_id;
  IF FOUND THEN
    RETURN v_id;
  END IF;

  r := regdesk.patient_normalize(v_hid, NULL, patient_create.name, patient_create.sex,
                                 patient_create.birth_date, patient_create.id_type,
                                 patient_create.id_number, patient_create.phone,
                                 patient_create.card_no, patient_create.pinyin,
                                 patient_create.disabled, patient_create.military);
  INSERT INTO regdesk.patients AS p (hospital_id, name, pinyin, sex, birth_date, id_type,
                                     id_number, phone, card_no, disabled, military, request_id)
  VALUES (v_hid, r.name, r.pinyin, r.sex, r.birth_date, r.id_type, r.id_number, r.phone,
          r.card_no, r.disabled, r.military, patient_create.request_id)
  RETURNING p.id INTO v_id;
  PERFORM regdesk.audit('patient_create', 'patient', v_id::text,
                        jsonb_build_object('name', r.name, 'id_type', r.id_type), v_hid);
  RETURN v_id;
END
$$;
COMMENT ON FUNCTION api.patient_create (text, text, text, date, text, text, text, text, text,
                                        boolean, boolean) IS
  'Registers a patient after checking the document, birth date, sex and phone and '
  'refusing duplicates (RD207, DETAIL patient_id=N); idempotent by request id.';

CREATE FUNCTION api.patient_update (patient_id  bigint,
                                    name        text,
                                    sex         text,
                                    birth_date  date,
                                    id_type     text,
                                    id_number   text,
                                    phone       text,
                                    card_no     text,
                                    pinyin      text,
                                    disabled    boolean DEFAULT false,
                                    military    boolean DEFAULT false)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_hid bigint;
  r regdesk.patients;
  old regdesk.patients;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  v_hid := regdesk.caller_hospital();
  SELECT * INTO old FROM regdesk.patients p
   WHERE p.id = patient_update.patient_id AND p.hospital_id = v_hid FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no patient %', patient_update.patient_id USING ERRCODE = 'RD208';
  END IF;
  r := regdesk.patient_normalize(v_hid, old.id, patient_update.name, patient_update.sex,
                                 patient_update.birth_date, patient_update.id_type,
                                 patient_update.id_number, patient_update.phone,
                                 patient_update.card_no, patient_update.pinyin,
                                 patient_update.disabled, patient_update.military);
  IF (r.name, r.pinyin, r.sex, r.birth_date, r.id_type, r.id_number, r.phone, r.card_no,
      r.disabled, r.military)
     IS NOT DISTINCT FROM
     (old.name, old.pinyin, old.sex, old.birth_date, old.id_type, old.id_number, old.phone,
      old.card_no, old.disabled, old.military) THEN
    RETURN;
  END IF;
  UPDATE regdesk.patients p
     SET name = r.name, pinyin = r.pinyin, sex = r.sex, birth_date = r.birth_date,
         id_type = r.id_type, id_number = r.id_number, phone = r.phone, card_no = r.card_no,
         disabled = r.disabled, military = r.military
   WHERE p.id = old.id;
  PERFORM regdesk.audit('patient_update', 'patient', old.id::text,
                        (SELECT jsonb_object_agg(n.key, n.value)
                           FROM jsonb_each(to_jsonb(r)) n
                           JOIN jsonb_each(to_jsonb(old)) o USING (key)
                          WHERE n.value IS DISTINCT FROM o.value
                            AND n.key NOT IN ('id', 'created_at', 'created_by', 'request_id')),
                        v_hid);
END
$$;
COMMENT ON FUNCTION api.patient_update (bigint, text, text, date, text, text, text, text, text,
                                        boolean, boolean) IS
  'Changes a patient with the same checks as api.patient_create; the audit row lists the '
  'changed fields.';

-- The search as SQL text with parameters $1 hospital, $2 query, $3 limit:
-- each branch a prefix scan of one index, chosen by what the text looks like
-- (digits: mobile, ID, card; letters: pinyin initials, documents; anything
-- else: the name). Exact matches first, then by name.
CREATE FUNCTION regdesk.patient_search_sql (query text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  q CONSTANT text := btrim(coalesce(query, ''));
  branches text[] := '{}';
BEGIN
  IF q ~ '^[0-9]+$' THEN
    branches := array_append(branches, 'phone LIKE regdesk.like_prefix($2)');
  END IF;
  IF q ~ '^[0-9A-Za-z]+$' AND q ~ '[0-9]' THEN
    branches := array_append(branches, 'id_number LIKE regdesk.like_prefix(upper($2))');
    branches := array_append(branches, 'card_no LIKE regdesk.like_prefix(upper($2))');
  END IF;
  IF q ~ '^[A-Za-z]+$' THEN
    branches := array_append(branches, 'pinyin LIKE regdesk.like_prefix(lower($2))');
    branches := array_append(branches, 'id_number LIKE regdesk.like_prefix(upper($2))');
  END IF;
  IF q <> '' AND q !~ '^[0-9A-Za-z]+$' THEN
    branches := array_append(branches, 'name LIKE regdesk.like_prefix($2)');
  END IF;
  IF cardinality(branches) = 0 THEN
    RETURN NULL;
  END IF;
  -- Each branch reads at most $3 rows of its index in index order.
  RETURN 'SELECT p.id, p.name, p.pinyin, p.sex, regdesk.date_text(p.birth_date), p.id_type, '
         'p.id_number, p.phone, p.card_no, p.disabled, p.military '
         'FROM (' || array_to_string(
                       ARRAY(SELECT format('(SELECT p.id FROM regdesk.patients p '
                                           'WHERE p.hospital_id = $1 AND p.%s '
                                           'ORDER BY p.%s USING ~<~ LIMIT $3)',
                                           b, split_part(b, ' ', 1))
                               FROM unnest(branches) b),
                       ' UNION ') || ') m '
         'JOIN regdesk.patients p ON p.id = m.id '
         'ORDER BY (p.phone IS NOT DISTINCT FROM $2 OR p.id_number IS NOT DISTINCT FROM upper($2) '
         'OR p.card_no IS NOT DISTINCT FROM upper($2) OR p.name = $2 '
         'OR p.pinyin = lower($2)) DESC, p.name, p.id LIMIT $3';
END
$$;

CREATE FUNCTION api.patient_search (query text, max_rows int DEFAULT 20)
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
  v_sql text := regdesk.patient_search_sql(patient_search.query);
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin');
  IF v_sql IS NULL THEN
    RETURN;
  END IF;
  -- EXECUTE plans with the values, so LIKE 'prefix%' uses the indexes.
  RETURN QUERY EXECUTE v_sql
    USING regdesk.caller_hospital(), btrim(patient_search.query),
          least(greatest(coalesce(patient_search.max_rows, 20), 1), 200);
END
$$;
COMMENT ON FUNCTION api.patient_search (text, int) IS
  'Patients whose name, pinyin initials, mobile, document or medical card number starts '
  'with the text; exact matches first.';

-- Releasing and expiring ------------------------------------------------------------

-- Free online and phone slots whose pool passed its cut-off join the window
-- pool (of one session, or all). Locked slots are left for the next run.
CREATE FUNCTION regdesk.release_pools (p_session_id bigint DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  n int;
BEGIN
  WITH due AS (
    SELECT sl.id
      FROM regdesk.sessions s
      JOIN regdesk.slots sl ON sl.session_id = s.id
     WHERE (p_session_id IS NULL OR s.id = p_session_id)
       AND s.status = 'open'
       AND sl.status = 'free'
       AND ((sl.channel = 'online' AND s.online_cutoff_at <= now())
            OR (sl.channel = 'phone' AND s.phone_cutoff_at <= now()))
     ORDER BY sl.id
       FOR NO KEY UPDATE OF sl SKIP LOCKED),
  moved AS (
    UPDATE regdesk.slots sl
       SET channel = 'window', updated_at = now()
      FROM due
     WHERE sl.id = due.id
    RETURNING sl.hospital_id, sl.session_id, sl.seq),
  audited AS (
    INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
    SELECT m.hospital_id, 'release_pools', 'session', m.session_id::text,
           jsonb_build_object('slots', array_agg(m.seq ORDER BY m.seq))
      FROM moved m
     GROUP BY m.hospital_id, m.session_id
    RETURNING 1)
  SELECT count(*) INTO n FROM moved;
  RETURN n;
END
$$;

-- Expires unpaid appointments past their payment window (of one session, or
-- all): appointment expired, order closed, slot free again and offered to
-- the waiting list.
CREATE FUNCTION regdesk.expire_unpaid (p_session_id bigint DEFAULT NULL)
RETURNS int
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  sl regdesk.slots;
  v_appt regdesk.appointments;
  n int := 0;
BEGIN
  FOR sl IN SELECT * FROM regdesk.slots x
             WHERE x.status = 'held' AND x.held_until <= now()
               AND (p_session_id IS NULL OR x.session_id = p_session_id)
             ORDER BY x.id
               FOR NO KEY UPDATE SKIP LOCKED
  LOOP
    -- A waiting-list grant made earlier in this loop may have taken it again.
    IF NOT EXISTS (SELECT 1 FROM regdesk.slots x
                    WHERE x.id = sl.id AND x.status = 'held' AND x.held_until <= now()) THEN
      CONTINUE;
    END IF;
    v_appt := NULL;
    UPDATE regdesk.appointments a
       SET status = 'expired'
     WHERE a.slot_id = sl.id AND a.status = 'pending_payment'
    RETURNING * INTO v_appt;
    UPDATE regdesk.orders o
       SET status = 'closed', closed_at = now()
     WHERE o.appointment_id = v_appt.id AND o.status = 'unpaid';
    UPDATE regdesk.slots x
       SET status = 'free', held_until = NULL, updated_at = now()
     WHERE x.id = sl.id;
    IF v_appt.id IS NOT NULL THEN
      PERFORM regdesk.audit('expire', 'appointment', v_appt.id::text,
                            jsonb_build_object('session_id', sl.session_id, 'slot_seq', sl.seq),
                            sl.hospital_id);
    END IF;
    PERFORM regdesk.grant_waitlist(sl.id);
    n := n + 1;
  END LOOP;
  RETURN n;
END
$$;

-- Booking -----------------------------------------------------------------------

-- The booking itself, shared by api.book, the lottery draw and the waiting
-- list (@p_via 'book', 'lottery', 'waitlist'). @p_slot_id: a slot the caller
-- already locked (waiting list). Raises RDxxx on any refusal.
CREATE FUNCTION regdesk.book_internal (p_hospital_id     bigint,
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
    PERFORM regdesk.expire_unpaid(s.id);
    IF p_channel = 'window' AND (s.online_cutoff_at <= now() OR s.phone_cutoff_at <= now()) THEN
      PERFORM regdesk.release_pools(s.id);
    END IF;
  END IF;

  PERFORM regdesk.lock_patient(p_patient_id);
  IF EXISTS (SELECT 1
               FROM regdesk.appointments a
               JOIN regdesk.sessions x ON x.id = a.session_id
              WHERE a.hospital_id = p_hospital_id AND a.patient_id = p_patient_id
                AND a.status IN ('pending_payment', 'booked', 'checked_in')
                AND x.doctor_id = s.doctor_id AND x.date = s.date) THEN
    RAISE EXCEPTION 'the patient already has a booking with this doctor on %',
      regdesk.date_text(s.date) USING ERRCODE = 'RD307';
  END IF;
  v_max := regdesk.setting_int(h.settings, 'max_bookings_per_patient_per_day', 3);
  SELECT count(*) INTO v_count
    FROM regdesk.appointments a
    JOIN regdesk.sessions x ON x.id = a.session_id
   WHERE a.hospital_id = p_hospital_id AND a.patient_id = p_patient_id
     AND a.status IN ('pending_payment', 'booked', 'checked_in') AND x.date = s.date;
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
  v_order_no := regdesk.next_order_no(h.time_zone);
  INSERT INTO regdesk.orders (hospital_id, order_no, appointment_id, patient_id, amount, status,
                              expires_at, paid_at)
  VALUES (p_hospital_id, v_order_no, v_appt, p_patient_id, s.fee,
          CASE WHEN s.fee = 0 THEN 'paid' ELSE 'unpaid' END,
          CASE WHEN s.fee > 0 THEN now() + make_interval(mins => v_window) END,
          CASE WHEN s.fee = 0 THEN now() END);

  IF pat.phone IS NOT NULL THEN
    v_template := CASE p_via WHEN 'waitlist' THEN 'waitlist_granted' ELSE 'booking_confirmed' END;
    INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key)
    SELECT p_hospital_id, pat.phone, v_template,
           jsonb_build_object('name', pat.name, 'department', dep.name, 'doctor', doc.name,
                              'date', regdesk.date_text(s.date),
                              'time', to_char(sl.starts_at AT TIME ZONE h.time_zone, 'HH24:MI'),
                              'queue_no', sl.seq, 'order_no', v_order_no,
                              'fee', regdesk.yuan(s.fee)),
           v_template || ':' || v_appt
      FROM regdesk.departments dep, regdesk.doctors doc
     WHERE dep.id = s.department_id AND doc.id = s.doctor_id
    ON CONFLICT (dedup_key) DO NOTHING;
  END IF;
  PERFORM regdesk.audit('book', 'appointment', v_appt::text,
                        jsonb_build_object('session_id', s.id, 'patient_id', p_patient_id,
                                           'slot_seq', sl.seq, 'channel', p_channel,
                                           'order_no', v_order_no, 'via', p_via,
                                           'priority_reason', v_reason),
                        p_hospital_id);

  RETURN ROW(v_appt, v_order_no, sl.seq, v_status)::regdesk.booking;
END
$$;

-- Offers a slot that just became free (the caller holds its row lock) to
-- the waiting list: the oldest entry of the same session and channel whose
-- patient may still book gets it. Returns the new appointment or NULL.
CREATE FUNCTION regdesk.grant_waitlist (p_slot_id bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  sl regdesk.slots;
  w regdesk.waitlist;
  b regdesk.booking;
BEGIN
  SELECT * INTO sl FROM regdesk.slots x WHERE x.id = p_slot_id;
  IF NOT FOUND OR sl.status <> 'free' THEN
    RETURN NULL;
  END IF;
  FOR w IN SELECT * FROM regdesk.waitlist x
            WHERE x.session_id = sl.session_id AND x.status = 'waiting'
              AND x.channel = sl.channel
            ORDER BY x.created_at, x.id
              FOR UPDATE SKIP LOCKED
  LOOP
    BEGIN
      b := regdesk.book_internal(w.hospital_id, 'waitlist-' || w.id, sl.session_id,
                                 w.patient_id, w.channel, NULL, sl.id, NULL, 'waitlist');
    EXCEPTION WHEN OTHERS THEN
      -- This patient may not book now (rule, session closed): the next one.
      IF SQLSTATE NOT LIKE 'RD%' THEN
        RAISE;
      END IF;
      CONTINUE;
    END;
    UPDATE regdesk.waitlist x
       SET status = 'granted', granted_appointment_id = b.appointment_id
     WHERE x.id = w.id;
    RETURN b.appointment_id;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION regdesk.book_request (p_request_id      text,
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
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(p_request_id, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := regdesk.caller_hospital();
  -- A retry waits for the first attempt and then returns its result.
  PERFORM regdesk.lock_request(p_request_id);
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

CREATE FUNCTION api.book (request_id      text,
                          session_id      bigint,
                          patient_id      bigint,
                          channel         text,
                          slot_seq        int DEFAULT NULL,
                          priority_reason text DEFAULT NULL)
RETURNS TABLE (appointment_id bigint,
               order_no       text,
               slot_seq       int,
               status         text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
  SELECT b.appointment_id, b.order_no, b.slot_seq, b.status
    FROM regdesk.book_request(request_id, session_id, patient_id, channel, slot_seq,
                              priority_reason) b
$$;
COMMENT ON FUNCTION api.book (text, bigint, bigint, text, int, text) IS
  'Books a slot (the next free one of the channel, or slot_seq) in one transaction: '
  'appointment, order, SMS and audit rows. The same request id returns the same booking.';

-- Payment at the desk -------------------------------------------------------------

CREATE FUNCTION regdesk.pay_desk (p_method     text,
                                  p_request_id text,
                                  p_order_no   text,
                                  p_tendered   bigint,
                                  p_reference  text)
RETURNS TABLE (payment_id         bigint,
               order_no           text,
               amount             bigint,
               change             bigint,
               appointment_status text)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_hid bigint;
  v_tz text;
  o regdesk.orders;
  y regdesk.payments;
  v_slot bigint;
  v_appt_status text;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(p_request_id, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := regdesk.caller_hospital();
  PERFORM regdesk.lock_request(p_request_id);
  SELECT * INTO y FROM regdesk.payments x
   WHERE x.hospital_id = v_hid AND x.request_id = p_request_id;
  IF FOUND THEN
    SELECT * INTO o FROM regdesk.orders x WHERE x.id = y.order_id;
    IF o.order_no <> p_order_no OR y.method <> p_method THEN
      RAISE EXCEPTION 'request id % was used for another payment', p_request_id
        USING ERRCODE = 'RD309';
    END IF;
    RETURN QUERY
      SELECT y.id, o.order_no, y.amount, y.change, a.status
        FROM (SELECT 1) one
        LEFT JOIN regdesk.appointments a ON a.id = o.appointment_id;
    RETURN;
  END IF;

  SELECT * INTO o FROM regdesk.orders x WHERE x.order_no = p_order_no AND x.hospital_id = v_hid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no order %', coalesce(p_order_no, '(none)') USING ERRCODE = 'RD501';
  END IF;
  -- Lock order: slot, appointment, order (as expiry and cancel do).
  SELECT a.slot_id INTO v_slot FROM regdesk.appointments a WHERE a.id = o.appointment_id;
  PERFORM 1 FROM regdesk.slots x WHERE x.id = v_slot FOR NO KEY UPDATE;
  SELECT a.status INTO v_appt_status FROM regdesk.appointments a
   WHERE a.id = o.appointment_id FOR UPDATE;
  SELECT * INTO o FROM regdesk.orders x WHERE x.id = o.id FOR UPDATE;

  IF o.status IN ('paid', 'refunding', 'refunded', 'partially_refunded') THEN
    RAISE EXCEPTION 'order % is already paid', o.order_no USING ERRCODE = 'RD502';
  ELSIF o.status <> 'unpaid' OR v_appt_status IS DISTINCT FROM 'pending_payment'
        AND o.appointment_id IS NOT NULL THEN
    RAISE EXCEPTION 'order % is closed (the booking expired or was cancelled): book again',
      o.order_no USING ERRCODE = 'RD503';
  ELSIF o.expires_at <= now() THEN
    RAISE EXCEPTION 'the payment window of order % has passed: book again', o.order_no
      USING ERRCODE = 'RD503';
  END IF;
  IF p_method = 'cash' AND (p_tendered IS NULL OR p_tendered < o.amount) THEN
    RAISE EXCEPTION 'the cash tendered (% yuan) is less than the fee (% yuan)',
      regdesk.yuan(coalesce(p_tendered, 0)), regdesk.yuan(o.amount) USING ERRCODE = 'RD504';
  ELSIF p_method = 'card' AND coalesce(btrim(p_reference), '') = '' THEN
    RAISE EXCEPTION 'enter the card terminal''s reference number' USING ERRCODE = 'RD505';
  END IF;

  SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = v_hid;
  INSERT INTO regdesk.payments AS x
    (hospital_id, order_id, method, provider, out_trade_no, amount, status, tendered, change,
     card_reference, shift_id, finished_at, request_id)
  VALUES (v_hid, o.id, p_method, CASE p_method WHEN 'card' THEN 'unionpay_pos' END,
          regdesk.next_trade_no('P', v_tz), o.amount, 'succeeded',
          CASE p_method WHEN 'cash' THEN p_tendered END,
          CASE p_method WHEN 'cash' THEN p_tendered - o.amount END,
          CASE p_method WHEN 'card' THEN btrim(p_reference) END,
          (SELECT sh.id FROM regdesk.shifts sh
            WHERE sh.hospital_id = v_hid AND sh.clerk = session_user AND sh.closed_at IS NULL),
          now(), p_request_id)
  RETURNING * INTO y;
  UPDATE regdesk.orders x SET status = 'paid', paid_at = now() WHERE x.id = o.id;
  UPDATE regdesk.appointments a SET status = 'booked', paid_at = now()
   WHERE a.id = o.appointment_id;
  UPDATE regdesk.slots x SET status = 'paid', held_until = NULL, updated_at = now()
   WHERE x.id = v_slot;
  PERFORM regdesk.audit('pay_' || p_method, 'order', o.order_no,
                        jsonb_build_object('payment_id', y.id, 'amount', o.amount,
                                           'tendered', y.tendered, 'change', y.change,
                                           'card_reference', y.card_reference),
                        v_hid);
  RETURN QUERY SELECT y.id, o.order_no, y.amount, y.change,
                      CASE WHEN o.appointment_id IS NULL THEN NULL ELSE 'booked' END;
END
$$;

CREATE FUNCTION api.pay_cash (request_id text, order_no text, tendered bigint)
RETURNS TABLE (payment_id         bigint,
               order_no           text,
               amount             bigint,
               change             bigint,
               appointment_status text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$ SELECT * FROM regdesk.pay_desk('cash', request_id, order_no, tendered, NULL) $$;
COMMENT ON FUNCTION api.pay_cash (text, text, bigint) IS
  'Cash at the desk: tendered >= amount, change returned; idempotent by request id.';

CREATE FUNCTION api.pay_card (request_id text, order_no text, card_reference text)
RETURNS TABLE (payment_id         bigint,
               order_no           text,
               amount             bigint,
               change             bigint,
               appointment_status text)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$ SELECT * FROM regdesk.pay_desk('card', request_id, order_no, NULL, card_reference) $$;
COMMENT ON FUNCTION api.pay_card (text, text, text) IS
  'Bank card at the desk (the terminal''s reference); idempotent by request id.';

-- Cancellation (退号) --------------------------------------------------------------

CREATE FUNCTION regdesk.cancel_appointment (p_request_id     text,
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
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(v_request, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := regdesk.caller_hospital();
  PERFORM regdesk.lock_request(v_request);
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
  PERFORM regdesk.audit('cancel', 'appointment', a.id::text,
                        jsonb_build_object('reason', a.cancel_reason, 'order_no', o.order_no,
                                           'refunded', v_refunded, 'refund_pending', v_pending),
                        v_hid);
  v_granted := regdesk.grant_waitlist(a.slot_id);
  IF v_granted IS NULL THEN
    PERFORM regdesk.release_pools(a.session_id);
  END IF;

  RETURN QUERY
    SELECT a.id, o2.order_no, o2.status, o2.refunded_amount, v_granted
      FROM (SELECT 1) one
      LEFT JOIN regdesk.orders o2 ON o2.id = o.id;
END
$$;
CREATE FUNCTION api.cancel (request_id     text,
                            appointment_id bigint,
                            reason         text DEFAULT NULL)
RETURNS TABLE (appointment_id          bigint,
               order_no                text,
               order_status            text,
               refunded_amount         bigint,
               waitlist_appointment_id bigint)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$ SELECT * FROM regdesk.cancel_appointment(request_id, appointment_id, reason) $$;
COMMENT ON FUNCTION api.cancel (text, bigint, text) IS
  'Cancels (退号) until cancel_cutoff_minutes before the session: refund through the '
  'original method, slot to the waiting list or the pool; idempotent by request id.';

-- Check-in (签到) and no-shows -------------------------------------------------------

-- Queue numbers follow check-in order within a session.
CREATE FUNCTION api.check_in (appointment_id bigint)
RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_id CONSTANT bigint := check_in.appointment_id;
  v_hid bigint;
  a regdesk.appointments;
  s regdesk.sessions;
  v_tz text;
  v_queue int;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  v_hid := regdesk.caller_hospital();
  SELECT * INTO a FROM regdesk.appointments x WHERE x.id = v_id AND x.hospital_id = v_hid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no appointment %', v_id USING ERRCODE = 'RD401';
  END IF;
  PERFORM 1 FROM regdesk.slots x WHERE x.id = a.slot_id FOR NO KEY UPDATE;
  SELECT * INTO a FROM regdesk.appointments x WHERE x.id = v_id FOR UPDATE;
  IF a.status = 'checked_in' THEN
    RETURN a.queue_no;
  ELSIF a.status = 'pending_payment' THEN
    RAISE EXCEPTION 'the fee is not paid yet: take the payment first' USING ERRCODE = 'RD601';
  ELSIF a.status <> 'booked' THEN
    RAISE EXCEPTION 'this appointment is %: it cannot be checked in', replace(a.status, '_', ' ')
      USING ERRCODE = 'RD602';
  END IF;
  -- One check-in at a time per session hands out the numbers.
  SELECT * INTO s FROM regdesk.sessions x WHERE x.id = a.session_id FOR NO KEY UPDATE;
  SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = v_hid;
  IF s.date <> (now() AT TIME ZONE v_tz)::date THEN
    RAISE EXCEPTION 'check-in is only on the day of the visit (%)', regdesk.date_text(s.date)
      USING ERRCODE = 'RD603';
  END IF;
  IF now() >= regdesk.local_instant(s.date, s.ends_at, v_tz) THEN
    RAISE EXCEPTION 'this session is over' USING ERRCODE = 'RD604';
  END IF;
  SELECT coalesce(max(x.queue_no), 0) + 1 INTO v_queue
    FROM regdesk.appointments x
   WHERE x.session_id = s.id AND x.checked_in_at IS NOT NULL;
  UPDATE regdesk.appointments x
     SET status = 'checked_in', checked_in_at = now(), queue_no = v_queue
   WHERE x.id = a.id;
  UPDATE regdesk.slots x SET status = 'checked_in', updated_at = now() WHERE x.id = a.slot_id;
  PERFORM regdesk.audit('check_in', 'appointment', a.id::text,
                        jsonb_build_object('queue_no', v_queue), v_hid);
  RETURN v_queue;
END
$$;
COMMENT ON FUNCTION api.check_in (bigint) IS
  'Checks a paid appointment in on the day and returns its queue number.';

-- After a session ends, paid appointments never checked in become no-shows.
CREATE FUNCTION regdesk.mark_no_shows ()
RETURNS int
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  n int;
BEGIN
  WITH due AS (
    SELECT sl.id
      FROM regdesk.slots sl
      JOIN regdesk.sessions s ON s.id = sl.session_id
      JOIN regdesk.hospitals h ON h.id = s.hospital_id
     WHERE sl.status IN ('booked', 'paid')
       AND regdesk.local_instant(s.date, s.ends_at, h.time_zone) <= now()
     ORDER BY sl.id
       FOR NO KEY UPDATE OF sl SKIP LOCKED),
  appts AS (
    UPDATE regdesk.appointments a
       SET status = 'no_show'
      FROM due
     WHERE a.slot_id = due.id AND a.status = 'booked'
    RETURNING a.id, a.hospital_id, a.slot_id),
  freed AS (
    UPDATE regdesk.slots sl
       SET status = 'no_show', updated_at = now()
      FROM appts
     WHERE sl.id = appts.slot_id
    RETURNING sl.id),
  audited AS (
    INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
    SELECT appts.hospital_id, 'no_show', 'appointment', appts.id::text, '{}'
      FROM appts
    RETURNING 1)
  SELECT count(*) INTO n FROM appts;
  RETURN n;
END
$$;

-- Lottery --------------------------------------------------------------------------

CREATE FUNCTION api.lottery_request (request_id text,
                                     session_id bigint,
                                     patient_id bigint,
                                     channel    text)
RETURNS TABLE (lottery_request_id bigint,
               status             text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_request CONSTANT text := lottery_request.request_id;
  v_hid bigint;
  q regdesk.lottery_requests;
  s regdesk.sessions;
  v_tz text;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(v_request, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := regdesk.caller_hospital();
  PERFORM regdesk.lock_request(v_request);
  SELECT * INTO q FROM regdesk.lottery_requests x
   WHERE x.hospital_id = v_hid AND x.request_id = v_request;
  IF FOUND THEN
    IF q.session_id <> lottery_request.session_id OR q.patient_id <> lottery_request.patient_id
    THEN
      RAISE EXCEPTION 'request id % was used for another lottery request', v_request
        USING ERRCODE = 'RD309';
    END IF;
    RETURN QUERY SELECT q.id, q.status;
    RETURN;
  END IF;

  SELECT * INTO s FROM regdesk.sessions x
   WHERE x.id = lottery_request.session_id AND x.hospital_id = v_hid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no session %', lottery_request.session_id USING ERRCODE = 'RD301';
  ELSIF s.policy <> 'lottery' THEN
    RAISE EXCEPTION 'this session is not allocated by lottery: book it' USING ERRCODE = 'RD701';
  ELSIF s.status <> 'open' THEN
    RAISE EXCEPTION 'this session is not open for booking' USING ERRCODE = 'RD302';
  END IF;
  SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = v_hid;
  IF regdesk.lottery_drawn(s) OR now() >= s.lottery_draw_at THEN
    RAISE EXCEPTION 'lottery requests closed at %',
      to_char(s.lottery_draw_at AT TIME ZONE v_tz, 'YYYY-MM-DD HH24:MI') USING ERRCODE = 'RD702';
  END IF;
  IF lottery_request.channel IS NULL OR lottery_request.channel NOT IN ('online', 'phone') THEN
    RAISE EXCEPTION 'the lottery is for the online and phone pools; the window books directly'
      USING ERRCODE = 'RD703';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM regdesk.patients p
                  WHERE p.id = lottery_request.patient_id AND p.hospital_id = v_hid) THEN
    RAISE EXCEPTION 'no patient %', lottery_request.patient_id USING ERRCODE = 'RD208';
  END IF;
  PERFORM regdesk.lock_patient(lottery_request.patient_id);
  IF EXISTS (SELECT 1 FROM regdesk.lottery_requests x
              WHERE x.session_id = s.id AND x.patient_id = lottery_request.patient_id) THEN
    RAISE EXCEPTION 'the patient is already in this lottery' USING ERRCODE = 'RD704';
  END IF;
  INSERT INTO regdesk.lottery_requests AS x (hospital_id, session_id, patient_id, channel,
                                             request_id)
  VALUES (v_hid, s.id, lottery_request.patient_id, lottery_request.channel, v_request)
  RETURNING * INTO q;
  PERFORM regdesk.audit('lottery_request', 'session', s.id::text,
                        jsonb_build_object('lottery_request_id', q.id,
                                           'patient_id', q.patient_id, 'channel', q.channel),
                        v_hid);
  RETURN QUERY SELECT q.id, q.status;
END
$$;
COMMENT ON FUNCTION api.lottery_request (text, bigint, bigint, text) IS
  'Enters a patient in a lottery session''s draw (online or phone pool) until the draw time.';

-- The draw order: md5(seed:request id), ties by id. Reads only.
CREATE FUNCTION regdesk.lottery_order (p_session_id bigint, p_seed bigint)
RETURNS TABLE (rank               int,
               lottery_request_id bigint,
               request_id         text,
               patient_id         bigint,
               channel            text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT (row_number() OVER (ORDER BY md5(p_seed::text || ':' || q.request_id), q.id))::int,
         q.id, q.request_id, q.patient_id, q.channel
    FROM regdesk.lottery_requests q
   WHERE q.session_id = p_session_id AND q.status <> 'cancelled'
   ORDER BY 1
$$;

CREATE FUNCTION api.lottery_preview (session_id bigint)
RETURNS TABLE (rank               int,
               lottery_request_id bigint,
               request_id         text,
               patient_id         bigint,
               channel            text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  s regdesk.sessions;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin',
                                'regdesk_worker');
  SELECT * INTO s FROM regdesk.sessions x
   WHERE x.id = lottery_preview.session_id AND x.hospital_id = regdesk.caller_hospital();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no session %', lottery_preview.session_id USING ERRCODE = 'RD301';
  ELSIF s.policy <> 'lottery' THEN
    RAISE EXCEPTION 'this session is not allocated by lottery' USING ERRCODE = 'RD701';
  ELSIF s.lottery_seed IS NULL THEN
    RAISE EXCEPTION 'this lottery has no seed yet: it has not been drawn' USING ERRCODE = 'RD706';
  END IF;
  RETURN QUERY SELECT * FROM regdesk.lottery_order(s.id, s.lottery_seed);
END
$$;
COMMENT ON FUNCTION api.lottery_preview (bigint) IS
  'The draw order recomputed from the stored seed without writing: equal to the recorded '
  'ranks of a drawn lottery.';

-- Draws a lottery session once: seed generated if missing and stored,
-- requests ranked, winners booked in rank order through the booking code
-- until the pools are empty. Re-running returns the recorded result.
CREATE FUNCTION regdesk.lottery_draw (p_session_id bigint)
RETURNS TABLE (rank           int,
               request_id     text,
               patient_id     bigint,
               channel        text,
               status         text,
               appointment_id bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  s regdesk.sessions;
  r record;
  b regdesk.booking;
  v_won int := 0;
  v_lost int := 0;
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_manager', 'regdesk_admin');
  SELECT * INTO s FROM regdesk.sessions x WHERE x.id = p_session_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no session %', p_session_id USING ERRCODE = 'RD301';
  ELSIF s.policy <> 'lottery' THEN
    RAISE EXCEPTION 'this session is not allocated by lottery' USING ERRCODE = 'RD701';
  END IF;
  IF NOT regdesk.lottery_drawn(s) THEN
    IF now() < s.lottery_draw_at THEN
      RAISE EXCEPTION 'the draw is at %', s.lottery_draw_at USING ERRCODE = 'RD705';
    END IF;
    IF s.lottery_seed IS NULL THEN
      UPDATE regdesk.sessions x SET lottery_seed = floor(random() * 2147483647)::bigint
       WHERE x.id = s.id
      RETURNING x.lottery_seed INTO s.lottery_seed;
    END IF;
    FOR r IN SELECT * FROM regdesk.lottery_order(s.id, s.lottery_seed) o
    LOOP
      BEGIN
        b := regdesk.book_internal(s.hospital_id, 'lottery-' || r.lottery_request_id, s.id,
                                   r.patient_id, r.channel, NULL, NULL, NULL, 'lottery');
        UPDATE regdesk.lottery_requests x
           SET status = 'won', drawn_rank = r.rank, appointment_id = b.appointment_id
         WHERE x.id = r.lottery_request_id;
        v_won := v_won + 1;
      EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE NOT LIKE 'RD%' THEN
          RAISE;
        END IF;
        UPDATE regdesk.lottery_requests x SET status = 'lost', drawn_rank = r.rank
         WHERE x.id = r.lottery_request_id;
        v_lost := v_lost + 1;
      END;
    END LOOP;
    UPDATE regdesk.sessions x SET lottery_drawn_at = now() WHERE x.id = s.id;
    PERFORM regdesk.audit('lottery_draw', 'session', s.id::text,
                          jsonb_build_object('seed', s.lottery_seed, 'won', v_won,
                                             'lost', v_lost),
                          s.hospital_id);
  END IF;
  RETURN QUERY
    SELECT q.drawn_rank, q.request_id, q.patient_id, q.channel, q.status, q.appointment_id
      FROM regdesk.lottery_requests q
     WHERE q.session_id = s.id AND q.drawn_rank IS NOT NULL
     ORDER BY q.drawn_rank;
END
$$;
COMMENT ON FUNCTION regdesk.lottery_draw (bigint) IS
  'Draws a lottery session (after lottery_draw_at) with its stored seed; idempotent.';

-- Waiting list (候补) -------------------------------------------------------------------

CREATE FUNCTION api.waitlist_join (request_id text,
                                   session_id bigint,
                                   patient_id bigint,
                                   channel    text DEFAULT 'window')
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  v_request CONSTANT text := waitlist_join.request_id;
  v_hid bigint;
  w regdesk.waitlist;
  s regdesk.sessions;
  v_tz text;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(v_request, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  v_hid := regdesk.caller_hospital();
  PERFORM regdesk.lock_request(v_request);
  SELECT * INTO w FROM regdesk.waitlist x WHERE x.hospital_id = v_hid AND x.request_id = v_request;
  IF FOUND THEN
    IF w.session_id IS DISTINCT FROM waitlist_join.session_id
       OR w.patient_id <> waitlist_join.patient_id THEN
      RAISE EXCEPTION 'request id % was used for another waiting list entry', v_request
        USING ERRCODE = 'RD309';
    END IF;
    RETURN w.id;
  END IF;

  IF waitlist_join.channel IS NULL OR waitlist_join.channel NOT IN ('window', 'online', 'phone')
  THEN
    RAISE EXCEPTION 'unknown booking channel %', coalesce(waitlist_join.channel, '(none)')
      USING ERRCODE = 'RD304';
  END IF;
  SELECT * INTO s FROM regdesk.sessions x
   WHERE x.id = waitlist_join.session_id AND x.hospital_id = v_hid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no session %', waitlist_join.session_id USING ERRCODE = 'RD301';
  ELSIF s.status <> 'open' THEN
    RAISE EXCEPTION 'this session is not open for booking' USING ERRCODE = 'RD302';
  END IF;
  SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = v_hid;
  IF now() >= regdesk.local_instant(s.date, s.ends_at, v_tz) THEN
    RAISE EXCEPTION 'this session is over' USING ERRCODE = 'RD303';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM regdesk.patients p
                  WHERE p.id = waitlist_join.patient_id AND p.hospital_id = v_hid) THEN
    RAISE EXCEPTION 'no patient %', waitlist_join.patient_id USING ERRCODE = 'RD208';
  END IF;
  PERFORM regdesk.lock_patient(waitlist_join.patient_id);
  IF EXISTS (SELECT 1
               FROM regdesk.appointments a
               JOIN regdesk.sessions x ON x.id = a.session_id
              WHERE a.hospital_id = v_hid AND a.patient_id = waitlist_join.patient_id
                AND a.status IN ('pending_payment', 'booked', 'checked_in')
                AND x.doctor_id = s.doctor_id AND x.date = s.date) THEN
    RAISE EXCEPTION 'the patient already has a booking with this doctor on %',
      regdesk.date_text(s.date) USING ERRCODE = 'RD307';
  END IF;
  IF EXISTS (SELECT 1 FROM regdesk.waitlist x
              WHERE x.session_id = s.id AND x.patient_id = waitlist_join.patient_id
                AND x.status = 'waiting') THEN
    RAISE EXCEPTION 'the patient is already on this session''s waiting list'
      USING ERRCODE = 'RD802';
  END IF;
  IF EXISTS (SELECT 1 FROM regdesk.slots x
              WHERE x.session_id = s.id AND x.channel = waitlist_join.channel
                AND x.status = 'free') THEN
    RAISE EXCEPTION 'the % pool still has free slots: book one instead', waitlist_join.channel
      USING ERRCODE = 'RD801';
  END IF;
  INSERT INTO regdesk.waitlist AS x (hospital_id, patient_id, session_id, channel, request_id)
  VALUES (v_hid, waitlist_join.patient_id, s.id, waitlist_join.channel, v_request)
  RETURNING * INTO w;
  PERFORM regdesk.audit('waitlist_join', 'session', s.id::text,
                        jsonb_build_object('waitlist_id', w.id, 'patient_id', w.patient_id,
                                           'channel', w.channel),
                        v_hid);
  RETURN w.id;
END
$$;
COMMENT ON FUNCTION api.waitlist_join (text, bigint, bigint, text) IS
  'Puts a patient on a full session''s waiting list (候补) for one channel; the next '
  'released slot of that channel is booked for the oldest eligible entry.';

-- Maintenance ------------------------------------------------------------------------

CREATE FUNCTION regdesk.run_maintenance ()
RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  v_expired int;
  v_released int;
  v_no_shows int;
  v_drawn int := 0;
  s record;
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_admin');
  v_expired := regdesk.expire_unpaid(NULL);
  FOR s IN SELECT x.id FROM regdesk.sessions x
            WHERE x.policy = 'lottery' AND x.status = 'open' AND x.lottery_drawn_at IS NULL
              AND x.lottery_draw_at <= now()
            ORDER BY x.lottery_draw_at, x.id
  LOOP
    IF NOT regdesk.lottery_drawn((SELECT x FROM regdesk.sessions x WHERE x.id = s.id)) THEN
      PERFORM regdesk.lottery_draw(s.id);
      v_drawn := v_drawn + 1;
    END IF;
  END LOOP;
  v_released := regdesk.release_pools(NULL);
  v_no_shows := regdesk.mark_no_shows();
  RETURN jsonb_build_object('expired', v_expired, 'released', v_released,
                            'no_shows', v_no_shows, 'lotteries_drawn', v_drawn);
END
$$;
COMMENT ON FUNCTION regdesk.run_maintenance () IS
  'Expires unpaid bookings, draws due lotteries, releases pools at their cut-off and marks '
  'no-shows; returns the counts. For the worker (and admins).';

-- Privileges ---------------------------------------------------------------------------

REVOKE ALL ON ALL FUNCTIONS IN SCHEMA regdesk, api FROM PUBLIC;
REVOKE ALL ON SEQUENCE regdesk.order_no_seq, regdesk.trade_no_seq FROM PUBLIC;

GRANT EXECUTE ON FUNCTION api.patient_create (text, text, text, date, text, text, text, text,
                                              text, boolean, boolean),
                          api.patient_update (bigint, text, text, date, text, text, text, text,
                                              text, boolean, boolean),
                          api.book (text, bigint, bigint, text, int, text),
                          api.pay_cash (text, text, bigint),
                          api.pay_card (text, text, text),
                          api.cancel (text, bigint, text),
                          api.check_in (bigint),
                          api.lottery_request (text, bigint, bigint, text),
                          api.waitlist_join (text, bigint, bigint, text)
  TO regdesk_clerk, regdesk_manager, regdesk_admin;
GRANT EXECUTE ON FUNCTION api.patient_search (text, int)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
GRANT EXECUTE ON FUNCTION api.lottery_preview (bigint)
  TO regdesk_clerk, regdesk_manager, regdesk_admin, regdesk_worker;
GRANT EXECUTE ON FUNCTION regdesk.lottery_draw (bigint)
  TO regdesk_manager, regdesk_admin, regdesk_worker;
GRANT EXECUTE ON FUNCTION regdesk.run_maintenance ()
  TO regdesk_admin, regdesk_worker;
-- Staff read the new columns like the rest of their tables.
GRANT SELECT ON ALL TABLES IN SCHEMA regdesk
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
REVOKE SELECT ON regdesk.audit_log FROM regdesk_clerk, regdesk_manager;
