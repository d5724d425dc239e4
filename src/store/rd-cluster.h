/* rd-cluster.h: a private PostgreSQL cluster (embedded demo, tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RD_TYPE_CLUSTER (rd_cluster_get_type ())
G_DECLARE_FINAL_TYPE (RdCluster, rd_cluster, RD, CLUSTER, GObject)

/* The database every cluster holds, and its bootstrap superuser (who owns
 * the schema and runs migrations). */
#define RD_CLUSTER_DATABASE  "regdesk"
#define RD_CLUSTER_OWNER     "regdesk_owner"

/* @directory: where the cluster lives (created if missing): the data
 * directory and the Unix socket go below it. When root runs this, the
 * server runs as an unprivileged system user ("postgres", else "nobody"). */
RdCluster   *rd_cluster_new              (const char    *directory);
const char  *rd_cluster_get_directory    (RdCluster     *self);
const char  *rd_cluster_get_socket_dir   (RdCluster     *self);
gboolean     rd_cluster_is_running       (RdCluster     *self);
/* Where initdb, pg_ctl, postgres and psql are ($REGDESK_PG_BINDIR,
 * pg_config --bindir, the distribution's paths, PATH); NULL if nowhere. */
const char  *rd_cluster_get_bindir       (RdCluster     *self);
/* For tests: no fsync, and the server dies with this process. Call it
 * before rd_cluster_start_sync(). */
void         rd_cluster_set_ephemeral    (RdCluster     *self,
                                          gboolean       ephemeral);

/* initdb if there is no cluster yet, start the server (or reuse one already
 * running on this directory), wait until it accepts connections, create the
 * database. Blocking: run it in a thread from the UI. */
gboolean     rd_cluster_start_sync       (RdCluster     *self,
                                          GCancellable  *cancellable,
                                          GError       **error);
/* Stops the server if this object started it. */
gboolean     rd_cluster_stop_sync        (RdCluster     *self,
                                          GError       **error);
/* libpq conninfo for @user (NULL: the owner) on the cluster's socket. */
char        *rd_cluster_get_conninfo     (RdCluster     *self,
                                          const char    *user,
                                          const char    *password);

G_END_DECLS
