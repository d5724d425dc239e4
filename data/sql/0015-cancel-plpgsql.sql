-- 0015-cancel-plpgsql.sql: api.cancel keeps its plan
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- api.cancel was a SQL function around regdesk.cancel_appointment. With
-- SECURITY DEFINER and a SET clause it is never inlined, and PostgreSQL
-- parses, analyses and plans the body of such a function at every call:
-- 13 % of a 退号's instructions (callgrind). PL/pgSQL keeps the plan for the
-- connection.
--
-- PL/pgSQL refuses an input and an output column of one name
-- (appointment_id), so, like api.book since 0008, the function returns a
-- row type with the same columns instead: callers read the same row.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE TYPE regdesk.cancellation AS
(
  appointment_id          bigint,
  order_no                text,
  order_status            text,
  refunded_amount         bigint,
  waitlist_appointment_id bigint
);

DROP FUNCTION api.cancel (text, bigint, text);
CREATE FUNCTION api.cancel (request_id     text,
                            appointment_id bigint,
                            reason         text DEFAULT NULL)
RETURNS SETOF regdesk.cancellation
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
BEGIN
  RETURN QUERY SELECT * FROM regdesk.cancel_appointment(request_id, appointment_id, reason);
END
$$;
COMMENT ON FUNCTION api.cancel (text, bigint, text) IS
  'Cancels (退号) until cancel_cutoff_minutes before the session: refund through the '
  'original method, slot to the waiting list or the pool; idempotent by request id.';
REVOKE ALL ON FUNCTION api.cancel (text, bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.cancel (text, bigint, text)
  TO regdesk_clerk, regdesk_manager, regdesk_admin;
