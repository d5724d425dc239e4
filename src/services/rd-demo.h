/* rd-demo.h: the embedded demo: a private cluster, migrated, with demo data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-cluster.h"

G_BEGIN_DECLS

#define RD_DEMO_SEED 20240601

/* The demo cluster's directory: $XDG_DATA_HOME/regdesk/demo, or when root
 * runs it /var/lib/regdesk/demo (the unprivileged server user must be able
 * to reach it). Overridden by $REGDESK_DEMO_DIR. */
char        *rd_demo_get_default_directory (void);

/* Starts (or reuses) the cluster in @directory (NULL: the default), applies
 * migrations and loads the demo data once. Blocking. */
RdCluster   *rd_demo_prepare_sync    (const char          *directory,
                                      GCancellable        *cancellable,
                                      GError             **error);
/* The same in a worker thread, for the UI. */
void         rd_demo_prepare_async   (const char          *directory,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
RdCluster   *rd_demo_prepare_finish  (GAsyncResult        *result,
                                      GError             **error);

G_END_DECLS
