-- 0006-slip.sql: what a registration slip (挂号凭条) shows, in one call
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- Refusals: RD501 no such order (as api.pay_cash says it).
--
-- api.slip returns the order number as order_number: a function's input
-- and output columns cannot share the name order_no.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

-- The only place a document number is masked for paper: a resident ID
-- keeps its region (6) and its last 4 (110101********1234); shorter
-- documents keep 2 + 2, and very short ones nothing.
CREATE FUNCTION regdesk.mask_document (id_number text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE
           WHEN length(id_number) >= 14 THEN
             left(id_number, 6) || repeat('*', length(id_number) - 10) || right(id_number, 4)
           WHEN length(id_number) >= 6 THEN
             left(id_number, 2) || repeat('*', length(id_number) - 4) || right(id_number, 2)
           ELSE repeat('*', length(id_number))
         END
$$;
COMMENT ON FUNCTION regdesk.mask_document (text) IS
  'A document number as a slip may print it: 110101********1234.';

CREATE FUNCTION api.slip (order_no text)
RETURNS TABLE (hospital_name     text,
               patient_name      text,
               patient_id_type   text,
               patient_id_masked text,
               department_name   text,
               doctor_name       text,
               doctor_title      text,
               clinic_type       text,
               date              text,
               period            text,
               starts_at         text,
               ends_at           text,
               slot_seq          int,
               queue_no          int,
               fee               bigint,
               paid_amount       bigint,
               tendered          bigint,
               change            bigint,
               payment_methods   text,
               order_number      text,
               order_status      text,
               printed_at        text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, regdesk, api, pg_temp
AS $$
#variable_conflict use_column
DECLARE
  v_order_no CONSTANT text := slip.order_no;
  v_hid bigint;
BEGIN
  PERFORM regdesk.require_group('regdesk_clerk', 'regdesk_manager', 'regdesk_finance',
                                'regdesk_admin');
  v_hid := regdesk.caller_hospital();
  RETURN QUERY
    SELECT h.name,
           p.name,
           p.id_type,
           regdesk.mask_document(p.id_number),
           dep.name,
           doc.name,
           doc.title,
           s.clinic_type,
           regdesk.date_text(s.date),
           s.period,
           to_char(sl.starts_at AT TIME ZONE h.time_zone, 'HH24:MI'),
           to_char(sl.ends_at AT TIME ZONE h.time_zone, 'HH24:MI'),
           sl.seq,
           a.queue_no,
           o.amount,
           coalesce(pay.paid, 0)::bigint,
           pay.tendered,
           pay.change,
           coalesce(pay.methods, ''),
           o.order_no,
           o.status,
           to_char(now() AT TIME ZONE h.time_zone, 'YYYY-MM-DD HH24:MI')
      FROM regdesk.orders o
      JOIN regdesk.hospitals h ON h.id = o.hospital_id
      JOIN regdesk.patients p ON p.id = o.patient_id
      LEFT JOIN regdesk.appointments a ON a.id = o.appointment_id
      LEFT JOIN regdesk.slots sl ON sl.id = a.slot_id
      LEFT JOIN regdesk.sessions s ON s.id = a.session_id
      LEFT JOIN regdesk.departments dep ON dep.id = s.department_id
      LEFT JOIN regdesk.doctors doc ON doc.id = s.doctor_id
      LEFT JOIN LATERAL (
        SELECT sum(y.amount) AS paid,
               string_agg(DISTINCT y.method, ',') AS methods,
               sum(y.tendered) FILTER (WHERE y.method = 'cash')::bigint AS tendered,
               sum(y.change) FILTER (WHERE y.method = 'cash')::bigint AS change
          FROM regdesk.payments y
         WHERE y.order_id = o.id AND y.status = 'succeeded') pay ON true
     WHERE o.order_no = v_order_no AND o.hospital_id = v_hid;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no order %', coalesce(v_order_no, '(none)') USING ERRCODE = 'RD501';
  END IF;
END
$$;
COMMENT ON FUNCTION api.slip (text) IS
  'Everything a registration slip prints for one order (ID masked, times in the '
  'hospital''s zone, payment methods as comma-separated codes); RD501 for no such order.';

-- Privileges ---------------------------------------------------------------------------

REVOKE ALL ON FUNCTION regdesk.mask_document (text), api.slip (text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION api.slip (text)
  TO regdesk_clerk, regdesk_manager, regdesk_finance, regdesk_admin;
