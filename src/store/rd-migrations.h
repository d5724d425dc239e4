/* rd-migrations.h: numbered schema changes compiled in from data/sql/
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "rd-db.h"

G_BEGIN_DECLS

typedef struct
{
  guint   version;
  char   *name;        /* "0001-schema.sql" */
  char   *applied_at;  /* ISO 8601, NULL when pending */
} RdMigration;

void         rd_migration_free              (RdMigration  *migration);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdMigration, rd_migration_free)

/* The newest version this program knows. */
guint        rd_migrations_get_latest       (void);
/* Applies every pending migration in order, each in its own transaction,
 * under an advisory lock so two migrators never race. Idempotent. */
gboolean     rd_migrations_apply_sync       (RdDb          *db,
                                             guint         *n_applied,
                                             GCancellable  *cancellable,
                                             GError       **error);
/* Every known migration with its state, oldest first (RdMigration). */
GPtrArray   *rd_migrations_status_sync      (RdDb          *db,
                                             GCancellable  *cancellable,
                                             GError       **error);

G_END_DECLS
