-- 0020-publish-counts-scan.sql: a session's counts read by an index scan
--
-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- Runs once per database as the schema owner, in one transaction.
--
-- regdesk.publish() (0018) reads the changed session's counts, its up to 8
-- rows of regdesk.session_counts, with sequential scans off (0014). The
-- planner then chose a bitmap scan: a bitmap built and the heap pages
-- visited in order, for 8 rows that the storm of updates spreads over as
-- many pages (6 of 9 in the booking storm). A plain scan of the primary
-- key does the same for half the work (6.0 against 12.7 µs a reading in a
-- loop of 20 000), so bitmap scans are off as well. Restated whole; only
-- that setting is new.
--
-- callgrind (tests/bench/callgrind-booking.sh): a booking 2.65 to 2.63
-- million instructions, a 退号 1.96 to 1.94 million.

SET LOCAL search_path = pg_catalog, regdesk, api, pg_temp;

CREATE OR REPLACE FUNCTION regdesk.publish (changes text)
RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  c text;
  v_parts text[];
  r record;
  v_done text;
BEGIN
  -- All three for this transaction only. The counts' plan is made, and
  -- kept, under the last two: an index scan.
  v_done := pg_catalog.set_config('synchronous_commit', 'off', true);
  v_done := pg_catalog.set_config('enable_seqscan', 'off', true);
  v_done := pg_catalog.set_config('enable_bitmapscan', 'off', true);
  FOREACH c IN ARRAY pg_catalog.string_to_array(coalesce(changes, ''), ',') LOOP
    v_done := pg_catalog.pg_notify('rd_change', c);
    CONTINUE WHEN NOT pg_catalog.starts_with(c, 'session:');
    v_parts := pg_catalog.string_to_array(c, ':');
    SELECT coalesce(sum(x.free_window), 0) AS w, coalesce(sum(x.free_online), 0) AS o,
           coalesce(sum(x.free_phone), 0) AS p, coalesce(sum(x.booked), 0) AS b
      INTO r
      FROM regdesk.session_counts x
     WHERE x.session_id = v_parts[3]::bigint;
    v_done := pg_catalog.pg_notify('rd_change',
                                   pg_catalog.concat_ws(':', 'free', v_parts[2], v_parts[3],
                                                        r.w, r.o, r.p, r.b));
  END LOOP;
END
$$;
