-- 0012-booking-speed-3.sql: the SMS wake-up per row, 退号 without a SET
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Same rows and rules; cheaper per booking and per 退号:
-- * a new outbox row wakes the workers from a row trigger. 0009's statement
--   trigger kept a transition table for every INSERT, a booking's
--   included, and ran a grouping query over it. The payload is now
--   'sms:<hospital>:new', the same for every row, so that a transaction's
--   wake-ups fold into one however many messages it queues (the day's
--   reminders); workers read only the prefix, and the outbox itself.
-- * regdesk.cancel_appointment runs inside api.cancel's search path, like
--   regdesk.book_internal since 0008: its own SET clause saved and
--   restored the setting on every call and made PostgreSQL work out the
--   search path again twice. Every name it uses is qualified or in
--   pg_catalog.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE FUNCTION regdesk.sms_outbox_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM regdesk.announce('sms:' || NEW.hospital_id || ':new');
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION regdesk.sms_outbox_notify_row () FROM PUBLIC;

DROP TRIGGER sms_outbox_notify_insert ON regdesk.sms_outbox;
CREATE TRIGGER sms_outbox_notify_insert AFTER INSERT ON regdesk.sms_outbox
  FOR EACH ROW EXECUTE FUNCTION regdesk.sms_outbox_notify_row();
DROP FUNCTION regdesk.sms_outbox_notify ();

ALTER FUNCTION regdesk.cancel_appointment (text, bigint, text) RESET search_path;
