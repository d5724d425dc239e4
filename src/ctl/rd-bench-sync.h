/* rd-bench-sync.h: how soon another desk's roster shows a booking
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* On the server of @conninfo_owner (the schema owner, a superuser), in a
 * scratch database it creates and drops: connection A books, connection B
 * shows the day in an RdRoster (the desk's live model). One sample is the
 * time from A sending api.book (which commits on its own) to B's RdSession
 * of that session changing its "booked" count. The raw samples time the
 * same path without the model: A sends a bare NOTIFY, B's connection
 * delivers it. @samples of each, one at a time. Appends one JSON object
 * to @out:
 *   {"p50_ms", "p99_ms", "raw_p50_ms", "raw_p99_ms", "ratio", "samples",
 *    "updated", "notified_p50_ms", "notified_p99_ms"}
 * ratio: p99_ms / raw_p99_ms; updated: samples whose update reached B's
 * model (a missing one fails the run instead); notified_*: A sending
 * api.book to B receiving that session's notification, before the model
 * reads it. */
gboolean     rd_bench_sync              (const char  *conninfo_owner,
                                         guint        samples,
                                         GString     *out,
                                         GError     **error);

G_END_DECLS
