/* rd-order-list.h: the orders of one day, for the finance page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-db.h"

G_BEGIN_DECLS

/* Reads api.order_overview for the orders created on @date ("YYYY-MM-DD")
 * in @time_zone (the hospital's, "Asia/Shanghai"), newest first, and on
 * success replaces the contents of @store (a GListStore of RdOrderRow) in
 * one items-changed. */
void         rd_order_list_load_async    (RdDb                *db,
                                          const char          *date,
                                          const char          *time_zone,
                                          GListStore          *store,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean     rd_order_list_load_finish   (RdDb                *db,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
