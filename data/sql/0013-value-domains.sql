-- 0013-value-domains.sql: closed value lists as domains
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Same rules, checked for less. PostgreSQL rebuilds a table's CHECK
-- constraints from their stored text at every INSERT or UPDATE statement,
-- before the first row: it reads the text back into an expression tree
-- and plans it. A list such as status IN ('pending_payment', 'booked', …)
-- is stored as an array constant written out byte by byte, 1 000 to 1 600
-- characters for each list; phone_valid() is a SQL function, whose body
-- was parsed again to inline it. A booking writes five tables, so
-- rebuilding their checks cost more than all its index inserts (callgrind,
-- one booking: 770 000 of 3.4 million instructions).
--
-- A domain's CHECK is read and planned once per connection and kept. So
-- each closed list (and the mobile number rule) is now a domain, and each
-- column's check casts to it: the stored text is a cast of one column. A
-- value outside the list is refused as before, with SQLSTATE 23514, now
-- naming the domain. The columns stay text, so every function, view and
-- client reads them as before.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE DOMAIN regdesk.channel AS text CONSTRAINT channel_value
  CHECK (VALUE IN ('window', 'online', 'phone'));
CREATE DOMAIN regdesk.session_status AS text CONSTRAINT session_status_value
  CHECK (VALUE IN ('open', 'suspended', 'closed'));
CREATE DOMAIN regdesk.slot_status AS text CONSTRAINT slot_status_value
  CHECK (VALUE IN ('free', 'held', 'booked', 'paid', 'checked_in', 'no_show', 'locked'));
CREATE DOMAIN regdesk.appointment_status AS text CONSTRAINT appointment_status_value
  CHECK (VALUE IN ('pending_payment', 'booked', 'checked_in', 'completed', 'no_show',
                   'cancelled', 'expired'));
CREATE DOMAIN regdesk.priority_reason AS text CONSTRAINT priority_reason_value
  CHECK (VALUE IN ('elderly', 'disabled', 'military', 'urgent'));
CREATE DOMAIN regdesk.order_status AS text CONSTRAINT order_status_value
  CHECK (VALUE IN ('unpaid', 'paid', 'closed', 'refunding', 'refunded', 'partially_refunded'));
CREATE DOMAIN regdesk.payment_status AS text CONSTRAINT payment_status_value
  CHECK (VALUE IN ('pending', 'paying', 'succeeded', 'failed', 'closed', 'unknown', 'reversed'));
CREATE DOMAIN regdesk.refund_status AS text CONSTRAINT refund_status_value
  CHECK (VALUE IN ('pending', 'processing', 'succeeded', 'failed', 'abnormal'));
CREATE DOMAIN regdesk.waitlist_status AS text CONSTRAINT waitlist_status_value
  CHECK (VALUE IN ('waiting', 'granted', 'cancelled', 'expired'));
CREATE DOMAIN regdesk.lottery_status AS text CONSTRAINT lottery_status_value
  CHECK (VALUE IN ('pending', 'won', 'lost', 'cancelled'));
CREATE DOMAIN regdesk.sms_template AS text CONSTRAINT sms_template_value
  CHECK (VALUE IN ('booking_confirmed', 'reminder', 'session_suspended', 'waitlist_granted',
                   'refund_done'));
CREATE DOMAIN regdesk.sms_status AS text CONSTRAINT sms_status_value
  CHECK (VALUE IN ('pending', 'sending', 'sent', 'failed', 'dead'));
CREATE DOMAIN regdesk.reconciliation_status AS text CONSTRAINT reconciliation_status_value
  CHECK (VALUE IN ('matched', 'missing_in_bill', 'missing_in_db', 'amount_mismatch',
                   'status_mismatch'));
CREATE DOMAIN regdesk.mobile AS text CONSTRAINT mobile_value
  CHECK (regdesk.phone_valid(VALUE));

-- Each old check gives way to a cast of its column, under the same name:
-- "x::d IS NOT NULL" is the shortest text; where the column allows NULL,
-- a NULL passes as it did.
DO $checks$
DECLARE
  c record;
  v_check text;
BEGIN
  FOR c IN SELECT * FROM (VALUES
      ('sessions', 'status', 'session_status'),
      ('slots', 'channel', 'channel'),
      ('slots', 'status', 'slot_status'),
      ('appointments', 'channel', 'channel'),
      ('appointments', 'status', 'appointment_status'),
      ('appointments', 'priority_reason', 'priority_reason'),
      ('orders', 'status', 'order_status'),
      ('payments', 'status', 'payment_status'),
      ('refunds', 'status', 'refund_status'),
      ('waitlist', 'channel', 'channel'),
      ('waitlist', 'status', 'waitlist_status'),
      ('lottery_requests', 'channel', 'channel'),
      ('lottery_requests', 'status', 'lottery_status'),
      ('sms_outbox', 'template', 'sms_template'),
      ('sms_outbox', 'status', 'sms_status'),
      ('sms_outbox', 'to_phone', 'mobile'),
      ('reconciliation_items', 'status', 'reconciliation_status'),
      ('patients', 'phone', 'mobile')) v (tab, col, dom)
  LOOP
    v_check := format('%I::regdesk.%I IS NOT NULL', c.col, c.dom);
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = pg_catalog.format('regdesk.%I', c.tab)::regclass
                  AND a.attname = c.col AND NOT a.attnotnull) THEN
      v_check := format('%I IS NULL OR %s', c.col, v_check);
    END IF;
    EXECUTE format('ALTER TABLE regdesk.%I DROP CONSTRAINT %I, ADD CONSTRAINT %I CHECK (%s)',
                   c.tab, c.tab || '_' || c.col || '_check', c.tab || '_' || c.col || '_check',
                   v_check);
  END LOOP;
END
$checks$;
