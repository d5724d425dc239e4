-- 0016-row-rules.sql: the hot tables' row rules as one domain per table
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Same rules, same names, checked for less. PostgreSQL reads every CHECK
-- constraint of a table back from its stored text, and plans it, at every
-- INSERT or UPDATE statement (0013). After 0013 the tables a booking
-- writes still stored about 12 000 characters of checks, and rebuilding
-- them was 16 % of a booking's instructions (callgrind).
--
-- A domain's checks are read and planned once per connection and kept. So
-- the rules of each table that the desk's hot paths write (booking, 退号,
-- payment, waiting list) move into a domain over the table's own row type,
-- under their old names, and the table keeps one check that casts its row
-- to that domain:
--
--   CHECK (NOT (slots::regdesk.slots_row IS NULL))
--
-- The cast runs every rule; the test around it is only there to make an
-- expression of the cast (a row is NULL only if every column is, and each
-- table has NOT NULL columns). A broken rule is refused as before with
-- SQLSTATE 23514 and names its rule; the message now says "value for
-- domain regdesk.slots_row" where it said "new row for relation slots".
-- The rules still depend on their columns (a column a rule reads cannot be
-- dropped without it), and pg_dump restores them in order.
--
-- A migration that adds a rule to one of these domains must check the
-- existing rows itself: ALTER DOMAIN … ADD CONSTRAINT only checks columns
-- of the domain's type, and no column has it.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE DOMAIN regdesk.appointments_row AS regdesk.appointments
  CONSTRAINT appointments_cancel_request_id_check CHECK ((VALUE).cancel_request_id <> '')
  CONSTRAINT appointments_channel_check CHECK ((VALUE).channel::regdesk.channel IS NOT NULL)
  CONSTRAINT appointments_check CHECK ((VALUE).status <> 'cancelled'
                                       OR (VALUE).cancelled_at IS NOT NULL)
  CONSTRAINT appointments_check1 CHECK ((VALUE).status NOT IN ('checked_in', 'completed')
                                        OR (VALUE).checked_in_at IS NOT NULL)
  CONSTRAINT appointments_priority_reason_check
    CHECK ((VALUE).priority_reason IS NULL
           OR (VALUE).priority_reason::regdesk.priority_reason IS NOT NULL)
  CONSTRAINT appointments_queue_no_check CHECK ((VALUE).queue_no > 0)
  CONSTRAINT appointments_request_id_check CHECK ((VALUE).request_id <> '')
  CONSTRAINT appointments_status_check
    CHECK ((VALUE).status::regdesk.appointment_status IS NOT NULL);
COMMENT ON DOMAIN regdesk.appointments_row IS
  'The rules of an appointments row, checked by appointments_row_check.';
ALTER TABLE regdesk.appointments
  DROP CONSTRAINT appointments_cancel_request_id_check,
  DROP CONSTRAINT appointments_channel_check,
  DROP CONSTRAINT appointments_check,
  DROP CONSTRAINT appointments_check1,
  DROP CONSTRAINT appointments_priority_reason_check,
  DROP CONSTRAINT appointments_queue_no_check,
  DROP CONSTRAINT appointments_request_id_check,
  DROP CONSTRAINT appointments_status_check,
  ADD CONSTRAINT appointments_row_check
    CHECK (NOT (appointments::regdesk.appointments_row IS NULL));

CREATE DOMAIN regdesk.slots_row AS regdesk.slots
  CONSTRAINT slots_channel_check CHECK ((VALUE).channel::regdesk.channel IS NOT NULL)
  CONSTRAINT slots_check CHECK ((VALUE).ends_at > (VALUE).starts_at)
  CONSTRAINT slots_check1 CHECK ((VALUE).status <> 'held' OR (VALUE).held_until IS NOT NULL)
  CONSTRAINT slots_seq_check CHECK ((VALUE).seq > 0)
  CONSTRAINT slots_status_check CHECK ((VALUE).status::regdesk.slot_status IS NOT NULL);
COMMENT ON DOMAIN regdesk.slots_row IS
  'The rules of a slots row, checked by slots_row_check.';
ALTER TABLE regdesk.slots
  DROP CONSTRAINT slots_channel_check,
  DROP CONSTRAINT slots_check,
  DROP CONSTRAINT slots_check1,
  DROP CONSTRAINT slots_seq_check,
  DROP CONSTRAINT slots_status_check,
  ADD CONSTRAINT slots_row_check CHECK (NOT (slots::regdesk.slots_row IS NULL));

CREATE DOMAIN regdesk.orders_row AS regdesk.orders
  CONSTRAINT orders_amount_check CHECK ((VALUE).amount >= 0)
  CONSTRAINT orders_check CHECK ((VALUE).refunded_amount >= 0
                                 AND (VALUE).refunded_amount <= (VALUE).amount)
  CONSTRAINT orders_check1
    CHECK ((VALUE).status NOT IN ('paid', 'refunding', 'refunded', 'partially_refunded')
           OR (VALUE).paid_at IS NOT NULL)
  CONSTRAINT orders_order_no_check CHECK ((VALUE).order_no ~ '^[0-9A-Za-z_-]{6,32}$')
  CONSTRAINT orders_status_check CHECK ((VALUE).status::regdesk.order_status IS NOT NULL);
COMMENT ON DOMAIN regdesk.orders_row IS
  'The rules of an orders row, checked by orders_row_check.';
ALTER TABLE regdesk.orders
  DROP CONSTRAINT orders_amount_check,
  DROP CONSTRAINT orders_check,
  DROP CONSTRAINT orders_check1,
  DROP CONSTRAINT orders_order_no_check,
  DROP CONSTRAINT orders_status_check,
  ADD CONSTRAINT orders_row_check CHECK (NOT (orders::regdesk.orders_row IS NULL));

CREATE DOMAIN regdesk.sms_outbox_row AS regdesk.sms_outbox
  CONSTRAINT sms_outbox_attempts_check CHECK ((VALUE).attempts >= 0)
  CONSTRAINT sms_outbox_check CHECK ((VALUE).status <> 'sent' OR (VALUE).sent_at IS NOT NULL)
  CONSTRAINT sms_outbox_params_check CHECK (jsonb_typeof((VALUE).params) = 'object')
  CONSTRAINT sms_outbox_status_check CHECK ((VALUE).status::regdesk.sms_status IS NOT NULL)
  CONSTRAINT sms_outbox_template_check
    CHECK ((VALUE).template::regdesk.sms_template IS NOT NULL)
  CONSTRAINT sms_outbox_to_phone_check CHECK ((VALUE).to_phone::regdesk.mobile IS NOT NULL);
COMMENT ON DOMAIN regdesk.sms_outbox_row IS
  'The rules of an sms_outbox row, checked by sms_outbox_row_check.';
ALTER TABLE regdesk.sms_outbox
  DROP CONSTRAINT sms_outbox_attempts_check,
  DROP CONSTRAINT sms_outbox_check,
  DROP CONSTRAINT sms_outbox_params_check,
  DROP CONSTRAINT sms_outbox_status_check,
  DROP CONSTRAINT sms_outbox_template_check,
  DROP CONSTRAINT sms_outbox_to_phone_check,
  ADD CONSTRAINT sms_outbox_row_check
    CHECK (NOT (sms_outbox::regdesk.sms_outbox_row IS NULL));

CREATE DOMAIN regdesk.payments_row AS regdesk.payments
  CONSTRAINT payments_amount_check CHECK ((VALUE).amount >= 0)
  CONSTRAINT payments_check CHECK ((VALUE).tendered IS NULL
                                   OR ((VALUE).method = 'cash'
                                       AND (VALUE).tendered >= (VALUE).amount))
  CONSTRAINT payments_check1 CHECK ((VALUE).change IS NULL
                                    OR ((VALUE).tendered IS NOT NULL
                                        AND (VALUE).change = (VALUE).tendered - (VALUE).amount))
  CONSTRAINT payments_method_check CHECK ((VALUE).method IN ('cash', 'card', 'wechat', 'alipay'))
  CONSTRAINT payments_out_trade_no_check CHECK ((VALUE).out_trade_no ~ '^[0-9A-Za-z_-]{6,32}$')
  CONSTRAINT payments_request_id_check CHECK ((VALUE).request_id <> '')
  CONSTRAINT payments_scene_check CHECK ((VALUE).scene IN ('qr', 'code'))
  CONSTRAINT payments_settle_attempts_check CHECK ((VALUE).settle_attempts >= 0)
  CONSTRAINT payments_status_check CHECK ((VALUE).status::regdesk.payment_status IS NOT NULL);
COMMENT ON DOMAIN regdesk.payments_row IS
  'The rules of a payments row, checked by payments_row_check.';
ALTER TABLE regdesk.payments
  DROP CONSTRAINT payments_amount_check,
  DROP CONSTRAINT payments_check,
  DROP CONSTRAINT payments_check1,
  DROP CONSTRAINT payments_method_check,
  DROP CONSTRAINT payments_out_trade_no_check,
  DROP CONSTRAINT payments_request_id_check,
  DROP CONSTRAINT payments_scene_check,
  DROP CONSTRAINT payments_settle_attempts_check,
  DROP CONSTRAINT payments_status_check,
  ADD CONSTRAINT payments_row_check CHECK (NOT (payments::regdesk.payments_row IS NULL));

CREATE DOMAIN regdesk.refunds_row AS regdesk.refunds
  CONSTRAINT refunds_amount_check CHECK ((VALUE).amount > 0)
  CONSTRAINT refunds_out_refund_no_check CHECK ((VALUE).out_refund_no ~ '^[0-9A-Za-z_-]{6,64}$')
  CONSTRAINT refunds_settle_attempts_check CHECK ((VALUE).settle_attempts >= 0)
  CONSTRAINT refunds_status_check CHECK ((VALUE).status::regdesk.refund_status IS NOT NULL);
COMMENT ON DOMAIN regdesk.refunds_row IS
  'The rules of a refunds row, checked by refunds_row_check.';
ALTER TABLE regdesk.refunds
  DROP CONSTRAINT refunds_amount_check,
  DROP CONSTRAINT refunds_out_refund_no_check,
  DROP CONSTRAINT refunds_settle_attempts_check,
  DROP CONSTRAINT refunds_status_check,
  ADD CONSTRAINT refunds_row_check CHECK (NOT (refunds::regdesk.refunds_row IS NULL));

CREATE DOMAIN regdesk.waitlist_row AS regdesk.waitlist
  CONSTRAINT waitlist_channel_check CHECK ((VALUE).channel::regdesk.channel IS NOT NULL)
  CONSTRAINT waitlist_check CHECK ((VALUE).session_id IS NOT NULL
                                   OR ((VALUE).doctor_id IS NOT NULL
                                       AND (VALUE).date IS NOT NULL))
  CONSTRAINT waitlist_check1 CHECK (((VALUE).status = 'granted')
                                    = ((VALUE).granted_appointment_id IS NOT NULL))
  CONSTRAINT waitlist_request_id_check CHECK ((VALUE).request_id <> '')
  CONSTRAINT waitlist_status_check CHECK ((VALUE).status::regdesk.waitlist_status IS NOT NULL);
COMMENT ON DOMAIN regdesk.waitlist_row IS
  'The rules of a waitlist row, checked by waitlist_row_check.';
ALTER TABLE regdesk.waitlist
  DROP CONSTRAINT waitlist_channel_check,
  DROP CONSTRAINT waitlist_check,
  DROP CONSTRAINT waitlist_check1,
  DROP CONSTRAINT waitlist_request_id_check,
  DROP CONSTRAINT waitlist_status_check,
  ADD CONSTRAINT waitlist_row_check CHECK (NOT (waitlist::regdesk.waitlist_row IS NULL));
