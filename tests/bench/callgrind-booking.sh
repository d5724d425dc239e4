#!/bin/bash
# callgrind-booking.sh: instructions a booking and a 退号 cost the server
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tests/bench/callgrind-booking.sh BUILDDIR [EXTRA.sql]
#
# The booking storm's throughput swings by a third from one run to the next
# on a shared machine; the instructions one backend executes per call do
# not. This runs a private cluster under valgrind's callgrind, books and
# cancels through the same procedures the desk calls (CALL
# api.book_and_publish / api.cancel_and_publish) from one connection, and
# prints the instructions per call: the difference between a run of 1 200
# calls and one of 200, so start-up and caches cancel out. psql sends each
# CALL as text, which the server parses and analyses every time (about
# 40 000 instructions); the desk prepares its calls once per connection. EXTRA.sql, if
# given, is applied after the migrations (to try a change before writing
# it as one). Needs valgrind and PostgreSQL's server binaries; as root,
# the cluster runs as the postgres account. Takes about five minutes.
#
# PGBIN=DIR runs the server from DIR instead (a PostgreSQL built with -g,
# so that callgrind_annotate names the server's own functions; Debian's
# binaries are stripped). CGOUT=DIR keeps the callgrind profiles there,
# with the four measured backends' process ids in DIR/pids (book_a book_b
# cancel_a cancel_b: each call's cost is b minus a, divided by 1 000).

set -euo pipefail

builddir=$(realpath "${1:?usage: $0 BUILDDIR [EXTRA.sql]}")
extra=${2:+$(realpath "$2")}
ctl=$builddir/src/ctl/regdesk-ctl
bindir=${PGBIN:-$(pg_config --bindir 2>/dev/null || true)}
if [ ! -x "$bindir/initdb" ]; then
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && bindir=$dir
  done
fi
work=$(mktemp -d)
runas=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$work"
  runas=(runuser -u postgres --)
fi
conn="host=$work dbname=bench user=postgres"
keep () { # keep: copies the profiles to $CGOUT, if set
  [ -n "${CGOUT:-}" ] || return 0
  mkdir -p "$CGOUT" && cp "$work"/cg.*.out "$CGOUT"/ 2>/dev/null &&
    echo "${book_a:-} ${book_b:-} ${cancel_a:-} ${cancel_b:-}" > "$CGOUT/pids"
}
trap '"${runas[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true; keep || true; rm -rf "$work"' EXIT

# No autovacuum: the set-up vacuums and analyses once it is done, and a
# worker that came by in the middle of a run, or not, would change the count.
start () { # start [valgrind]
  local server=("$bindir/postgres" -D "$work/data" -k "$work" -c listen_addresses=
                -c timezone=Asia/Shanghai -c fsync=off -c autovacuum=off)
  if [ "${1:-}" = valgrind ]; then
    server=(valgrind --tool=callgrind --trace-children=yes
            "--callgrind-out-file=$work/cg.%p.out" "${server[@]}")
  fi
  "${runas[@]}" "${server[@]}" >"$work/server.log" 2>&1 &
  for _ in $(seq 1 120); do
    psql -X -q "host=$work dbname=postgres user=postgres" -c "SELECT 1" >/dev/null 2>&1 && return
    sleep 1
  done
  echo "the server did not start: $(tail -3 "$work/server.log")" >&2
  exit 1
}
stop () { "${runas[@]}" "$bindir/pg_ctl" -D "$work/data" -w stop >/dev/null; }

# The bench hospital of `regdesk-ctl bench booking`: 20 sessions of 5 000
# window slots, 100 000 patients; 3 000 bookings made, then vacuumed and
# analysed as autovacuum would have by then, so that the plans and the
# pages are those of a working day.
"${runas[@]}" "$bindir/initdb" -D "$work/data" -U postgres --no-sync -E UTF8 \
  --locale C.UTF-8 >/dev/null 2>&1
start
psql -X -q "host=$work dbname=postgres user=postgres" -c "CREATE DATABASE bench"
"$ctl" -d "$conn" db migrate >/dev/null
[ -n "$extra" ] && psql -X -q -v ON_ERROR_STOP=1 "$conn" -f "$extra"
psql -X -q -v ON_ERROR_STOP=1 "$conn" <<'SQL'
BEGIN;
SET LOCAL regdesk.bulk_load = 'on';
INSERT INTO regdesk.hospitals (code, name, settings) VALUES ('BENCH', 'Bench',
  jsonb_build_object('max_bookings_per_patient_per_day', 20));
INSERT INTO regdesk.departments (hospital_id, code, name, pinyin)
  SELECT id, 'B', 'Bench', 'b' FROM regdesk.hospitals;
INSERT INTO regdesk.doctors (hospital_id, department_id, code, name, pinyin, title)
  SELECT d.hospital_id, d.id, 'BD' || i, 'Doctor ' || i, 'd', 'attending'
    FROM regdesk.departments d, generate_series(1, 20) i;
INSERT INTO regdesk.patients (hospital_id, name, pinyin, sex, birth_date, phone)
  SELECT h.id, 'Patient ' || i, 'p', 'F', date '1960-01-01' + i % 15000,
         '139' || lpad(i::text, 8, '0')
    FROM regdesk.hospitals h, generate_series(1, 100000) i;
WITH s AS (
  INSERT INTO regdesk.sessions (hospital_id, department_id, doctor_id, date, period,
    starts_at, ends_at, clinic_type, fee, capacity, quota_window, quota_online, quota_phone)
  SELECT d.hospital_id, d.department_id, d.id,
         (now() AT TIME ZONE 'Asia/Shanghai')::date + 2, 'morning', '08:00', '12:00',
         'general', 1500, 5000, 5000, 0, 0
    FROM regdesk.doctors d
  RETURNING id, hospital_id, date)
INSERT INTO regdesk.slots (hospital_id, session_id, seq, starts_at, ends_at, channel)
SELECT s.hospital_id, s.id, g, (s.date + time '08:00') AT TIME ZONE 'Asia/Shanghai',
       (s.date + time '08:01') AT TIME ZONE 'Asia/Shanghai', 'window'
  FROM s, generate_series(1, 5000) g;
COMMIT;
DO $$ BEGIN
  FOR i IN 1..3000 LOOP
    PERFORM api.book('pre-' || i, (SELECT min(id) FROM regdesk.sessions) + i % 20,
                     (SELECT min(id) FROM regdesk.patients) + 50000 + i, 'window');
  END LOOP;
END $$;
VACUUM ANALYZE;
CHECKPOINT;
SQL
stop

# calls KIND FIRST COUNT: CALL lines for one connection. Every argument is
# written out: a default would be read back from the catalogue at every
# parse, which the desk, preparing its calls once, pays once.
calls () {
  local i
  for i in $(seq "$2" $(($2 + $3 - 1))); do
    case $1 in
      book) echo "CALL api.book_and_publish('cg-$i', $((i % 20 + 1)), $((i * 7 + 1)), 'window', NULL, NULL, NULL, NULL, NULL, NULL);" ;;
      cancel) echo "CALL api.cancel_and_publish('cgx-$i', $i, NULL, NULL, NULL, NULL, NULL, NULL);" ;;
    esac
  done
}
# run KIND FIRST COUNT: one connection makes them; prints its backend's pid.
run () {
  (echo "SELECT pg_backend_pid();"; calls "$@") \
    | psql -X -q -At -v ON_ERROR_STOP=1 "$conn" >"$work/run.out"
  sed -n 1p "$work/run.out"
}

start valgrind
# A first connection warms the shared caches for the two measured ones.
calls book 3000 20 | psql -X -q -v ON_ERROR_STOP=1 "$conn" >/dev/null
calls cancel 2901 20 | psql -X -q -v ON_ERROR_STOP=1 "$conn" >/dev/null
book_a=$(run book 1 200)
book_b=$(run book 1000 1200)
cancel_a=$(run cancel 1 200)
cancel_b=$(run cancel 201 1200)
stop
sleep 2

total () { callgrind_annotate "$work/cg.$1.out" 2>/dev/null \
             | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'; }
printf '{"booking_instructions": %d, "cancel_instructions": %d}\n' \
  $((($(total "$book_b") - $(total "$book_a")) / 1000)) \
  $((($(total "$cancel_b") - $(total "$cancel_a")) / 1000))
