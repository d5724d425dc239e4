/* rd-db.h: one PostgreSQL connection driven from the GLib main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "rd-result.h"
#include "rd-store-error.h"

G_BEGIN_DECLS

typedef enum
{
  RD_DB_STATE_DISCONNECTED,
  RD_DB_STATE_CONNECTING,
  RD_DB_STATE_CONNECTED,
  RD_DB_STATE_RECONNECTING,
} RdDbState;

#define RD_TYPE_DB_STATE (rd_db_state_get_type ())
GType rd_db_state_get_type (void);

#define RD_TYPE_DB (rd_db_get_type ())
G_DECLARE_FINAL_TYPE (RdDb, rd_db, RD, DB, GObject)

/* @conninfo: a libpq conninfo string or URI; NULL or "" uses the PG*
 * environment and libpq's defaults (.pgpass, service files, multi-host). */
RdDb        *rd_db_new               (const char           *conninfo);
const char  *rd_db_get_conninfo      (RdDb                 *self);
RdDbState    rd_db_get_state         (RdDb                 *self);
/* The role the session is logged in as, once connected. */
const char  *rd_db_get_user          (RdDb                 *self);
gboolean     rd_db_get_auto_reconnect (RdDb                *self);
void         rd_db_set_auto_reconnect (RdDb                *self,
                                       gboolean             auto_reconnect);

void         rd_db_connect_async     (RdDb                 *self,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean     rd_db_connect_finish    (RdDb                 *self,
                                      GAsyncResult         *result,
                                      GError              **error);
/* Blocking variant for regdesk-ctl and tests; never call it on the UI thread. */
gboolean     rd_db_connect_sync      (RdDb                 *self,
                                      GCancellable         *cancellable,
                                      GError              **error);
void         rd_db_close             (RdDb                 *self);

/* A parameterised statement ($1, $2, ...); @params holds @n_params values in
 * text format, NULL for SQL NULL. Queries queue and run in order. */
void         rd_db_query_async       (RdDb                 *self,
                                      const char           *sql,
                                      guint                 n_params,
                                      const char * const   *params,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
RdResult    *rd_db_query_finish      (RdDb                 *self,
                                      GAsyncResult         *result,
                                      GError              **error);
RdResult    *rd_db_query_sync        (RdDb                 *self,
                                      const char           *sql,
                                      guint                 n_params,
                                      const char * const   *params,
                                      GCancellable         *cancellable,
                                      GError              **error);
/* The same for a statement of the application's own that runs often: it is
 * prepared once per connection, by its text, and then run by name, so the
 * server parses and analyses it once. Finish with rd_db_query_finish(). */
void         rd_db_query_prepared_async (RdDb                 *self,
                                         const char           *sql,
                                         guint                 n_params,
                                         const char * const   *params,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
RdResult    *rd_db_query_prepared_sync  (RdDb                 *self,
                                         const char           *sql,
                                         guint                 n_params,
                                         const char * const   *params,
                                         GCancellable         *cancellable,
                                         GError              **error);

/* Runs a trusted script of several statements with no parameters (migrations
 * and the demo generator compiled into the binary). Never pass user input. */
gboolean     rd_db_exec_script_sync  (RdDb                 *self,
                                      const char           *script,
                                      GCancellable         *cancellable,
                                      GError              **error);

/* LISTEN on @channel now and again after every reconnect; notifications
 * arrive as the ::notification signal (channel, payload). */
void         rd_db_listen            (RdDb                 *self,
                                      const char           *channel);

/* A SCRAM-SHA-256 verifier for @user's @password, computed on the client
 * (PQencryptPasswordConn) so a password never travels in clear. */
char        *rd_db_encrypt_password  (RdDb                 *self,
                                      const char           *user,
                                      const char           *password,
                                      GError              **error);

G_END_DECLS
