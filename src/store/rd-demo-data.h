/* rd-demo-data.h: the demo hospital
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

/* Demo logins (password RD_DEMO_PASSWORD), one per role. */
#define RD_DEMO_PASSWORD "demo"
#define RD_DEMO_CLERK    "demo_clerk"
#define RD_DEMO_MANAGER  "demo_manager"
#define RD_DEMO_FINANCE  "demo_finance"
#define RD_DEMO_ADMIN    "demo_admin"

/* Loads the demo hospital (as the schema owner, in one transaction): 20+
 * departments, 120 doctors, four weeks of rosters around @today ("YYYY-MM-DD",
 * NULL = today in Asia/Shanghai), 2 000 patients, past appointments in every
 * state, a login per role. The same @seed and @today give the same rows.
 * Refuses (RD_STORE_ERROR_REJECTED) if demo data is already loaded. */
gboolean     rd_demo_data_load_sync     (RdDb          *owner_db,
                                         guint          seed,
                                         const char    *today,
                                         GCancellable  *cancellable,
                                         GError       **error);
/* Whether demo data is loaded. */
gboolean     rd_demo_data_is_loaded_sync (RdDb         *db,
                                          gboolean     *loaded,
                                          GCancellable *cancellable,
                                          GError      **error);

G_END_DECLS
