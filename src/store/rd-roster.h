/* rd-roster.h: the sessions of one day, kept live by NOTIFY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-db.h"

G_BEGIN_DECLS

/* Channel and payloads every change NOTIFYs: "session:<hospital>:<id>",
 * "appointment:<hospital>:<id>", "order:<hospital>:<id>",
 * "patient:<hospital>:<id>", "roster:<hospital>:<date>". */
#define RD_CHANGE_CHANNEL "rd_change"

#define RD_TYPE_ROSTER (rd_roster_get_type ())
G_DECLARE_FINAL_TYPE (RdRoster, rd_roster, RD, ROSTER, GObject)

/* A GListModel of RdSession for one date (hospital time zone), ordered by
 * department, period, doctor. It LISTENs on RD_CHANGE_CHANNEL and refreshes
 * only the sessions a notification names, updating their properties in place
 * (and emitting items-changed only when rows appear or vanish). Properties:
 * "db", "date" (string YYYY-MM-DD), "loading" (boolean). */
RdRoster    *rd_roster_new              (RdDb          *db);
const char  *rd_roster_get_date         (RdRoster      *self);
/* NULL means today in the hospital's time zone. Reloads. */
void         rd_roster_set_date         (RdRoster      *self,
                                         const char    *date);
gboolean     rd_roster_get_loading      (RdRoster      *self);
/* Reloads everything (after a reconnect, say). */
void         rd_roster_reload           (RdRoster      *self);
/* Departments that have sessions on the date (RdDepartment, with
 * n-sessions and n-free), kept in step with the sessions. */
GListModel  *rd_roster_get_departments  (RdRoster      *self);
/* The session with this id, or NULL. */
gpointer     rd_roster_lookup           (RdRoster      *self,
                                         gint64         session_id);

G_END_DECLS
