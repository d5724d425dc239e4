/* rd-slips.h: reading what a registration slip shows (api.slip)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-db.h"
#include "rd-slip.h"

G_BEGIN_DECLS

/* The slip of @order_no as the database has it now. An unknown order (or
 * one of another hospital) is RD_STORE_ERROR_REJECTED with SQLSTATE RD501. */
void         rd_slips_get_async          (RdDb                *db,
                                          const char          *order_no,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
RdSlip      *rd_slips_get_finish         (RdDb                *db,
                                          GAsyncResult        *result,
                                          GError             **error);
/* Blocking variant for regdesk-ctl and tests; never call it on the UI thread. */
RdSlip      *rd_slips_get_sync           (RdDb                *db,
                                          const char          *order_no,
                                          GCancellable        *cancellable,
                                          GError             **error);

G_END_DECLS
