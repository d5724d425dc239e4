/* rd-bench-booking.h: the booking storm against pgbench's tpcb-like script
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "rd-db.h"

G_BEGIN_DECLS

/* On the server of @conninfo_owner (the schema owner, a superuser), in two
 * scratch databases it creates and drops, @n_rounds times: runs pgbench's
 * built-in tpcb-like script (scale @clients) with @clients clients for
 * @seconds, then @clients threads, each on its own connection, booking and
 * sometimes cancelling on the same 20 sessions for @seconds, and checks
 * that no slot and no rule was broken. Appends to @out one JSON object:
 *   {"booking_tps", "pgbench_tps", "ratio", "overbooked", "duplicates",
 *    "clients", "seconds", "booked", "cancelled", "refused", "conflicts",
 *    "rounds": [{"booking_tps", "pgbench_tps", "ratio"}, …]}
 * whose figures are those of the round with the median ratio (of an even
 * number, the lower middle one): on a shared machine one round's ratio
 * swings by a third, and the two phases of one round see the same
 * neighbours. overbooked: slots holding two live appointments plus
 * channel pools holding more appointments than slots; duplicates: patients
 * with two live bookings of one doctor on one day; both summed over the
 * rounds. Both phases run the server's own settings. A booking publishes
 * its changes in a second transaction of NOTIFYs only (0010), so bookings
 * share their WAL flushes as pgbench's transactions do. @extra_sql, if not
 * NULL, is run in the booking database after its migrations and before
 * its set-up: a change to measure before it is written as a migration. */
gboolean     rd_bench_booking           (const char  *conninfo_owner,
                                         guint        clients,
                                         guint        seconds,
                                         guint        n_rounds,
                                         const char  *extra_sql,
                                         GString     *out,
                                         GError     **error);

/* Shared by the benchmarks. @conninfo with its database replaced by
 * @dbname (keyword/value or URI). */
char        *rd_bench_conninfo_with_dbname (const char  *conninfo,
                                            const char  *dbname);
/* Drops (with FORCE) and creates database @name as the owner of @db. */
gboolean     rd_bench_recreate_database    (RdDb        *db,
                                            const char  *name,
                                            GError     **error);

G_END_DECLS
