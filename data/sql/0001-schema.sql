-- 0001-schema.sql: Regdesk schema v1 (tables, roles, helpers, read views)
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner (a superuser), in one
-- transaction. Roles are cluster-wide, so creating them is idempotent: the
-- same cluster may hold several Regdesk databases.
--
-- Every table carries hospital_id, the shard key of a multi-hospital
-- platform. Tables that others reference have UNIQUE (hospital_id, id) so
-- references are composite: a row can never point into another hospital.
-- Staff never write tables; they call api.* functions (SECURITY DEFINER).

-- Roles ---------------------------------------------------------------------

DO $roles$
DECLARE
  g text;
BEGIN
  FOREACH g IN ARRAY ARRAY['regdesk_clerk', 'regdesk_manager',
                           'regdesk_finance', 'regdesk_admin']
  LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = g) THEN
      EXECUTE format('CREATE ROLE %I NOLOGIN', g);
    END IF;
  END LOOP;
END
$roles$;

-- Schemas -------------------------------------------------------------------

CREATE SCHEMA IF NOT EXISTS regdesk;
CREATE SCHEMA IF NOT EXISTS api;
REVOKE ALL ON SCHEMA regdesk FROM PUBLIC;
REVOKE ALL ON SCHEMA api FROM PUBLIC;
GRANT USAGE ON SCHEMA regdesk, api
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;

-- Functions the owner creates from now on are not callable by PUBLIC: each
-- api.* function is granted to the groups that may call it.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- Small immutable helpers -----------------------------------------------------

-- A date as 'YYYY-MM-DD' whatever DateStyle says; immutable so it can be
-- indexed and the roster can filter on the text date of api.session_overview.
CREATE FUNCTION regdesk.date_text (d date)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.to_char(d::timestamp, 'YYYY-MM-DD') $$;

-- GB 11643: 17 digits, then a mod-11 check character (0-9 or X); the
-- 7th-14th characters are a real birth date.
CREATE FUNCTION regdesk.resident_id_valid (id text)
RETURNS boolean
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  weights CONSTANT int[] := ARRAY[7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  checks CONSTANT text := '10X98765432';
  total int := 0;
  y int;
  m int;
  d int;
BEGIN
  IF id !~ '^[0-9]{17}[0-9X]$' THEN
    RETURN false;
  END IF;
  FOR i IN 1..17 LOOP
    total := total + substr(id, i, 1)::int * weights[i];
  END LOOP;
  IF substr(checks, total % 11 + 1, 1) <> substr(id, 18, 1) THEN
    RETURN false;
  END IF;
  y := substr(id, 7, 4)::int;
  m := substr(id, 11, 2)::int;
  d := substr(id, 13, 2)::int;
  RETURN y >= 1880 AND m BETWEEN 1 AND 12 AND d >= 1
         AND d <= extract(day FROM (make_date(y, m, 1) + interval '1 month - 1 day'));
END
$$;

-- Mainland mobile numbers, or an E.164 number from abroad.
CREATE FUNCTION regdesk.phone_valid (phone text)
RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT phone ~ '^(1[3-9][0-9]{9}|\+[1-9][0-9]{6,14})$' $$;

-- Tables ----------------------------------------------------------------------

CREATE TABLE IF NOT EXISTS regdesk.meta
(
  key    text PRIMARY KEY,
  value  text
);
COMMENT ON TABLE regdesk.meta IS 'Facts about this database (demo_seed, ...).';

CREATE TABLE regdesk.hospitals
(
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL CHECK (name <> ''),
  time_zone   text NOT NULL DEFAULT 'Asia/Shanghai',
  settings    jsonb NOT NULL DEFAULT jsonb_build_object(
                'payment_window_minutes', 15,
                'max_bookings_per_patient_per_day', 3,
                'priority_age', 70,
                'cancel_cutoff_minutes', 30,
                'online_cutoff_minutes', 120,
                'phone_cutoff_minutes', 120,
                'lottery_draw_minutes', 1440)
              CHECK (jsonb_typeof(settings) = 'object'),
  created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE regdesk.hospitals IS
  'A hospital: the shard key of every other table. settings: payment window, '
  'bookings per patient per day, priority age, cancel and pool cut-offs (minutes).';

CREATE TABLE regdesk.departments
(
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id bigint NOT NULL REFERENCES regdesk.hospitals,
  parent_id   bigint,
  code        text NOT NULL CHECK (code <> ''),
  name        text NOT NULL CHECK (name <> ''),
  pinyin      text NOT NULL DEFAULT '' CHECK (pinyin ~ '^[a-z]*$'),
  sort_order  int NOT NULL DEFAULT 0,
  active      boolean NOT NULL DEFAULT true,
  UNIQUE (hospital_id, id),
  UNIQUE (hospital_id, code),
  FOREIGN KEY (hospital_id, parent_id) REFERENCES regdesk.departments (hospital_id, id),
  CHECK (parent_id <> id)
);
CREATE INDEX ON regdesk.departments (hospital_id, parent_id);
COMMENT ON TABLE regdesk.departments IS
  'Departments as a tree (内科 → 心血管内科); pinyin holds lower-case initials.';

CREATE TABLE regdesk.doctors
(
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id   bigint NOT NULL REFERENCES regdesk.hospitals,
  department_id bigint NOT NULL,
  code          text,
  name          text NOT NULL CHECK (name <> ''),
  pinyin        text NOT NULL DEFAULT '' CHECK (pinyin ~ '^[a-z]*$'),
  title         text NOT NULL
                CHECK (title IN ('resident', 'attending', 'associate_chief', 'chief')),
  sex           text CHECK (sex IN ('F', 'M')),
  intro         text NOT NULL DEFAULT '',
  active        boolean NOT NULL DEFAULT true,
  created_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hospital_id, id),
  UNIQUE (hospital_id, code),
  FOREIGN KEY (hospital_id, department_id) REFERENCES regdesk.departments (hospital_id, id)
);
CREATE INDEX ON regdesk.doctors (hospital_id, department_id);
COMMENT ON TABLE regdesk.doctors IS 'Doctors; title is a code the UI translates.';

CREATE TABLE regdesk.doctor_fees
(
  hospital_id bigint NOT NULL,
  doctor_id   bigint NOT NULL,
  clinic_type text NOT NULL CHECK (clinic_type IN ('general', 'specialist', 'special_needs')),
  fee         bigint NOT NULL CHECK (fee >= 0),
  PRIMARY KEY (hospital_id, doctor_id, clinic_type),
  FOREIGN KEY (hospital_id, doctor_id) REFERENCES regdesk.doctors (hospital_id, id)
);
COMMENT ON TABLE regdesk.doctor_fees IS
  'Registration fee in fen for each clinic type a doctor holds.';

CREATE TABLE regdesk.schedule_templates
(
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id   bigint NOT NULL REFERENCES regdesk.hospitals,
  doctor_id     bigint NOT NULL,
  department_id bigint NOT NULL,
  weekday       smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
  period        text NOT NULL CHECK (period IN ('morning', 'afternoon', 'evening')),
  starts_at     time NOT NULL,
  ends_at       time NOT NULL,
  clinic_type   text NOT NULL CHECK (clinic_type IN ('general', 'specialist', 'special_needs')),
  capacity      int NOT NULL CHECK (capacity > 0),
  slot_minutes  int NOT NULL CHECK (slot_minutes BETWEEN 1 AND 240),
  quota_window  int NOT NULL CHECK (quota_window >= 0),
  quota_online  int NOT NULL CHECK (quota_online >= 0),
  quota_phone   int NOT NULL CHECK (quota_phone >= 0),
  policy        text NOT NULL DEFAULT 'fcfs' CHECK (policy IN ('fcfs', 'priority', 'lottery')),
  valid_from    date NOT NULL,
  valid_to      date,
  active        boolean NOT NULL DEFAULT true,
  UNIQUE (hospital_id, id),
  FOREIGN KEY (hospital_id, doctor_id) REFERENCES regdesk.doctors (hospital_id, id),
  FOREIGN KEY (hospital_id, department_id) REFERENCES regdesk.departments (hospital_id, id),
  CHECK (ends_at > starts_at),
  CHECK (quota_window + quota_online + quota_phone = capacity),
  CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE INDEX ON regdesk.schedule_templates (hospital_id, doctor_id, weekday);
COMMENT ON TABLE regdesk.schedule_templates IS
  'Weekly roster (weekday 1 = Monday … 7 = Sunday) that sessions are generated from; '
  'the channel quotas add up to the capacity.';

CREATE TABLE regdesk.holidays
(
  hospital_id bigint NOT NULL REFERENCES regdesk.hospitals,
  date        date NOT NULL,
  name        text NOT NULL CHECK (name <> ''),
  PRIMARY KEY (hospital_id, date)
);
COMMENT ON TABLE regdesk.holidays IS 'Days without outpatient sessions.';

CREATE TABLE regdesk.doctor_leave
(
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id bigint NOT NULL REFERENCES regdesk.hospitals,
  doctor_id   bigint NOT NULL,
  starts_on   date NOT NULL,
  ends_on     date NOT NULL,
  reason      text NOT NULL DEFAULT '',
  created_by  name NOT NULL DEFAULT session_user,
  created_at  timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (hospital_id, doctor_id) REFERENCES regdesk.doctors (hospital_id, id),
  CHECK (ends_on >= starts_on)
);
CREATE INDEX ON regdesk.doctor_leave (hospital_id, doctor_id, starts_on);
COMMENT ON TABLE regdesk.doctor_leave IS 'A doctor away from starts_on to ends_on inclusive.';

CREATE TABLE regdesk.sessions
(
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id      bigint NOT NULL REFERENCES regdesk.hospitals,
  department_id    bigint NOT NULL,
  doctor_id        bigint NOT NULL,
  date             date NOT NULL,
  period           text NOT NULL CHECK (period IN ('morning', 'afternoon', 'evening')),
  starts_at        time NOT NULL,
  ends_at          time NOT NULL,
  clinic_type      text NOT NULL
                   CHECK (clinic_type IN ('general', 'specialist', 'special_needs')),
  fee              bigint NOT NULL CHECK (fee >= 0),
  status           text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'suspended', 'closed')),
  policy           text NOT NULL DEFAULT 'fcfs' CHECK (policy IN ('fcfs', 'priority', 'lottery')),
  capacity         int NOT NULL CHECK (capacity >= 0),
  quota_window     int NOT NULL CHECK (quota_window >= 0),
  quota_online     int NOT NULL CHECK (quota_online >= 0),
  quota_phone      int NOT NULL CHECK (quota_phone >= 0),
  online_cutoff_at timestamptz,
  phone_cutoff_at  timestamptz,
  lottery_draw_at  timestamptz,
  lottery_seed     bigint,
  suspended_reason text,
  suspended_at     timestamptz,
  template_id      bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hospital_id, id),
  UNIQUE (hospital_id, doctor_id, date, period),
  FOREIGN KEY (hospital_id, department_id) REFERENCES regdesk.departments (hospital_id, id),
  FOREIGN KEY (hospital_id, doctor_id) REFERENCES regdesk.doctors (hospital_id, id),
  FOREIGN KEY (hospital_id, template_id) REFERENCES regdesk.schedule_templates (hospital_id, id),
  CHECK (ends_at > starts_at),
  CHECK (quota_window + quota_online + quota_phone = capacity),
  CHECK (status <> 'suspended' OR suspended_reason IS NOT NULL),
  CHECK (policy <> 'lottery' OR lottery_draw_at IS NOT NULL)
);
CREATE INDEX ON regdesk.sessions (hospital_id, date, department_id);
CREATE INDEX ON regdesk.sessions (regdesk.date_text(date));
COMMENT ON TABLE regdesk.sessions IS
  'One doctor''s half-day of clinic (出诊). date and clock times are in the '
  'hospital''s time zone; fee is copied from doctor_fees when generated; the '
  'online and phone pools return to the window at their cut-off times.';

CREATE TABLE regdesk.slots
(
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id bigint NOT NULL,
  session_id  bigint NOT NULL,
  seq         int NOT NULL CHECK (seq > 0),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  channel     text NOT NULL CHECK (channel IN ('window', 'online', 'phone')),
  status      text NOT NULL DEFAULT 'free'
              CHECK (status IN ('free', 'held', 'booked', 'paid', 'checked_in',
                                'no_show', 'locked')),
  held_until  timestamptz,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hospital_id, id),
  UNIQUE (session_id, seq),
  FOREIGN KEY (hospital_id, session_id) REFERENCES regdesk.sessions (hospital_id, id)
    ON DELETE CASCADE,
  CHECK (ends_at > starts_at),
  CHECK (status <> 'held' OR held_until IS NOT NULL)
);
-- "The next free slot of this session in this channel" reads one index entry.
CREATE INDEX slots_next_free_idx ON regdesk.slots (session_id, channel, seq)
  WHERE status = 'free';
COMMENT ON TABLE regdesk.slots IS
  'Numbered appointment times (号源) of a session, each in one channel pool.';
COMMENT ON COLUMN regdesk.slots.status IS
  'free; held (an unpaid appointment, until held_until); booked (taken, nothing to pay '
  'now); paid; checked_in; no_show; locked (withheld: suspended session, manager).';

CREATE TABLE regdesk.patients
(
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id bigint NOT NULL REFERENCES regdesk.hospitals,
  name        text NOT NULL CHECK (name <> ''),
  pinyin      text NOT NULL DEFAULT '' CHECK (pinyin ~ '^[a-z]*$'),
  sex         text NOT NULL CHECK (sex IN ('F', 'M')),
  birth_date  date NOT NULL CHECK (birth_date >= date '1880-01-01'),
  id_type     text NOT NULL DEFAULT 'none'
              CHECK (id_type IN ('resident_id', 'passport', 'hk_macau_permit',
                                 'taiwan_permit', 'foreign_permanent', 'none')),
  id_number   text,
  phone       text CHECK (regdesk.phone_valid(phone)),
  card_no     text CHECK (card_no ~ '^[0-9A-Z]{4,32}$'),
  disabled    boolean NOT NULL DEFAULT false,
  military    boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  name NOT NULL DEFAULT session_user,
  UNIQUE (hospital_id, id),
  CHECK ((id_type = 'none') = (id_number IS NULL)),
  CHECK (id_type <> 'resident_id' OR regdesk.resident_id_valid(id_number))
);
CREATE UNIQUE INDEX patients_identity_key ON regdesk.patients (hospital_id, id_type, id_number)
  WHERE id_number IS NOT NULL;
CREATE UNIQUE INDEX patients_card_key ON regdesk.patients (hospital_id, card_no)
  WHERE card_no IS NOT NULL;
-- Prefix search (name LIKE '王%', pinyin LIKE 'wx%') whatever the collation.
CREATE INDEX patients_name_idx ON regdesk.patients (hospital_id, name text_pattern_ops);
CREATE INDEX patients_pinyin_idx ON regdesk.patients (hospital_id, pinyin text_pattern_ops);
CREATE INDEX patients_phone_idx ON regdesk.patients (hospital_id, phone text_pattern_ops);
CREATE INDEX patients_id_number_idx ON regdesk.patients (hospital_id, id_number text_pattern_ops);
COMMENT ON TABLE regdesk.patients IS
  'Patients of a hospital; one row per identity document, resident IDs '
  'checked (GB 11643), card_no is the medical card.';

CREATE TABLE regdesk.appointments
(
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id     bigint NOT NULL REFERENCES regdesk.hospitals,
  patient_id      bigint NOT NULL,
  session_id      bigint NOT NULL,
  slot_id         bigint NOT NULL,
  channel         text NOT NULL CHECK (channel IN ('window', 'online', 'phone')),
  status          text NOT NULL DEFAULT 'pending_payment'
                  CHECK (status IN ('pending_payment', 'booked', 'checked_in', 'completed',
                                    'no_show', 'cancelled', 'expired')),
  priority_reason text CHECK (priority_reason IN ('elderly', 'disabled', 'military', 'urgent')),
  queue_no        int CHECK (queue_no > 0),
  request_id      text NOT NULL CHECK (request_id <> ''),
  booked_by       name NOT NULL DEFAULT session_user,
  created_at      timestamptz NOT NULL DEFAULT now(),
  paid_at         timestamptz,
  checked_in_at   timestamptz,
  completed_at    timestamptz,
  cancelled_at    timestamptz,
  cancel_reason   text,
  UNIQUE (hospital_id, id),
  UNIQUE (hospital_id, request_id),
  FOREIGN KEY (hospital_id, patient_id) REFERENCES regdesk.patients (hospital_id, id),
  FOREIGN KEY (hospital_id, session_id) REFERENCES regdesk.sessions (hospital_id, id),
  FOREIGN KEY (hospital_id, slot_id) REFERENCES regdesk.slots (hospital_id, id),
  CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL),
  CHECK (status NOT IN ('checked_in', 'completed') OR checked_in_at IS NOT NULL)
);
-- A slot holds at most one live appointment; a patient at most one per session.
CREATE UNIQUE INDEX appointments_slot_active_key ON regdesk.appointments (slot_id)
  WHERE status IN ('pending_payment', 'booked', 'checked_in');
CREATE UNIQUE INDEX appointments_patient_session_active_key
  ON regdesk.appointments (patient_id, session_id)
  WHERE status IN ('pending_payment', 'booked', 'checked_in');
CREATE INDEX ON regdesk.appointments (session_id, status);
CREATE INDEX ON regdesk.appointments (hospital_id, patient_id, created_at);
COMMENT ON TABLE regdesk.appointments IS
  'A booking of one slot by one patient; request_id makes booking idempotent.';

CREATE TABLE regdesk.orders
(
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id     bigint NOT NULL REFERENCES regdesk.hospitals,
  order_no        text NOT NULL UNIQUE CHECK (order_no ~ '^[0-9A-Za-z_-]{6,32}$'),
  appointment_id  bigint,
  patient_id      bigint NOT NULL,
  amount          bigint NOT NULL CHECK (amount >= 0),
  refunded_amount bigint NOT NULL DEFAULT 0,
  status          text NOT NULL DEFAULT 'unpaid'
                  CHECK (status IN ('unpaid', 'paid', 'closed', 'refunding', 'refunded',
                                    'partially_refunded')),
  expires_at      timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  paid_at         timestamptz,
  closed_at       timestamptz,
  created_by      name NOT NULL DEFAULT session_user,
  UNIQUE (hospital_id, id),
  FOREIGN KEY (hospital_id, appointment_id) REFERENCES regdesk.appointments (hospital_id, id),
  FOREIGN KEY (hospital_id, patient_id) REFERENCES regdesk.patients (hospital_id, id),
  CHECK (refunded_amount BETWEEN 0 AND amount),
  CHECK (status NOT IN ('paid', 'refunding', 'refunded', 'partially_refunded')
         OR paid_at IS NOT NULL)
);
CREATE INDEX ON regdesk.orders (hospital_id, created_at);
-- The newest orders first (api.order_overview's usual reading).
CREATE INDEX ON regdesk.orders (created_at);
CREATE INDEX ON regdesk.orders (appointment_id);
CREATE INDEX orders_unpaid_idx ON regdesk.orders (expires_at) WHERE status = 'unpaid';
COMMENT ON TABLE regdesk.orders IS 'What a patient owes for an appointment, in fen.';

CREATE TABLE regdesk.shifts
(
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id   bigint NOT NULL REFERENCES regdesk.hospitals,
  clerk         name NOT NULL,
  opened_at     timestamptz NOT NULL DEFAULT now(),
  closed_at     timestamptz,
  cash_expected bigint CHECK (cash_expected >= 0),
  cash_counted  bigint CHECK (cash_counted >= 0),
  closed_by     name,
  note          text,
  UNIQUE (hospital_id, id),
  CHECK (closed_at IS NULL OR closed_at >= opened_at)
);
CREATE UNIQUE INDEX shifts_one_open_key ON regdesk.shifts (hospital_id, clerk)
  WHERE closed_at IS NULL;
COMMENT ON TABLE regdesk.shifts IS 'A clerk''s cash drawer from opening to 日结.';

CREATE TABLE regdesk.payments
(
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id      bigint NOT NULL REFERENCES regdesk.hospitals,
  order_id         bigint NOT NULL,
  method           text NOT NULL CHECK (method IN ('cash', 'card', 'wechat', 'alipay')),
  provider         text,
  out_trade_no     text NOT NULL UNIQUE CHECK (out_trade_no ~ '^[0-9A-Za-z_-]{6,32}$'),
  gateway_trade_no text,
  amount           bigint NOT NULL CHECK (amount >= 0),
  status           text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'paying', 'succeeded', 'failed', 'closed',
                                     'unknown', 'reversed')),
  tendered         bigint,
  change           bigint,
  card_reference   text,
  clerk            name NOT NULL DEFAULT session_user,
  shift_id         bigint,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  raw              jsonb,
  UNIQUE (hospital_id, id),
  FOREIGN KEY (hospital_id, order_id) REFERENCES regdesk.orders (hospital_id, id),
  FOREIGN KEY (hospital_id, shift_id) REFERENCES regdesk.shifts (hospital_id, id),
  CHECK (tendered IS NULL OR (method = 'cash' AND tendered >= amount)),
  CHECK (change IS NULL OR (tendered IS NOT NULL AND change = tendered - amount))
);
CREATE INDEX ON regdesk.payments (order_id);
CREATE INDEX ON regdesk.payments (hospital_id, created_at);
CREATE INDEX ON regdesk.payments (shift_id);
CREATE INDEX payments_unsettled_idx ON regdesk.payments (created_at)
  WHERE status IN ('pending', 'paying', 'unknown');
COMMENT ON TABLE regdesk.payments IS
  'One attempt to pay an order; out_trade_no is what the gateway knows it by.';

CREATE TABLE regdesk.refunds
(
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id       bigint NOT NULL REFERENCES regdesk.hospitals,
  payment_id        bigint NOT NULL,
  out_refund_no     text NOT NULL UNIQUE CHECK (out_refund_no ~ '^[0-9A-Za-z_-]{6,64}$'),
  gateway_refund_no text,
  amount            bigint NOT NULL CHECK (amount > 0),
  status            text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'succeeded', 'failed',
                                      'abnormal')),
  reason            text NOT NULL DEFAULT '',
  requested_by      name NOT NULL DEFAULT session_user,
  created_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  raw               jsonb,
  UNIQUE (hospital_id, id),
  FOREIGN KEY (hospital_id, payment_id) REFERENCES regdesk.payments (hospital_id, id)
);
CREATE INDEX ON regdesk.refunds (payment_id);
CREATE INDEX ON regdesk.refunds (hospital_id, created_at);
COMMENT ON TABLE regdesk.refunds IS 'Money going back to a patient for one payment.';

CREATE TABLE regdesk.waitlist
(
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id            bigint NOT NULL REFERENCES regdesk.hospitals,
  patient_id             bigint NOT NULL,
  session_id             bigint,
  doctor_id              bigint,
  date                   date,
  channel                text NOT NULL CHECK (channel IN ('window', 'online', 'phone')),
  status                 text NOT NULL DEFAULT 'waiting'
                         CHECK (status IN ('waiting', 'granted', 'cancelled', 'expired')),
  created_at             timestamptz NOT NULL DEFAULT now(),
  created_by             name NOT NULL DEFAULT session_user,
  granted_appointment_id bigint,
  UNIQUE (hospital_id, id),
  FOREIGN KEY (hospital_id, patient_id) REFERENCES regdesk.patients (hospital_id, id),
  FOREIGN KEY (hospital_id, session_id) REFERENCES regdesk.sessions (hospital_id, id),
  FOREIGN KEY (hospital_id, doctor_id) REFERENCES regdesk.doctors (hospital_id, id),
  FOREIGN KEY (hospital_id, granted_appointment_id)
    REFERENCES regdesk.appointments (hospital_id, id),
  CHECK (session_id IS NOT NULL OR (doctor_id IS NOT NULL AND date IS NOT NULL)),
  CHECK ((status = 'granted') = (granted_appointment_id IS NOT NULL))
);
CREATE INDEX ON regdesk.waitlist (session_id, created_at) WHERE status = 'waiting';
CREATE INDEX ON regdesk.waitlist (doctor_id, date, created_at) WHERE status = 'waiting';
CREATE UNIQUE INDEX waitlist_patient_session_key ON regdesk.waitlist (patient_id, session_id)
  WHERE status = 'waiting';
COMMENT ON TABLE regdesk.waitlist IS
  'Patients waiting (候补) for a released slot of a session or a doctor''s day, oldest first.';

CREATE TABLE regdesk.lottery_requests
(
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id    bigint NOT NULL REFERENCES regdesk.hospitals,
  session_id     bigint NOT NULL,
  patient_id     bigint NOT NULL,
  channel        text NOT NULL CHECK (channel IN ('window', 'online', 'phone')),
  request_id     text NOT NULL CHECK (request_id <> ''),
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'won', 'lost', 'cancelled')),
  drawn_rank     int CHECK (drawn_rank > 0),
  appointment_id bigint,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hospital_id, id),
  UNIQUE (hospital_id, request_id),
  UNIQUE (session_id, patient_id),
  UNIQUE (session_id, drawn_rank),
  FOREIGN KEY (hospital_id, session_id) REFERENCES regdesk.sessions (hospital_id, id),
  FOREIGN KEY (hospital_id, patient_id) REFERENCES regdesk.patients (hospital_id, id),
  FOREIGN KEY (hospital_id, appointment_id) REFERENCES regdesk.appointments (hospital_id, id)
);
COMMENT ON TABLE regdesk.lottery_requests IS
  'Requests collected for a lottery session until sessions.lottery_draw_at; the draw '
  'with sessions.lottery_seed ranks them reproducibly.';

CREATE TABLE regdesk.sms_outbox
(
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id         bigint NOT NULL REFERENCES regdesk.hospitals,
  to_phone            text NOT NULL CHECK (regdesk.phone_valid(to_phone)),
  template            text NOT NULL
                      CHECK (template IN ('booking_confirmed', 'reminder', 'session_suspended',
                                          'waitlist_granted', 'refund_done')),
  params              jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(params) = 'object'),
  dedup_key           text NOT NULL UNIQUE,
  status              text NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts            int NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at     timestamptz NOT NULL DEFAULT now(),
  last_error          text,
  provider            text,
  provider_message_id text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  sent_at             timestamptz,
  CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
-- The worker's queue: due rows, taken with FOR UPDATE SKIP LOCKED.
CREATE INDEX sms_outbox_due_idx ON regdesk.sms_outbox (next_attempt_at)
  WHERE status IN ('pending', 'failed');
CREATE INDEX ON regdesk.sms_outbox (hospital_id, created_at);
COMMENT ON TABLE regdesk.sms_outbox IS
  'Text messages to send, written in the same transaction as the change they report.';

CREATE TABLE regdesk.bill_lines
(
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id      bigint NOT NULL REFERENCES regdesk.hospitals,
  provider         text NOT NULL CHECK (provider IN ('wechatpay', 'alipay')),
  bill_date        date NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('payment', 'refund')),
  out_trade_no     text NOT NULL,
  gateway_trade_no text,
  out_refund_no    text,
  amount           bigint NOT NULL CHECK (amount >= 0),
  service_fee      bigint NOT NULL DEFAULT 0,
  traded_at        timestamptz,
  trade_status     text,
  raw              jsonb,
  imported_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hospital_id, id),
  UNIQUE NULLS NOT DISTINCT (hospital_id, provider, bill_date, kind, out_trade_no,
                             out_refund_no),
  CHECK ((kind = 'refund') = (out_refund_no IS NOT NULL))
);
CREATE INDEX ON regdesk.bill_lines (out_trade_no);
COMMENT ON TABLE regdesk.bill_lines IS 'Lines of a gateway''s daily bill, as downloaded.';

CREATE TABLE regdesk.reconciliation_items
(
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  hospital_id  bigint NOT NULL REFERENCES regdesk.hospitals,
  provider     text NOT NULL CHECK (provider IN ('wechatpay', 'alipay')),
  bill_date    date NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('payment', 'refund')),
  out_trade_no text NOT NULL,
  out_refund_no text,
  payment_id   bigint,
  refund_id    bigint,
  bill_line_id bigint,
  db_amount    bigint,
  bill_amount  bigint,
  status       text NOT NULL
               CHECK (status IN ('matched', 'missing_in_bill', 'missing_in_db',
                                 'amount_mismatch', 'status_mismatch')),
  matched      boolean NOT NULL GENERATED ALWAYS AS (status = 'matched') STORED,
  resolution   text,
  resolved_by  name,
  resolved_at  timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (hospital_id, id),
  UNIQUE NULLS NOT DISTINCT (hospital_id, provider, bill_date, kind, out_trade_no,
                             out_refund_no),
  FOREIGN KEY (hospital_id, payment_id) REFERENCES regdesk.payments (hospital_id, id),
  FOREIGN KEY (hospital_id, refund_id) REFERENCES regdesk.refunds (hospital_id, id),
  FOREIGN KEY (hospital_id, bill_line_id) REFERENCES regdesk.bill_lines (hospital_id, id),
  CHECK ((resolved_at IS NULL) = (resolved_by IS NULL))
);
CREATE INDEX reconciliation_open_idx ON regdesk.reconciliation_items (hospital_id, bill_date)
  WHERE status <> 'matched' AND resolved_at IS NULL;
COMMENT ON TABLE regdesk.reconciliation_items IS
  'Result of matching a bill (对账): one row per trade or refund seen on either side.';

CREATE TABLE regdesk.staff
(
  login        name PRIMARY KEY,
  hospital_id  bigint NOT NULL REFERENCES regdesk.hospitals,
  display_name text NOT NULL CHECK (display_name <> ''),
  role         text NOT NULL CHECK (role IN ('clerk', 'manager', 'finance', 'admin')),
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now(),
  created_by   name NOT NULL DEFAULT session_user
);
CREATE INDEX ON regdesk.staff (hospital_id);
COMMENT ON TABLE regdesk.staff IS
  'Staff logins (PostgreSQL roles, members of regdesk_<role>) and their hospital.';

CREATE TABLE regdesk.audit_log
(
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  login       name NOT NULL DEFAULT session_user,
  hospital_id bigint,
  action      text NOT NULL CHECK (action <> ''),
  entity      text NOT NULL,
  entity_id   text,
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON regdesk.audit_log (hospital_id, at);
CREATE INDEX ON regdesk.audit_log (entity, entity_id);
COMMENT ON TABLE regdesk.audit_log IS
  'Who did what (login = session_user, the person, even inside SECURITY DEFINER '
  'functions). Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE.';

-- Append-only audit log ---------------------------------------------------------

CREATE FUNCTION regdesk.audit_log_refuse ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON regdesk.audit_log
  FOR EACH ROW EXECUTE FUNCTION regdesk.audit_log_refuse();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON regdesk.audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.audit_log_refuse();

-- Helpers for api.* functions ----------------------------------------------------

-- Raises 42501 unless the person logged in (session_user: inside SECURITY
-- DEFINER current_user is the owner) is a member of one of @groups.
CREATE FUNCTION regdesk.require_group (VARIADIC groups text[])
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  g text;
BEGIN
  FOREACH g IN ARRAY groups LOOP
    IF pg_has_role(session_user, g, 'MEMBER') THEN
      RETURN;
    END IF;
  END LOOP;
  RAISE EXCEPTION 'permission denied: % is not a member of %', session_user,
    array_to_string(groups, ', ')
    USING ERRCODE = 'insufficient_privilege';
END
$$;

-- The hospital of the person logged in: their staff row, else (the owner,
-- a role made by hand) the first hospital; NULL when there is none.
CREATE FUNCTION regdesk.caller_hospital ()
RETURNS bigint
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT coalesce((SELECT s.hospital_id FROM regdesk.staff s WHERE s.login = session_user),
                  (SELECT min(h.id) FROM regdesk.hospitals h))
$$;

CREATE FUNCTION regdesk.audit (action      text,
                               entity      text,
                               entity_id   text,
                               details     jsonb DEFAULT '{}',
                               hospital_id bigint DEFAULT NULL)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
  INSERT INTO regdesk.audit_log (hospital_id, action, entity, entity_id, details)
  VALUES (coalesce(hospital_id, regdesk.caller_hospital()), action, entity, entity_id,
          coalesce(details, '{}'))
$$;

-- NOTIFY rd_change '<entity>:<hospital>:<id>'; identical payloads fold
-- within a transaction.
CREATE FUNCTION regdesk.notify_change (entity text, hospital bigint, id text)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_notify('rd_change', entity || ':' || hospital || ':' || id) $$;

CREATE FUNCTION regdesk.notify_change (entity text, hospital bigint, id bigint)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT pg_notify('rd_change', entity || ':' || hospital || ':' || id) $$;

-- Change notifications ------------------------------------------------------------
--
-- Statement-level triggers with transition tables: one trigger call per
-- statement, one NOTIFY per changed row. A bulk load (the demo generator)
-- sets regdesk.bulk_load to 'on' for its transaction and announces the
-- rosters itself: thousands of row payloads would only make every client
-- refresh thousands of times.

CREATE FUNCTION regdesk.bulk_loading ()
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT coalesce(current_setting('regdesk.bulk_load', true), '') = 'on' $$;

CREATE FUNCTION regdesk.sessions_notify ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
BEGIN
  IF regdesk.bulk_loading() THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    PERFORM regdesk.notify_change('session', n.hospital_id, n.id)
      FROM (SELECT hospital_id, id FROM new_rows ORDER BY id) n;
    PERFORM regdesk.notify_change('roster', d.hospital_id, regdesk.date_text(d.date))
      FROM (SELECT DISTINCT hospital_id, date FROM new_rows ORDER BY 1, 2) d;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM regdesk.notify_change('session', n.hospital_id, n.id)
      FROM (SELECT hospital_id, id FROM new_rows ORDER BY id) n;
    -- A session moved to another day leaves one roster and joins another.
    PERFORM regdesk.notify_change('roster', d.hospital_id, regdesk.date_text(d.date))
      FROM (SELECT o.hospital_id, o.date FROM old_rows o JOIN new_rows n USING (id)
             WHERE o.date <> n.date
            UNION
            SELECT n.hospital_id, n.date FROM old_rows o JOIN new_rows n USING (id)
             WHERE o.date <> n.date
            ORDER BY 1, 2) d;
  ELSE
    PERFORM regdesk.notify_change('session', o.hospital_id, o.id)
      FROM (SELECT hospital_id, id FROM old_rows ORDER BY id) o;
    PERFORM regdesk.notify_change('roster', d.hospital_id, regdesk.date_text(d.date))
      FROM (SELECT DISTINCT hospital_id, date FROM old_rows ORDER BY 1, 2) d;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sessions_notify_insert AFTER INSERT ON regdesk.sessions
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.sessions_notify();
CREATE TRIGGER sessions_notify_update AFTER UPDATE ON regdesk.sessions
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.sessions_notify();
CREATE TRIGGER sessions_notify_delete AFTER DELETE ON regdesk.sessions
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION regdesk.sessions_notify();

-- Slots, appointments, orders and patients all name one parent per row:
-- TG_ARGV[0] is the payload's entity, TG_ARGV[1] the column holding its id.
CREATE FUNCTION regdesk.rows_notify ()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
DECLARE
  entity CONSTANT text := TG_ARGV[0];
  q CONSTANT text := format('SELECT DISTINCT hospital_id, %I AS id FROM %%I ORDER BY 1, 2',
                            TG_ARGV[1]);
  r record;
BEGIN
  IF regdesk.bulk_loading() THEN
    RETURN NULL;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    FOR r IN EXECUTE format(q, 'new_rows') LOOP
      PERFORM regdesk.notify_change(entity, r.hospital_id, r.id);
    END LOOP;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    FOR r IN EXECUTE format(q, 'old_rows') LOOP
      PERFORM regdesk.notify_change(entity, r.hospital_id, r.id);
    END LOOP;
  END IF;
  RETURN NULL;
END
$$;

DO $triggers$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('slots', 'session', 'session_id'),
                                 ('appointments', 'appointment', 'id'),
                                 ('orders', 'order', 'id'),
                                 ('patients', 'patient', 'id')) AS v (tab, entity, col)
  LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON regdesk.%I '
                   'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT '
                   'EXECUTE FUNCTION regdesk.rows_notify(%L, %L)',
                   t.tab || '_notify_insert', t.tab, t.entity, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON regdesk.%I '
                   'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION regdesk.rows_notify(%L, %L)',
                   t.tab || '_notify_update', t.tab, t.entity, t.col);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON regdesk.%I '
                   'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT '
                   'EXECUTE FUNCTION regdesk.rows_notify(%L, %L)',
                   t.tab || '_notify_delete', t.tab, t.entity, t.col);
  END LOOP;
END
$triggers$;

-- Read views ------------------------------------------------------------------------

CREATE VIEW api.session_overview AS
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
       coalesce(b.booked, 0) AS booked
  FROM regdesk.sessions s
  JOIN regdesk.departments dep ON dep.id = s.department_id
  JOIN regdesk.doctors doc ON doc.id = s.doctor_id
  LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE sl.channel = 'window') AS free_window,
           count(*) FILTER (WHERE sl.channel = 'online') AS free_online,
           count(*) FILTER (WHERE sl.channel = 'phone') AS free_phone
      FROM regdesk.slots sl
     WHERE sl.session_id = s.id AND sl.status = 'free') f ON true
  LEFT JOIN LATERAL (
    SELECT count(*) AS booked
      FROM regdesk.appointments a
     WHERE a.session_id = s.id
       AND a.status IN ('pending_payment', 'booked', 'checked_in')) b ON true;
COMMENT ON VIEW api.session_overview IS
  'The roster: one row per session with free slots per channel and live bookings.';

CREATE VIEW api.order_overview AS
SELECT o.order_no,
       o.hospital_id,
       o.created_at,
       o.paid_at,
       p.name AS patient_name,
       dep.name AS department_name,
       doc.name AS doctor_name,
       regdesk.date_text(s.date) AS session_date,
       o.amount,
       o.status,
       pay.method,
       o.created_by,
       o.id,
       o.patient_id,
       o.appointment_id,
       o.refunded_amount
  FROM regdesk.orders o
  JOIN regdesk.patients p ON p.id = o.patient_id
  LEFT JOIN regdesk.appointments a ON a.id = o.appointment_id
  LEFT JOIN regdesk.sessions s ON s.id = a.session_id
  LEFT JOIN regdesk.departments dep ON dep.id = s.department_id
  LEFT JOIN regdesk.doctors doc ON doc.id = s.doctor_id
  LEFT JOIN LATERAL (
    SELECT y.method
      FROM regdesk.payments y
     WHERE y.order_id = o.id AND y.status = 'succeeded'
     ORDER BY y.finished_at DESC NULLS LAST, y.id DESC
     LIMIT 1) pay ON true;
COMMENT ON VIEW api.order_overview IS
  'Orders with who, what and how they were paid (method of the succeeded payment).';

-- api functions -------------------------------------------------------------------------

CREATE FUNCTION api.whoami ()
RETURNS TABLE (login         text,
               display_name  text,
               roles         text[],
               hospital_id   bigint,
               hospital_name text,
               time_zone     text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  groups text[];
  hid bigint;
BEGIN
  SELECT coalesce(array_agg(g ORDER BY ord), '{}')
    INTO groups
    FROM unnest(ARRAY['regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                      'regdesk_admin']) WITH ORDINALITY AS u (g, ord)
   WHERE pg_has_role(session_user, g, 'MEMBER');
  IF cardinality(groups) = 0 THEN
    RAISE EXCEPTION 'permission denied: % is not Regdesk staff', session_user
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  hid := regdesk.caller_hospital();
  RETURN QUERY
    SELECT session_user::text,
           coalesce((SELECT s.display_name FROM regdesk.staff s WHERE s.login = session_user),
                    session_user::text),
           groups,
           h.id,
           h.name,
           coalesce(h.time_zone, 'Asia/Shanghai')
      FROM (SELECT 1) AS one
      LEFT JOIN regdesk.hospitals h ON h.id = hid;
END
$$;
COMMENT ON FUNCTION api.whoami () IS
  'The person logged in, their Regdesk groups and hospital; 42501 for non-staff.';

CREATE FUNCTION api.staff_add (login             text,
                               display_name      text,
                               role              text,
                               password_verifier text)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  r text := CASE WHEN role LIKE 'regdesk\_%' THEN substr(role, 9) ELSE role END;
  hid bigint;
BEGIN
  PERFORM regdesk.require_group('regdesk_admin');
  IF login IS NULL OR login !~ '^[a-z][a-z0-9_]{1,62}$' OR login LIKE 'regdesk%'
     OR login LIKE 'pg\_%' THEN
    RAISE EXCEPTION 'invalid login name: %', login USING ERRCODE = 'RD101';
  END IF;
  IF r IS NULL OR r NOT IN ('clerk', 'manager', 'finance', 'admin') THEN
    RAISE EXCEPTION 'unknown staff role: %', role USING ERRCODE = 'RD102';
  END IF;
  IF coalesce(btrim(display_name), '') = '' THEN
    RAISE EXCEPTION 'a display name is required' USING ERRCODE = 'RD103';
  END IF;
  -- Only a verifier computed on the client: a clear password would be logged.
  IF password_verifier IS NULL OR password_verifier !~ '^SCRAM-SHA-256\$' THEN
    RAISE EXCEPTION 'the password must be a SCRAM-SHA-256 verifier' USING ERRCODE = 'RD104';
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = login) THEN
    RAISE EXCEPTION 'login % already exists', login USING ERRCODE = 'RD105';
  END IF;
  hid := regdesk.caller_hospital();
  IF hid IS NULL THEN
    RAISE EXCEPTION 'no hospital to add staff to' USING ERRCODE = 'RD106';
  END IF;

  EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I',
                 login, password_verifier, 'regdesk_' || r);
  INSERT INTO regdesk.staff (login, hospital_id, display_name, role)
  VALUES (login, hid, btrim(display_name), r);
  PERFORM regdesk.audit('staff_add', 'staff', login,
                        jsonb_build_object('display_name', btrim(display_name), 'role', r),
                        hid);
END
$$;
COMMENT ON FUNCTION api.staff_add (text, text, text, text) IS
  'Admins: a new login (role clerk|manager|finance|admin) with a SCRAM verifier.';

CREATE FUNCTION api.staff_set_active (login  text,
                                      active boolean)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
DECLARE
  hid bigint;
BEGIN
  PERFORM regdesk.require_group('regdesk_admin');
  IF active IS NULL THEN
    RAISE EXCEPTION 'active must be true or false' USING ERRCODE = 'RD107';
  END IF;
  SELECT s.hospital_id INTO hid FROM regdesk.staff s WHERE s.login = staff_set_active.login;
  IF NOT FOUND OR hid IS DISTINCT FROM regdesk.caller_hospital() THEN
    RAISE EXCEPTION 'no staff login %', login USING ERRCODE = 'RD108';
  END IF;
  IF login = session_user AND NOT active THEN
    RAISE EXCEPTION 'you cannot deactivate your own login' USING ERRCODE = 'RD109';
  END IF;

  EXECUTE format('ALTER ROLE %I %s', login, CASE WHEN active THEN 'LOGIN' ELSE 'NOLOGIN' END);
  UPDATE regdesk.staff s SET active = staff_set_active.active
   WHERE s.login = staff_set_active.login;
  PERFORM regdesk.audit('staff_set_active', 'staff', login,
                        jsonb_build_object('active', active), hid);
END
$$;
COMMENT ON FUNCTION api.staff_set_active (text, boolean) IS
  'Admins: allow or forbid a staff login (the role keeps its history).';

-- Privileges ---------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA regdesk FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA regdesk FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA regdesk, api FROM PUBLIC;

GRANT SELECT ON ALL TABLES IN SCHEMA regdesk
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
REVOKE SELECT ON regdesk.audit_log FROM regdesk_clerk, regdesk_manager;
GRANT SELECT ON api.session_overview, api.order_overview
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;

-- Functions a view calls run with the reader's privileges.
GRANT EXECUTE ON FUNCTION regdesk.date_text (date), regdesk.resident_id_valid (text),
                          regdesk.phone_valid (text)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
GRANT EXECUTE ON FUNCTION api.whoami ()
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
GRANT EXECUTE ON FUNCTION api.staff_add (text, text, text, text),
                          api.staff_set_active (text, boolean)
  TO regdesk_admin;
