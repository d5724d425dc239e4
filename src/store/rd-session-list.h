/* rd-session-list.h: one day's sessions, read once (for scripts and reports)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

/* The caller's hospital's sessions on @date ("YYYY-MM-DD"; NULL: today in
 * the hospital's time zone) from api.session_overview, in one department
 * (@department_id > 0) or all, ordered by department, period, start time,
 * doctor and id. Returns a GListModel of RdSession, or NULL on error. A
 * @date that is not a date is RD_STORE_ERROR_INVALID. */
GListModel  *rd_session_list_sync    (RdDb          *db,
                                      const char    *date,
                                      gint64         department_id,
                                      GCancellable  *cancellable,
                                      GError       **error);

G_END_DECLS
