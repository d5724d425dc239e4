/* booking-test-util.h: sessions, patients and checks for the booking tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-test-pg.h"

G_BEGIN_DECLS

/* Loads the demo hospital and installs the helpers (once per process). */
void         bt_setup                (void);
/* The schema owner's connection (shared, do not close). */
RdDb        *bt_owner                (void);
/* A session of some doctor with a free period that day, starting at now +
 * @start_in (an SQL interval), two hours long (clamped to the day), with
 * @window + @online + @phone one-minute slots in that order (window first),
 * cut-offs two hours before the start, a lottery draw a day before the
 * start. @doctor_id 0: any doctor. */
gint64       bt_make_session         (const char  *start_in,
                                      int          window,
                                      int          online,
                                      int          phone,
                                      const char  *policy,
                                      gint64       fee,
                                      gint64       doctor_id);
/* A new patient without bookings; @birth_date NULL: 1985-06-01. */
gint64       bt_make_patient         (const char  *birth_date,
                                      gboolean     disabled);
/* The first column of the first row of @sql with text @params, as text
 * (NULL for SQL NULL or no rows); fails the test when @sql fails. */
char        *bt_scalar               (RdDb        *db,
                                      const char  *sql,
                                      guint        n_params,
                                      const char * const *params);
gint64       bt_int                  (RdDb        *db,
                                      const char  *sql,
                                      guint        n_params,
                                      const char * const *params);
/* The same with one integer parameter. */
gint64       bt_int1                 (RdDb        *db,
                                      const char  *sql,
                                      gint64       param);
char        *bt_scalar1              (RdDb        *db,
                                      const char  *sql,
                                      gint64       param);
/* Runs @sql with one integer parameter, failing the test on error. */
void         bt_exec1                (RdDb        *db,
                                      const char  *sql,
                                      gint64       param);

/* SQL counting the sessions whose counts (api.session_overview o) differ
 * from what their slots and appointments say; a condition on o may follow
 * ("AND o.id = …"). */
#define BT_COUNTS_DRIFT_SQL \
  "SELECT count(*) FROM api.session_overview o WHERE " \
  "(o.free_window, o.free_online, o.free_phone, o.booked) IS DISTINCT FROM " \
  "((SELECT count(*) FROM regdesk.slots sl WHERE sl.session_id = o.id " \
  "   AND sl.status = 'free' AND sl.channel = 'window'), " \
  " (SELECT count(*) FROM regdesk.slots sl WHERE sl.session_id = o.id " \
  "   AND sl.status = 'free' AND sl.channel = 'online'), " \
  " (SELECT count(*) FROM regdesk.slots sl WHERE sl.session_id = o.id " \
  "   AND sl.status = 'free' AND sl.channel = 'phone'), " \
  " (SELECT count(*) FROM regdesk.appointments a WHERE a.session_id = o.id " \
  "   AND a.status IN ('pending_payment', 'booked', 'checked_in')))"

#define bt_assert_rejected(error, sqlstate) \
  G_STMT_START { \
    g_assert_error ((error), RD_STORE_ERROR, RD_STORE_ERROR_REJECTED); \
    g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, (sqlstate)); \
    g_test_message ("refused as expected: %s", (error)->message); \
    g_clear_error (&(error)); \
  } G_STMT_END

G_END_DECLS
