/* rd-lottery.h: drawing a lottery session, and reading its draw order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

typedef struct
{
  int     rank;
  gint64  lottery_request_id;   /* preview only; 0 from a draw */
  char   *request_id;
  gint64  patient_id;
  char   *channel;              /* 'online' or 'phone' */
  char   *status;               /* draw: 'won' or 'lost'; preview: NULL */
  gint64  appointment_id;       /* draw: the winner's appointment, else 0 */
} RdLotteryEntry;

void         rd_lottery_entry_free      (RdLotteryEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdLotteryEntry, rd_lottery_entry_free)

/* regdesk.lottery_draw() (managers, admins, the worker): draws @session_id
 * once, after its draw time, and returns the recorded ranks; drawing again
 * returns the same rows. A GPtrArray of RdLotteryEntry by rank, or NULL
 * with RD_STORE_ERROR_REJECTED (RD301, RD701, RD705) or
 * RD_STORE_ERROR_PERMISSION. */
GPtrArray   *rd_lottery_draw_sync       (RdDb          *db,
                                         gint64         session_id,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* api.lottery_preview() (clerks too): the draw order recomputed from the
 * stored seed, without writing; RD706 before the seed exists. */
GPtrArray   *rd_lottery_preview_sync    (RdDb          *db,
                                         gint64         session_id,
                                         GCancellable  *cancellable,
                                         GError       **error);

G_END_DECLS
