/* rd-migrations-private.h: migrations from any resource (for tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-migrations.h"

G_BEGIN_DECLS

/* Where the program's migrations live in rd_store_get_resource(). */
#define RD_MIGRATIONS_PATH "/io/github/regdesk/Regdesk/sql/"

/* The migrations in @path of @resource ("NNNN-name.sql"), oldest first,
 * none applied (RdMigration). */
GPtrArray   *rd_migrations_list_from            (GResource     *resource,
                                                 const char    *path,
                                                 GError       **error);
gboolean     rd_migrations_apply_from_sync      (RdDb          *db,
                                                 GResource     *resource,
                                                 const char    *path,
                                                 guint         *n_applied,
                                                 GCancellable  *cancellable,
                                                 GError       **error);
GPtrArray   *rd_migrations_status_from_sync     (RdDb          *db,
                                                 GResource     *resource,
                                                 const char    *path,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

G_END_DECLS
