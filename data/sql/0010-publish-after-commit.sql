-- 0010-publish-after-commit.sql: bookings publish their changes once durable
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- A transaction that NOTIFYs takes, at commit, one cluster-wide lock and
-- holds it until its commit record is on disk: PostgreSQL keeps the
-- notification queue in commit order. Bookings therefore committed one at
-- a time, each waiting for its own WAL flush, however many desks booked at
-- once (at 8 clients, 7 backends sat in Lock:object behind the one in
-- IO:WALSync). A transaction that only NOTIFYs writes no WAL before its
-- commit record and is never flushed, so it holds that lock for
-- microseconds.
--
-- So the desk's two hot calls, booking and 退号, are procedures that run
-- the same api function with its notifications held back, COMMIT (durable,
-- flushed together with the other desks' commits), and then publish what
-- the transaction changed in a second transaction of NOTIFYs only:
--
--   CALL api.book_and_publish(request_id, session_id, patient_id, channel,
--                             slot_seq, priority_reason)
--   CALL api.cancel_and_publish(request_id, appointment_id, reason)
--
-- Every row is still written in one transaction; only the announcement
-- follows it, on the same server call, so no client can come between. A
-- listener can miss it only if the server stops between the two commits,
-- and then every listener has lost its connection and re-reads everything
-- when it reconnects. The same request id returns the same booking, so a
-- call whose answer was lost is retried safely.
--
-- api.book and api.cancel themselves are unchanged and still NOTIFY inside
-- their transaction, for callers that run them inside their own.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- Notifications go through regdesk.announce(): NOTIFY now, or, while
-- regdesk.publish_after_commit is 'on' in this transaction, into the
-- transaction's list regdesk.pending_changes (comma-separated payloads,
-- each once; payloads are '<entity>:<hospital>:<id>' and hold no comma).
-- The list is a transaction-local setting, so a rolled-back subtransaction
-- takes its entries with it, as it would its NOTIFYs.
CREATE FUNCTION regdesk.announce (payload text)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  v_pending text;
BEGIN
  IF pg_catalog.current_setting('regdesk.publish_after_commit', true) IS DISTINCT FROM 'on' THEN
    PERFORM pg_catalog.pg_notify('rd_change', payload);
    RETURN;
  END IF;
  v_pending := pg_catalog.current_setting('regdesk.pending_changes', true);
  IF v_pending IS NULL OR v_pending = '' THEN
    PERFORM pg_catalog.set_config('regdesk.pending_changes', payload, true);
  ELSIF pg_catalog.strpos(',' || v_pending || ',', ',' || payload || ',') = 0 THEN
    PERFORM pg_catalog.set_config('regdesk.pending_changes', v_pending || ',' || payload, true);
  END IF;
END
$$;
REVOKE ALL ON FUNCTION regdesk.announce (text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION regdesk.notify_change (entity text, hospital bigint, id text)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT regdesk.announce(entity || ':' || hospital || ':' || id) $$;

CREATE OR REPLACE FUNCTION regdesk.notify_change (entity text, hospital bigint, id bigint)
RETURNS void
LANGUAGE sql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT regdesk.announce(entity || ':' || hospital || ':' || id) $$;

CREATE OR REPLACE FUNCTION regdesk.slots_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM regdesk.announce('session:' || OLD.hospital_id || ':' || OLD.session_id);
    RETURN NULL;
  END IF;
  PERFORM regdesk.announce('session:' || NEW.hospital_id || ':' || NEW.session_id);
  IF TG_OP = 'UPDATE' AND OLD.session_id <> NEW.session_id THEN
    PERFORM regdesk.announce('session:' || OLD.hospital_id || ':' || OLD.session_id);
  END IF;
  RETURN NULL;
END
$$;

-- Appointments and orders: one function, the entity named by the trigger.
CREATE FUNCTION regdesk.entity_notify_row ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM regdesk.announce(TG_ARGV[0] || ':' || OLD.hospital_id || ':' || OLD.id);
  ELSE
    PERFORM regdesk.announce(TG_ARGV[0] || ':' || NEW.hospital_id || ':' || NEW.id);
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION regdesk.entity_notify_row () FROM PUBLIC;

DO $triggers$
DECLARE
  t record;
BEGIN
  FOR t IN SELECT * FROM (VALUES ('appointments', 'appointment'), ('orders', 'order')) v (tab, entity)
  LOOP
    EXECUTE format('DROP TRIGGER %I ON regdesk.%I', t.tab || '_notify', t.tab);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON regdesk.%I '
                   'FOR EACH ROW WHEN (pg_catalog.current_setting(''regdesk.bulk_load'', true) '
                   'IS DISTINCT FROM ''on'') EXECUTE FUNCTION regdesk.entity_notify_row(%L)',
                   t.tab || '_notify', t.tab, t.entity);
    EXECUTE format('DROP FUNCTION regdesk.%I()', t.tab || '_notify_row');
  END LOOP;
END
$triggers$;

CREATE OR REPLACE FUNCTION regdesk.sms_outbox_notify ()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  PERFORM regdesk.announce('sms:' || r.hospital_id || ':' || r.id)
     FROM (SELECT n.hospital_id, max(n.id) AS id FROM new_rows n
            GROUP BY n.hospital_id ORDER BY 1) r;
  RETURN NULL;
END
$$;

-- The second transaction: the held-back notifications. Nothing here needs
-- to reach the disk, and a later version reads and may prune a page, which
-- writes WAL: the commit is asynchronous, so the queue's lock is held for
-- microseconds, never for a flush.
CREATE PROCEDURE api.publish (changes text)
LANGUAGE sql
AS $$
  SELECT pg_catalog.set_config('synchronous_commit', 'off', true);
  SELECT pg_catalog.pg_notify('rd_change', c)
    FROM pg_catalog.unnest(pg_catalog.string_to_array(changes, ',')) c
   WHERE c OPERATOR(pg_catalog.<>) '';
$$;
COMMENT ON PROCEDURE api.publish (text) IS
  'NOTIFYs the comma-separated change payloads: the second step of api.book_and_publish '
  'and api.cancel_and_publish.';

-- Procedures run as their caller: PostgreSQL refuses COMMIT in a SECURITY
-- DEFINER procedure or one with a SET clause. They only call the api
-- functions the caller may call anyway, set two settings of their own
-- transaction and NOTIFY, which anyone may; every name is qualified.
CREATE PROCEDURE api.book_and_publish (request_id      text,
                                       session_id      bigint,
                                       patient_id      bigint,
                                       channel         text,
                                       slot_seq        int DEFAULT NULL,
                                       priority_reason text DEFAULT NULL,
                                       INOUT appointment_id bigint DEFAULT NULL,
                                       INOUT order_no text DEFAULT NULL,
                                       INOUT booked_seq int DEFAULT NULL,
                                       INOUT status text DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  v_changes text;
BEGIN
  PERFORM pg_catalog.set_config('regdesk.publish_after_commit', 'on', true),
          pg_catalog.set_config('regdesk.pending_changes', '', true);
  SELECT b.appointment_id, b.order_no, b.slot_seq, b.status
    INTO appointment_id, order_no, booked_seq, status
    FROM api.book(request_id, session_id, patient_id, channel, slot_seq, priority_reason) b;
  v_changes := pg_catalog.current_setting('regdesk.pending_changes', true);
  COMMIT;
  CALL api.publish(v_changes);
END
$$;
COMMENT ON PROCEDURE api.book_and_publish (text, bigint, bigint, text, int, text, bigint, text,
                                           int, text) IS
  'api.book, committed, then its change notifications in a transaction of their own. '
  'Call it outside a transaction block.';

CREATE PROCEDURE api.cancel_and_publish (request_id     text,
                                         appointment_id bigint,
                                         reason         text DEFAULT NULL,
                                         INOUT cancelled_id bigint DEFAULT NULL,
                                         INOUT order_no text DEFAULT NULL,
                                         INOUT order_status text DEFAULT NULL,
                                         INOUT refunded_amount bigint DEFAULT NULL,
                                         INOUT waitlist_appointment_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
  v_changes text;
BEGIN
  PERFORM pg_catalog.set_config('regdesk.publish_after_commit', 'on', true),
          pg_catalog.set_config('regdesk.pending_changes', '', true);
  SELECT c.appointment_id, c.order_no, c.order_status, c.refunded_amount,
         c.waitlist_appointment_id
    INTO cancelled_id, order_no, order_status, refunded_amount, waitlist_appointment_id
    FROM api.cancel(request_id, appointment_id, reason) c;
  v_changes := pg_catalog.current_setting('regdesk.pending_changes', true);
  COMMIT;
  CALL api.publish(v_changes);
END
$$;
COMMENT ON PROCEDURE api.cancel_and_publish (text, bigint, text, bigint, text, text, bigint,
                                             bigint) IS
  'api.cancel, committed, then its change notifications in a transaction of their own. '
  'Call it outside a transaction block.';

REVOKE ALL ON PROCEDURE api.publish (text),
                        api.book_and_publish (text, bigint, bigint, text, int, text, bigint,
                                              text, int, text),
                        api.cancel_and_publish (text, bigint, text, bigint, text, text,
                                                bigint, bigint)
  FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE api.publish (text),
                           api.book_and_publish (text, bigint, bigint, text, int, text, bigint,
                                                 text, int, text),
                           api.cancel_and_publish (text, bigint, text, bigint, text, text,
                                                   bigint, bigint)
  TO regdesk_clerk, regdesk_manager, regdesk_admin;
