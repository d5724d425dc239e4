/* rd-slot-list.h: the slots of one session, kept live by NOTIFY
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-db.h"

G_BEGIN_DECLS

#define RD_TYPE_SLOT_LIST (rd_slot_list_get_type ())
G_DECLARE_FINAL_TYPE (RdSlotList, rd_slot_list, RD, SLOT_LIST, GObject)

/* A GListModel of RdSlot for one session, in seq order, read through
 * api.session_slots(). It LISTENs on RD_CHANGE_CHANNEL; a notification for
 * its session re-reads that session's slots with one query and updates the
 * RdSlot objects in place, so views see property notifications for the
 * cells that changed and items-changed only when slots appear or vanish.
 * Notifications that arrive while a query runs are answered by one more
 * query after it. Switching sessions empties the model at once and loads.
 *
 * Properties: "db" (construct-only), "session-id" (gint64, 0 for none),
 * "loading" (boolean: the session's first load is running).
 * Signal "updated": after each load or refresh was applied (also when
 * nothing changed); the sync benchmark measures commit to this signal. */
RdSlotList  *rd_slot_list_new            (RdDb        *db,
                                          gint64       session_id);
gint64       rd_slot_list_get_session_id (RdSlotList  *self);
void         rd_slot_list_set_session_id (RdSlotList  *self,
                                          gint64       session_id);
gboolean     rd_slot_list_get_loading    (RdSlotList  *self);
/* Re-reads the session (after a reconnect the list does this itself). */
void         rd_slot_list_reload         (RdSlotList  *self);
/* The RdSlot numbered @seq, or NULL (transfer none). */
gpointer     rd_slot_list_lookup         (RdSlotList  *self,
                                          int          seq);

G_END_DECLS
