-- 0007-gateway-payments.sql: WeChat Pay and Alipay payments and refunds,
-- recorded exactly once
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- A gateway payment is a payments row written BEFORE anything is sent
-- (api.payment_begin: one out_trade_no per attempt, the same on every retry
-- of that attempt), then finished with what the gateway said
-- (api.payment_finish). Only a SUCCESS for the full amount pays the order,
-- and only once: the order, the appointment and the slot are locked in the
-- booking code's order (slot, appointment, order) and the payment row after
-- them, so a duplicate notification, the desk and a worker finishing the
-- same payment at the same moment leave one paid order and no error. A
-- SUCCESS for an order that another payment already paid, or that was
-- closed or cancelled meanwhile, is money taken twice: the payment is
-- recorded and a 'pending' refund of it (a surplus refund) is written in
-- the same transaction for the caller or the worker to send. A success
-- that arrives after the payment was reversed, closed or refused is stale
-- and changes nothing; a reversal reported after a success (a notification
-- won the race against the desk's reverse) gives the order back its
-- unpaid hold.
--
-- Outcomes nobody learned ('unknown', and 'paying' rows whose desk went
-- away) are the worker's: api.payment_claim_unsettled() hands them out with
-- FOR UPDATE SKIP LOCKED and a lease (settle_after), so several workers
-- never settle one row at the same time; every step after that is
-- idempotent, so a lease that runs out mid-way costs a repeated query at
-- most. Refunds ('pending' from api.cancel or a surplus, 'processing' once
-- the gateway accepted them) go the same way through api.refund_claim()
-- and api.refund_finish(), which marks the order refunded and queues the
-- 'refund_done' text once.
--
-- Refusals (SQLSTATE):
--   RD501 no such order               RD520 unknown method, scene or state
--   RD502 order already paid          RD521 nothing to pay (free order)
--   RD503 order closed or its         RD522 no such gateway payment
--         payment window passed       RD523 no such gateway refund
--   RD309 request id missing or reused for another payment

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- Columns and indexes ----------------------------------------------------------

ALTER TABLE regdesk.payments
  ADD COLUMN scene text CHECK (scene IN ('qr', 'code')),
  ADD COLUMN settle_after timestamptz,
  ADD COLUMN settle_attempts int NOT NULL DEFAULT 0 CHECK (settle_attempts >= 0),
  ADD COLUMN anomaly text,
  ADD COLUMN recheck boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN regdesk.payments.scene IS
  'Gateway payments: ''qr'' (the patient scans) or ''code'' (the desk scans the patient''s '
  'payment code); an open QR order is closed, an open code payment reversed.';
COMMENT ON COLUMN regdesk.payments.settle_after IS
  'The worker''s lease: no worker claims the row again before this time.';
COMMENT ON COLUMN regdesk.payments.recheck IS
  'A success that may be stale (it came after an unknown outcome, or an unknown outcome '
  'came after it: perhaps a reversal): the worker asks the gateway once more.';
COMMENT ON COLUMN regdesk.payments.anomaly IS
  'Set when the gateway reported something that must not be settled automatically '
  '(another amount): a person looks; workers leave the row alone.';

ALTER TABLE regdesk.refunds
  ADD COLUMN surplus boolean NOT NULL DEFAULT false,
  ADD COLUMN settle_after timestamptz,
  ADD COLUMN settle_attempts int NOT NULL DEFAULT 0 CHECK (settle_attempts >= 0),
  ADD COLUMN last_error text;
COMMENT ON COLUMN regdesk.refunds.surplus IS
  'A payment the order did not need (paid twice, or paid after it closed): given back '
  'whole, never counted in the order''s refunded_amount.';

CREATE INDEX refunds_unsettled_idx ON regdesk.refunds (created_at)
  WHERE status IN ('pending', 'processing');
CREATE INDEX payments_recheck_idx ON regdesk.payments (created_at) WHERE recheck;

-- Helpers -------------------------------------------------------------------------

CREATE FUNCTION regdesk.gateway_provider (method text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE method WHEN 'wechat' THEN 'wechatpay' WHEN 'alipay' THEN 'alipay' END $$;

-- Staff see their own hospital's rows; workers and the owner every one.
CREATE FUNCTION regdesk.sees_hospital (p_hospital_id bigint)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT pg_has_role(session_user, 'regdesk_worker', 'MEMBER')
         OR p_hospital_id = regdesk.caller_hospital()
$$;

-- The refund_done text of an order whose money went back (once per
-- appointment, whatever path the money took).
CREATE FUNCTION regdesk.queue_refund_done (o regdesk.orders)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, regdesk, pg_temp
AS $$
  INSERT INTO regdesk.sms_outbox (hospital_id, to_phone, template, params, dedup_key)
  SELECT o.hospital_id, pat.phone, 'refund_done',
         jsonb_build_object('name', pat.name, 'order_no', o.order_no,
                            'amount', regdesk.yuan(o.refunded_amount),
                            'date', regdesk.date_text(s.date)),
         'refund_done:' || coalesce(a.id::text, 'order' || o.id)
    FROM regdesk.patients pat
    LEFT JOIN regdesk.appointments a ON a.id = o.appointment_id
    LEFT JOIN regdesk.sessions s ON s.id = a.session_id
   WHERE pat.id = o.patient_id AND pat.phone IS NOT NULL
  ON CONFLICT (dedup_key) DO NOTHING
$$;

-- Beginning a payment -----------------------------------------------------------------

CREATE FUNCTION api.payment_begin (request_id text,
                                   order_no   text,
                                   method     text,
                                   scene      text DEFAULT 'qr')
RETURNS TABLE (payment_id   bigint,
               out_trade_no text,
               amount       bigint,
               description  text,
               expires_at   timestamptz,
               status       text,
               fresh        boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_request CONSTANT text := payment_begin.request_id;
  v_order_no CONSTANT text := payment_begin.order_no;
  v_method CONSTANT text := payment_begin.method;
  v_scene CONSTANT text := coalesce(payment_begin.scene, 'qr');
  v_hid bigint;
  v_tz text;
  o regdesk.orders;
  y regdesk.payments;
  v_slot bigint;
  v_appt_status text;
  v_description text;
  v_fresh boolean := false;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_admin');
  IF coalesce(v_request, '') = '' THEN
    RAISE EXCEPTION 'a request id is required' USING ERRCODE = 'RD309';
  END IF;
  IF v_method IS NULL OR v_method NOT IN ('wechat', 'alipay') THEN
    RAISE EXCEPTION 'unknown gateway payment method %', coalesce(v_method, '(none)')
      USING ERRCODE = 'RD520';
  END IF;
  IF v_scene NOT IN ('qr', 'code') THEN
    RAISE EXCEPTION 'unknown payment scene %', v_scene USING ERRCODE = 'RD520';
  END IF;
  v_hid := regdesk.caller_hospital();
  PERFORM regdesk.lock_request(v_request);

  -- A retried request: the same attempt, the same out_trade_no.
  SELECT * INTO y FROM regdesk.payments x
   WHERE x.hospital_id = v_hid AND x.request_id = v_request;
  IF FOUND THEN
    SELECT * INTO o FROM regdesk.orders x WHERE x.id = y.order_id;
    IF o.order_no <> v_order_no OR y.method <> v_method
       OR y.scene IS DISTINCT FROM v_scene THEN
      RAISE EXCEPTION 'request id % was used for another payment', v_request
        USING ERRCODE = 'RD309';
    END IF;
  ELSE
    SELECT * INTO o FROM regdesk.orders x
     WHERE x.order_no = v_order_no AND x.hospital_id = v_hid;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'no order %', coalesce(v_order_no, '(none)') USING ERRCODE = 'RD501';
    END IF;
    -- Lock order: slot, appointment, order (as the booking code does).
    SELECT a.slot_id INTO v_slot FROM regdesk.appointments a WHERE a.id = o.appointment_id;
    PERFORM 1 FROM regdesk.slots x WHERE x.id = v_slot FOR NO KEY UPDATE;
    SELECT a.status INTO v_appt_status FROM regdesk.appointments a
     WHERE a.id = o.appointment_id FOR UPDATE;
    SELECT * INTO o FROM regdesk.orders x WHERE x.id = o.id FOR UPDATE;

    IF o.status IN ('paid', 'refunding', 'refunded', 'partially_refunded') THEN
      RAISE EXCEPTION 'order % is already paid', o.order_no USING ERRCODE = 'RD502';
    ELSIF o.status <> 'unpaid'
          OR (o.appointment_id IS NOT NULL AND v_appt_status IS DISTINCT FROM 'pending_payment')
    THEN
      RAISE EXCEPTION 'order % is closed (the booking expired or was cancelled): book again',
        o.order_no USING ERRCODE = 'RD503';
    ELSIF o.expires_at <= now() THEN
      RAISE EXCEPTION 'the payment window of order % has passed: book again', o.order_no
        USING ERRCODE = 'RD503';
    ELSIF o.amount <= 0 THEN
      RAISE EXCEPTION 'order % has nothing to pay', o.order_no USING ERRCODE = 'RD521';
    END IF;

    SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = v_hid;
    INSERT INTO regdesk.payments AS x
      (hospital_id, order_id, method, provider, scene, out_trade_no, amount, status, shift_id,
       request_id)
    VALUES (v_hid, o.id, v_method, regdesk.gateway_provider(v_method), v_scene,
            regdesk.next_trade_no(CASE v_method WHEN 'wechat' THEN 'W' ELSE 'A' END, v_tz),
            o.amount, 'paying',
            (SELECT sh.id FROM regdesk.shifts sh
              WHERE sh.hospital_id = v_hid AND sh.clerk = session_user
                AND sh.closed_at IS NULL),
            v_request)
    RETURNING * INTO y;
    v_fresh := true;
    PERFORM regdesk.audit('payment_begin', 'order', o.order_no,
                          jsonb_build_object('payment_id', y.id, 'method', y.method,
                                             'scene', y.scene, 'out_trade_no', y.out_trade_no,
                                             'amount', y.amount),
                          v_hid);
  END IF;

  -- What the patient's phone shows (the gateways cut it at 127 bytes).
  SELECT left('挂号费 ' || coalesce(dep.name || ' ' || doc.name, o.order_no), 40)
    INTO v_description
    FROM (SELECT 1) one
    LEFT JOIN regdesk.appointments a ON a.id = o.appointment_id
    LEFT JOIN regdesk.sessions s ON s.id = a.session_id
    LEFT JOIN regdesk.departments dep ON dep.id = s.department_id
    LEFT JOIN regdesk.doctors doc ON doc.id = s.doctor_id;

  RETURN QUERY SELECT y.id, y.out_trade_no, y.amount, v_description, o.expires_at, y.status,
                      v_fresh;
END
$$;
COMMENT ON FUNCTION api.payment_begin (text, text, text, text) IS
  'Records a WeChat Pay or Alipay attempt (method wechat|alipay, scene qr|code) before '
  'anything is sent: its out_trade_no, amount and description; idempotent by request id '
  '(fresh is false when the request id had already recorded it).';

-- Finishing a payment ---------------------------------------------------------------------

CREATE FUNCTION api.payment_finish (out_trade_no     text,
                                    state            text,
                                    gateway_trade_no text DEFAULT NULL,
                                    amount           bigint DEFAULT NULL,
                                    raw              jsonb DEFAULT NULL)
RETURNS TABLE (payment_id     bigint,
               order_no       text,
               payment_status text,
               order_status   text,
               out_refund_no  text,
               anomaly        text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_no CONSTANT text := payment_finish.out_trade_no;
  v_state CONSTANT text := payment_finish.state;
  v_gateway_no CONSTANT text := nullif(payment_finish.gateway_trade_no, '');
  v_amount CONSTANT bigint := payment_finish.amount;
  v_raw CONSTANT jsonb := payment_finish.raw;
  y regdesk.payments;
  o regdesk.orders;
  v_slot bigint;
  v_appt_status text;
  v_tz text;
  v_refund_no text;
  v_reason text;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin', 'regdesk_worker');
  IF v_state IS NULL
     OR v_state NOT IN ('succeeded', 'confirmed', 'failed', 'closed', 'reversed', 'unknown')
  THEN
    RAISE EXCEPTION 'unknown payment state %', coalesce(v_state, '(none)')
      USING ERRCODE = 'RD520';
  END IF;
  SELECT * INTO y FROM regdesk.payments x
   WHERE x.out_trade_no = v_no AND x.method IN ('wechat', 'alipay');
  IF NOT FOUND OR NOT regdesk.sees_hospital(y.hospital_id) THEN
    RAISE EXCEPTION 'no gateway payment %', coalesce(v_no, '(none)') USING ERRCODE = 'RD522';
  END IF;

  -- The booking code's lock order, then the payment: whoever comes second
  -- sees the first one's result.
  SELECT * INTO o FROM regdesk.orders x WHERE x.id = y.order_id;
  SELECT a.slot_id INTO v_slot FROM regdesk.appointments a WHERE a.id = o.appointment_id;
  PERFORM 1 FROM regdesk.slots x WHERE x.id = v_slot FOR NO KEY UPDATE;
  SELECT a.status INTO v_appt_status FROM regdesk.appointments a
   WHERE a.id = o.appointment_id FOR UPDATE;
  SELECT * INTO o FROM regdesk.orders x WHERE x.id = o.id FOR UPDATE;
  SELECT * INTO y FROM regdesk.payments x WHERE x.id = y.id FOR UPDATE;

  IF v_state IN ('succeeded', 'confirmed') AND y.status IN ('failed', 'closed', 'reversed') THEN
    -- A late or repeated notification of a payment that was reversed, closed
    -- or refused since: the later, final answer stands. (Should money really
    -- have stayed with the gateway, the daily bill shows it to finance.)
    PERFORM regdesk.audit('payment_late_success', 'order', o.order_no,
                          jsonb_build_object('payment_id', y.id, 'status', y.status,
                                             'reported', v_amount),
                          y.hospital_id);
  ELSIF v_state IN ('succeeded', 'confirmed') AND y.status <> 'succeeded' THEN
    IF v_amount IS NOT NULL AND v_amount <> y.amount THEN
      -- Money moved, but not as asked: never call that paid; a person looks.
      UPDATE regdesk.payments x
         SET status = 'unknown', raw = coalesce(v_raw, x.raw),
             gateway_trade_no = coalesce(v_gateway_no, x.gateway_trade_no),
             anomaly = format('the gateway reported %s fen paid instead of %s', v_amount,
                              x.amount)
       WHERE x.id = y.id
      RETURNING * INTO y;
      PERFORM regdesk.audit('payment_anomaly', 'order', o.order_no,
                            jsonb_build_object('payment_id', y.id, 'expected', y.amount,
                                               'reported', v_amount),
                            y.hospital_id);
    ELSE
      -- A success reported after an unknown outcome (perhaps a reversal)
      -- may be stale, unless it is a fresh answer ('confirmed'): then the
      -- worker asks once more.
      UPDATE regdesk.payments x
         SET status = 'succeeded', finished_at = now(), raw = coalesce(v_raw, x.raw),
             gateway_trade_no = coalesce(v_gateway_no, x.gateway_trade_no), anomaly = NULL,
             recheck = (x.status = 'unknown' AND v_state = 'succeeded'),
             settle_after = now()
       WHERE x.id = y.id
      RETURNING * INTO y;
      IF o.status = 'unpaid'
         AND (o.appointment_id IS NULL OR v_appt_status = 'pending_payment') THEN
        UPDATE regdesk.orders x SET status = 'paid', paid_at = now() WHERE x.id = o.id
        RETURNING * INTO o;
        UPDATE regdesk.appointments a SET status = 'booked', paid_at = now()
         WHERE a.id = o.appointment_id;
        UPDATE regdesk.slots x SET status = 'paid', held_until = NULL, updated_at = now()
         WHERE x.id = v_slot;
        PERFORM regdesk.audit('pay_' || y.method, 'order', o.order_no,
                              jsonb_build_object('payment_id', y.id, 'amount', y.amount,
                                                 'out_trade_no', y.out_trade_no,
                                                 'gateway_trade_no', y.gateway_trade_no),
                              y.hospital_id);
      ELSE
        -- Paid twice, or paid after the order closed: give this one back.
        v_reason := CASE WHEN o.status IN ('paid', 'refunding', 'refunded',
                                           'partially_refunded')
                         THEN 'paid twice' ELSE 'order closed before payment' END;
        SELECT h.time_zone INTO v_tz FROM regdesk.hospitals h WHERE h.id = y.hospital_id;
        INSERT INTO regdesk.refunds (hospital_id, payment_id, out_refund_no, amount, status,
                                     reason, surplus)
        VALUES (y.hospital_id, y.id, regdesk.next_trade_no('F', v_tz), y.amount, 'pending',
                v_reason, true)
        RETURNING refunds.out_refund_no INTO v_refund_no;
        PERFORM regdesk.audit('payment_surplus', 'order', o.order_no,
                              jsonb_build_object('payment_id', y.id, 'amount', y.amount,
                                                 'out_refund_no', v_refund_no,
                                                 'reason', v_reason),
                              y.hospital_id);
      END IF;
    END IF;
  ELSIF v_state IN ('failed', 'closed', 'reversed')
        AND y.status IN ('pending', 'paying', 'unknown') AND y.anomaly IS NULL THEN
    UPDATE regdesk.payments x
       SET status = v_state, finished_at = now(), raw = coalesce(v_raw, x.raw),
           gateway_trade_no = coalesce(v_gateway_no, x.gateway_trade_no)
     WHERE x.id = y.id
    RETURNING * INTO y;
  ELSIF v_state = 'reversed' AND y.status = 'succeeded'
        AND NOT EXISTS (SELECT 1 FROM regdesk.refunds r
                         WHERE r.payment_id = y.id AND r.status = 'succeeded') THEN
    -- A notification recorded the success while the desk, hearing nothing,
    -- reversed the charge: the money went back, so the payment did not pay.
    UPDATE regdesk.payments x
       SET status = 'reversed', finished_at = now(), raw = coalesce(v_raw, x.raw)
     WHERE x.id = y.id
    RETURNING * INTO y;
    UPDATE regdesk.payments x SET recheck = false WHERE x.id = y.id
    RETURNING * INTO y;
    UPDATE regdesk.refunds r
       SET status = 'failed', finished_at = now(),
           last_error = 'the payment was reversed: the money went back that way'
     WHERE r.payment_id = y.id AND r.status IN ('pending', 'processing');
    IF o.status = 'refunding'
       AND NOT EXISTS (SELECT 1 FROM regdesk.refunds q JOIN regdesk.payments p
                         ON p.id = q.payment_id
                        WHERE p.order_id = o.id AND NOT q.surplus
                          AND q.status IN ('pending', 'processing')) THEN
      -- Cancelled meanwhile: the reversal was its refund.
      UPDATE regdesk.orders x SET status = 'refunded', refunded_amount = x.amount
       WHERE x.id = o.id
      RETURNING * INTO o;
      PERFORM regdesk.queue_refund_done(o);
    ELSIF o.status = 'paid'
       AND NOT EXISTS (SELECT 1 FROM regdesk.payments p
                        WHERE p.order_id = o.id AND p.id <> y.id AND p.status = 'succeeded'
                          AND NOT EXISTS (SELECT 1 FROM regdesk.refunds r
                                           WHERE r.payment_id = p.id AND r.surplus)) THEN
      -- Unpaid again, the booking still held for the patient.
      UPDATE regdesk.orders x SET status = 'unpaid', paid_at = NULL WHERE x.id = o.id
      RETURNING * INTO o;
      UPDATE regdesk.appointments a SET status = 'pending_payment', paid_at = NULL
       WHERE a.id = o.appointment_id AND a.status = 'booked';
      UPDATE regdesk.slots x
         SET status = 'held', held_until = greatest(o.expires_at, now() + interval '5 minutes'),
             updated_at = now()
       WHERE x.id = v_slot AND x.status = 'paid';
    END IF;
    PERFORM regdesk.audit('payment_reversed', 'order', o.order_no,
                          jsonb_build_object('payment_id', y.id, 'amount', y.amount,
                                             'order_status', o.status),
                          y.hospital_id);
  ELSIF v_state = 'unknown' AND y.status IN ('pending', 'paying') THEN
    UPDATE regdesk.payments x
       SET status = 'unknown', raw = coalesce(v_raw, x.raw), settle_after = now()
     WHERE x.id = y.id
    RETURNING * INTO y;
  ELSIF y.status = 'succeeded' AND y.recheck AND v_state <> 'unknown' THEN
    -- The answer to the recheck (a closed trade we refunded ourselves is no
    -- reversal).
    UPDATE regdesk.payments x SET recheck = false WHERE x.id = y.id
    RETURNING * INTO y;
  ELSIF y.status = 'succeeded' AND NOT y.recheck
        AND v_state IN ('unknown', 'failed', 'closed') THEN
    -- Somebody saw something else after the success (a reverse whose answer
    -- never came?): the worker asks the gateway again.
    UPDATE regdesk.payments x SET recheck = true, settle_after = now()
     WHERE x.id = y.id
    RETURNING * INTO y;
  END IF;
  -- Anything else (a "closed" or "failed" after SUCCESS, the same answer
  -- twice) changes nothing: the first believed outcome stands.

  IF v_refund_no IS NULL AND y.status = 'succeeded' THEN
    SELECT r.out_refund_no INTO v_refund_no FROM regdesk.refunds r
     WHERE r.payment_id = y.id AND r.surplus AND r.status IN ('pending', 'processing')
     ORDER BY r.id LIMIT 1;
  END IF;

  RETURN QUERY SELECT y.id, o.order_no, y.status, o.status, v_refund_no, y.anomaly;
END
$$;
COMMENT ON FUNCTION api.payment_finish (text, text, text, bigint, jsonb) IS
  'Records what the gateway said of a payment (succeeded, confirmed = succeeded by an '
  'answer just received, failed, closed, reversed, unknown); pays the order only on a '
  'full-amount success, once. A success the order did '
  'not need leaves a pending surplus refund (out_refund_no). Idempotent.';

-- The worker's queues ------------------------------------------------------------------------

CREATE FUNCTION api.payment_claim_unsettled (max_rows   int,
                                             older_than interval DEFAULT '10 minutes',
                                             lease      interval DEFAULT '1 minute')
RETURNS TABLE (payment_id   bigint,
               out_trade_no text,
               method       text,
               scene        text,
               amount       bigint,
               status       text,
               order_no     text,
               age_seconds  double precision)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
BEGIN
  PERFORM regdesk.require_group('regdesk_worker', 'regdesk_admin');
  RETURN QUERY
    WITH c AS (
      SELECT x.id
        FROM regdesk.payments x
       WHERE (x.status IN ('pending', 'paying', 'unknown') OR x.recheck)
         AND x.method IN ('wechat', 'alipay') AND x.anomaly IS NULL
         AND (x.status = 'unknown' OR x.recheck
              OR x.created_at <= now() - payment_claim_unsettled.older_than)
         AND (x.settle_after IS NULL OR x.settle_after <= now())
         AND regdesk.sees_hospital(x.hospital_id)
       ORDER BY x.created_at, x.id
       LIMIT greatest(payment_claim_unsettled.max_rows, 0)
         FOR UPDATE SKIP LOCKED),
    u AS (
      -- The lease doubles with every claim, up to 64 leases.
      UPDATE regdesk.payments y
         SET settle_after = now() + payment_claim_unsettled.lease
                                    * (1 << least(y.settle_attempts, 6)),
             settle_attempts = y.settle_attempts + 1
        FROM c
       WHERE y.id = c.id
      RETURNING y.*)
    SELECT u.id, u.out_trade_no, u.method, coalesce(u.scene, 'qr'), u.amount, u.status,
           o.order_no, extract(epoch FROM now() - u.created_at)::double precision
      FROM u JOIN regdesk.orders o ON o.id = u.order_id
     ORDER BY u.created_at, u.id;
END
$$;
COMMENT ON FUNCTION api.payment_claim_unsettled (int, interval, interval) IS
  'Hands a worker up to max_rows gateway payments whose outcome nobody learned (unknown, '
  'or paying for longer than older_than), each leased so no other worker takes it meanwhile.';

CREATE FUNCTION api.refund_claim (max_rows int,
                                  of_order text DEFAULT NULL,
                                  lease    interval DEFAULT '1 minute')
RETURNS TABLE (refund_id     bigint,
               out_refund_no text,
               out_trade_no  text,
               method        text,
               amount        bigint,
               total         bigint,
               status        text,
               order_no      text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin', 'regdesk_worker');
  RETURN QUERY
    WITH c AS (
      SELECT r.id
        FROM regdesk.refunds r
        JOIN regdesk.payments y ON y.id = r.payment_id
        JOIN regdesk.orders o ON o.id = y.order_id
       WHERE r.status IN ('pending', 'processing')
         AND y.method IN ('wechat', 'alipay')
         AND (refund_claim.of_order IS NULL OR o.order_no = refund_claim.of_order)
         AND (r.settle_after IS NULL OR r.settle_after <= now())
         AND regdesk.sees_hospital(r.hospital_id)
       ORDER BY r.created_at, r.id
       LIMIT greatest(refund_claim.max_rows, 0)
         FOR UPDATE OF r SKIP LOCKED),
    u AS (
      UPDATE regdesk.refunds r
         SET settle_after = now() + refund_claim.lease * (1 << least(r.settle_attempts, 6)),
             settle_attempts = r.settle_attempts + 1
        FROM c
       WHERE r.id = c.id
      RETURNING r.*)
    SELECT u.id, u.out_refund_no, y.out_trade_no, y.method, u.amount, y.amount, u.status,
           o.order_no
      FROM u
      JOIN regdesk.payments y ON y.id = u.payment_id
      JOIN regdesk.orders o ON o.id = y.order_id
     ORDER BY u.created_at, u.id;
END
$$;
COMMENT ON FUNCTION api.refund_claim (int, text, interval) IS
  'Hands out up to max_rows pending or processing gateway refunds (of order of_order, or '
  'of all), each leased so no other caller sends it meanwhile.';

CREATE FUNCTION api.refund_finish (out_refund_no     text,
                                   state             text,
                                   gateway_refund_no text DEFAULT NULL,
                                   raw               jsonb DEFAULT NULL,
                                   error             text DEFAULT NULL)
RETURNS TABLE (refund_id       bigint,
               order_no        text,
               refund_status   text,
               order_status    text,
               refunded_amount bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_no CONSTANT text := refund_finish.out_refund_no;
  v_state CONSTANT text := refund_finish.state;
  v_gateway_no CONSTANT text := nullif(refund_finish.gateway_refund_no, '');
  v_raw CONSTANT jsonb := refund_finish.raw;
  r regdesk.refunds;
  y regdesk.payments;
  o regdesk.orders;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin', 'regdesk_worker');
  IF v_state IS NULL
     OR v_state NOT IN ('succeeded', 'processing', 'failed', 'abnormal', 'pending') THEN
    RAISE EXCEPTION 'unknown refund state %', coalesce(v_state, '(none)')
      USING ERRCODE = 'RD520';
  END IF;
  SELECT * INTO r FROM regdesk.refunds x WHERE x.out_refund_no = v_no;
  IF FOUND THEN
    SELECT * INTO y FROM regdesk.payments x WHERE x.id = r.payment_id;
  END IF;
  IF r.id IS NULL OR y.method NOT IN ('wechat', 'alipay')
     OR NOT regdesk.sees_hospital(r.hospital_id) THEN
    RAISE EXCEPTION 'no gateway refund %', coalesce(v_no, '(none)') USING ERRCODE = 'RD523';
  END IF;
  SELECT * INTO o FROM regdesk.orders x WHERE x.id = y.order_id FOR UPDATE;
  SELECT * INTO r FROM regdesk.refunds x WHERE x.id = r.id FOR UPDATE;

  IF r.status IN ('succeeded', 'failed', 'abnormal') THEN
    NULL;  -- Final already: the same answer again changes nothing.
  ELSIF v_state = 'succeeded' THEN
    UPDATE regdesk.refunds x
       SET status = 'succeeded', finished_at = now(), raw = coalesce(v_raw, x.raw),
           gateway_refund_no = coalesce(v_gateway_no, x.gateway_refund_no), last_error = NULL
     WHERE x.id = r.id
    RETURNING * INTO r;
    IF NOT r.surplus THEN
      UPDATE regdesk.orders x
         SET refunded_amount = least(x.amount, x.refunded_amount + r.amount),
             status = CASE
                        WHEN x.status <> 'refunding' THEN x.status
                        WHEN EXISTS (SELECT 1 FROM regdesk.refunds q
                                       JOIN regdesk.payments p ON p.id = q.payment_id
                                      WHERE p.order_id = x.id AND NOT q.surplus
                                        AND q.status IN ('pending', 'processing'))
                          THEN 'refunding'
                        WHEN least(x.amount, x.refunded_amount + r.amount) >= x.amount
                          THEN 'refunded'
                        ELSE 'partially_refunded'
                      END
       WHERE x.id = o.id
      RETURNING * INTO o;
      IF o.status IN ('refunded', 'partially_refunded') THEN
        PERFORM regdesk.queue_refund_done(o);
      END IF;
    END IF;
    PERFORM regdesk.audit('refund_' || y.method, 'order', o.order_no,
                          jsonb_build_object('refund_id', r.id, 'amount', r.amount,
                                             'out_refund_no', r.out_refund_no,
                                             'surplus', r.surplus),
                          r.hospital_id);
  ELSIF v_state IN ('failed', 'abnormal') THEN
    -- The money could not go back this way: the order stays 'refunding'
    -- for a person to settle.
    UPDATE regdesk.refunds x
       SET status = v_state, finished_at = now(), raw = coalesce(v_raw, x.raw),
           gateway_refund_no = coalesce(v_gateway_no, x.gateway_refund_no),
           last_error = coalesce(refund_finish.error, x.last_error)
     WHERE x.id = r.id
    RETURNING * INTO r;
    PERFORM regdesk.audit('refund_' || v_state, 'order', o.order_no,
                          jsonb_build_object('refund_id', r.id, 'amount', r.amount,
                                             'out_refund_no', r.out_refund_no),
                          r.hospital_id);
  ELSIF v_state = 'processing' THEN
    UPDATE regdesk.refunds x
       SET status = 'processing', raw = coalesce(v_raw, x.raw),
           gateway_refund_no = coalesce(v_gateway_no, x.gateway_refund_no),
           last_error = NULL
     WHERE x.id = r.id
    RETURNING * INTO r;
  ELSE
    UPDATE regdesk.refunds x SET last_error = coalesce(refund_finish.error, x.last_error)
     WHERE x.id = r.id
    RETURNING * INTO r;
  END IF;

  RETURN QUERY SELECT r.id, o.order_no, r.status, o.status, o.refunded_amount;
END
$$;
COMMENT ON FUNCTION api.refund_finish (text, text, text, jsonb, text) IS
  'Records what the gateway said of a refund (succeeded, processing, failed, abnormal, or '
  'pending with an error); on success the order becomes refunded and the refund_done text '
  'is queued, once.';

-- Cancelling (退号) --------------------------------------------------------------------

-- As in 0003, except that a payment with a refund of its own already (a
-- surplus being given back) is not refunded a second time.
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
                -- A payment already going back (a surplus) is not refunded twice.
                AND NOT EXISTS (SELECT 1 FROM regdesk.refunds r WHERE r.payment_id = x.id)
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

-- Reading an order's gateway rows ---------------------------------------------------------------

CREATE FUNCTION api.payment_list (order_no text)
RETURNS TABLE (payment_id       bigint,
               out_trade_no     text,
               method           text,
               scene            text,
               amount           bigint,
               status           text,
               gateway_trade_no text,
               anomaly          text,
               created_at       timestamptz,
               finished_at      timestamptz,
               order_status     text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin', 'regdesk_worker');
  RETURN QUERY
    SELECT y.id, y.out_trade_no, y.method, y.scene, y.amount, y.status, y.gateway_trade_no,
           y.anomaly, y.created_at, y.finished_at, o.status
      FROM regdesk.orders o
      JOIN regdesk.payments y ON y.order_id = o.id
     WHERE o.order_no = payment_list.order_no AND regdesk.sees_hospital(o.hospital_id)
     ORDER BY y.id;
END
$$;
COMMENT ON FUNCTION api.payment_list (text) IS
  'Every payment attempt of one order, with the order''s status.';

CREATE FUNCTION api.refund_list (order_no text)
RETURNS TABLE (refund_id         bigint,
               out_refund_no     text,
               out_trade_no      text,
               method            text,
               amount            bigint,
               status            text,
               surplus           boolean,
               gateway_refund_no text,
               last_error        text,
               created_at        timestamptz,
               finished_at       timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin', 'regdesk_worker');
  RETURN QUERY
    SELECT r.id, r.out_refund_no, y.out_trade_no, y.method, r.amount, r.status, r.surplus,
           r.gateway_refund_no, r.last_error, r.created_at, r.finished_at
      FROM regdesk.orders o
      JOIN regdesk.payments y ON y.order_id = o.id
      JOIN regdesk.refunds r ON r.payment_id = y.id
     WHERE o.order_no = refund_list.order_no AND regdesk.sees_hospital(o.hospital_id)
     ORDER BY r.id;
END
$$;
COMMENT ON FUNCTION api.refund_list (text) IS 'Every refund of one order''s payments.';

-- Privileges -----------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION regdesk.gateway_provider (text), regdesk.sees_hospital (bigint),
                       api.payment_begin (text, text, text, text),
                       api.payment_finish (text, text, text, bigint, jsonb),
                       api.payment_claim_unsettled (int, interval, interval),
                       api.refund_claim (int, text, interval),
                       api.refund_finish (text, text, text, jsonb, text),
                       api.payment_list (text), api.refund_list (text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.payment_begin (text, text, text, text)
  TO regdesk_clerk, regdesk_manager, regdesk_admin;
GRANT EXECUTE ON FUNCTION api.payment_finish (text, text, text, bigint, jsonb),
                          api.refund_claim (int, text, interval),
                          api.refund_finish (text, text, text, jsonb, text),
                          api.payment_list (text),
                          api.refund_list (text)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin, regdesk_worker;
GRANT EXECUTE ON FUNCTION api.payment_claim_unsettled (int, interval, interval)
  TO regdesk_admin, regdesk_worker;
