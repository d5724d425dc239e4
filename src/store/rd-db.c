/* rd-db.c: one PostgreSQL connection driven from the GLib main loop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libpq-fe.h>

#include "rd-db.h"
#include "rd-result-private.h"
#include "rd-store-error-private.h"

/* Reconnect back-off: 250 ms doubling up to 30 s, with ±25 % jitter so a room
 * full of desks does not reconnect in lockstep after a fail-over. */
#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 30000

/* libpq ignores connect_timeout in non-blocking mode; this is ours when the
 * conninfo does not set one. */
#define DEFAULT_CONNECT_TIMEOUT_S 30

typedef enum
{
  OP_QUERY,
  OP_SCRIPT,
  OP_LISTEN,
  OP_ROLLBACK,
} OpKind;

/* One statement (or script) waiting in the queue or on the wire. Internal
 * statements (LISTEN, ROLLBACK) and cancelled ones have no task. */
typedef struct
{
  RdDb                    *db;
  OpKind                   kind;
  GTask                   *task;
  char                    *sql;
  char                   **params;
  guint                    n_params;
  GSource                 *cancel_source;
  PGresult                *result;
  GError                  *error;
  PGTransactionStatusType  tx_before;
  gboolean                 copy_out;
  /* A statement run by name (rd_db_query_prepared_async()): its name, and
   * whether it is being prepared now, before it runs. */
  gboolean                 prepared;
  gboolean                 preparing;
  char                    *statement;
} RdDbOp;

/* A caller of rd_db_connect_async() waiting for the connection. */
typedef struct
{
  RdDb    *db;
  GTask   *task;
  GSource *cancel_source;
} RdDbWaiter;

typedef struct
{
  GSource  source;
  gpointer tag;
} RdDbSource;

typedef gboolean (*RdDbSourceFunc) (RdDb         *self,
                                    GIOCondition  condition);

typedef struct
{
  PGcancel *cancel;
  guint     generation;
} RdDbCancel;

/* An RdDb lives in the thread whose thread-default main context was current
 * when it was made: its sources are attached there, and the _sync calls
 * iterate that context, so they must be made from that thread too. */
struct _RdDb
{
  GObject       parent_instance;

  char         *conninfo;
  char         *user;
  GMainContext *context;
  RdDbState     state;
  gboolean      auto_reconnect;

  PGconn       *conn;
  /* Bumped whenever the connection is dropped, so code that called out to
   * signal handlers or task callbacks can tell the world changed under it. */
  guint         generation;
  gboolean      polling;
  gboolean      flushing;
  gboolean      cancel_running;
  GSource      *io_source;
  int           io_fd;
  GIOCondition  io_condition;
  GSource      *timeout_source;
  GSource      *retry_source;
  guint         backoff_ms;
  char         *fatal_message;

  GPtrArray    *waiters;
  GQueue        queue;
  RdDbOp       *current;
  GPtrArray    *channels;
  /* The statements prepared on this connection: text → name. */
  GHashTable   *statements;
  guint         n_statements;
};

G_DEFINE_FINAL_TYPE (RdDb, rd_db, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONNINFO,
  PROP_STATE,
  PROP_USER,
  PROP_AUTO_RECONNECT,
  N_PROPS
};

enum {
  NOTIFICATION,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void rd_db_run           (RdDb     *self,
                                 gboolean  readable);
static void rd_db_start_connect (RdDb     *self);

GType
rd_db_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { RD_DB_STATE_DISCONNECTED, "RD_DB_STATE_DISCONNECTED", "disconnected" },
        { RD_DB_STATE_CONNECTING, "RD_DB_STATE_CONNECTING", "connecting" },
        { RD_DB_STATE_CONNECTED, "RD_DB_STATE_CONNECTED", "connected" },
        { RD_DB_STATE_RECONNECTING, "RD_DB_STATE_RECONNECTING", "reconnecting" },
        { 0, NULL, NULL },
      };
      GType id = g_enum_register_static (g_intern_static_string ("RdDbState"), values);

      g_once_init_leave (&type_id, id);
    }

  return type_id;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
rd_db_attach_cancellable (RdDb         *self,
                          GCancellable *cancellable,
                          GSourceFunc   callback,
                          gpointer      data)
{
  GSource *source;

  if (cancellable == NULL)
    return NULL;

  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, callback, data, NULL);
  g_source_set_static_name (source, "[regdesk] RdDb cancel");
  g_source_attach (source, self->context);

  return source;
}

static RdDbOp *
rd_db_op_new (RdDb       *self,
              OpKind      kind,
              const char *sql)
{
  RdDbOp *op = g_new0 (RdDbOp, 1);

  op->db = self;
  op->kind = kind;
  op->sql = g_strdup (sql);

  return op;
}

static void
rd_db_op_free (RdDbOp *op)
{
  clear_source (&op->cancel_source);
  for (guint i = 0; i < op->n_params; i++)
    g_free (op->params[i]);
  g_free (op->params);
  g_free (op->statement);
  g_free (op->sql);
  g_clear_pointer (&op->result, PQclear);
  g_clear_error (&op->error);
  g_clear_object (&op->task);
  g_free (op);
}

static void
rd_db_op_fail (RdDbOp       *op,
               const GError *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&op->task);

  rd_db_op_free (op);
  if (task != NULL)
    g_task_return_error (task, g_error_copy (error));
}

static void
rd_db_fail_ops (GQueue       *ops,
                const GError *error)
{
  RdDbOp *op;

  while ((op = g_queue_pop_head (ops)) != NULL)
    rd_db_op_fail (op, error);
}

/* Moves the operation on the wire and every queued one to @ops. */
static void
rd_db_take_ops (RdDb   *self,
                GQueue *ops)
{
  g_queue_init (ops);
  if (self->current != NULL)
    g_queue_push_tail (ops, g_steal_pointer (&self->current));
  while (!g_queue_is_empty (&self->queue))
    g_queue_push_tail (ops, g_queue_pop_head (&self->queue));
}

static void
rd_db_waiter_free (RdDbWaiter *waiter)
{
  clear_source (&waiter->cancel_source);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

/* Completes every connect waiter: with success when @error is NULL. */
static void
rd_db_finish_waiters (RdDb         *self,
                      const GError *error)
{
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&self->waiters);

  self->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_db_waiter_free);

  for (guint i = 0; i < waiters->len; i++)
    {
      RdDbWaiter *waiter = g_ptr_array_index (waiters, i);
      g_autoptr(GTask) task = g_steal_pointer (&waiter->task);

      clear_source (&waiter->cancel_source);
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
rd_db_set_state (RdDb      *self,
                 RdDbState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static gboolean
rd_db_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  RdDbSource *db_source = (RdDbSource *) source;
  GIOCondition condition = g_source_query_unix_fd (source, db_source->tag);

  return ((RdDbSourceFunc) (void (*) (void)) callback) (user_data, condition);
}

static GSourceFuncs rd_db_source_funcs = {
  .dispatch = rd_db_source_dispatch,
};

static void
rd_db_unwatch (RdDb *self)
{
  clear_source (&self->io_source);
  self->io_fd = -1;
  self->io_condition = 0;
}

static gboolean rd_db_io_cb (RdDb         *self,
                             GIOCondition  condition);

/* Watches the connection's socket for @condition. While connecting, libpq
 * may switch to another socket (multi-host lists), so @fresh recreates the
 * source rather than trusting a descriptor number that may have been reused. */
static void
rd_db_watch (RdDb         *self,
             GIOCondition  condition,
             gboolean      fresh)
{
  int fd = PQsocket (self->conn);

  if (self->io_source != NULL && (fresh || fd != self->io_fd))
    rd_db_unwatch (self);

  if (fd < 0)
    return;

  if (self->io_source == NULL)
    {
      GSource *source = g_source_new (&rd_db_source_funcs, sizeof (RdDbSource));

      g_source_set_static_name (source, "[regdesk] RdDb socket");
      g_source_set_callback (source, (GSourceFunc) (void (*) (void)) rd_db_io_cb, self, NULL);
      ((RdDbSource *) source)->tag = g_source_add_unix_fd (source, fd, condition);
      g_source_attach (source, self->context);
      self->io_source = source;
      self->io_fd = fd;
      self->io_condition = condition;
    }
  else if (self->io_condition != condition)
    {
      g_source_modify_unix_fd (self->io_source, ((RdDbSource *) self->io_source)->tag, condition);
      self->io_condition = condition;
    }
}

/* Forgets the server connection; queued work stays where it is. */
static void
rd_db_drop_connection (RdDb *self)
{
  self->generation++;
  rd_db_unwatch (self);
  clear_source (&self->timeout_source);
  g_clear_pointer (&self->conn, PQfinish);
  self->polling = FALSE;
  self->flushing = FALSE;
  self->cancel_running = FALSE;
  /* Prepared statements live and die with their connection. */
  g_hash_table_remove_all (self->statements);
}

static void
rd_db_notice_cb (void           *data,
                 const PGresult *result)
{
  RdDb *self = data;
  const char *severity = PQresultErrorField (result, PG_DIAG_SEVERITY_NONLOCALIZED);
  g_autofree char *message = rd_store_error_one_line (PQresultErrorMessage (result));

  /* A FATAL notice while idle is the server saying why it is about to hang
   * up (pg_terminate_backend, shutdown): the best reason to report. */
  if (g_strcmp0 (severity, "FATAL") == 0 || g_strcmp0 (severity, "PANIC") == 0)
    {
      const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);

      g_free (self->fatal_message);
      self->fatal_message = g_strdup (primary != NULL ? primary : message);
    }

  g_debug ("Server notice: %s", message);
}

static gboolean
rd_db_retry_cb (gpointer data)
{
  RdDb *self = g_object_ref (data);

  g_clear_pointer (&self->retry_source, g_source_unref);
  rd_db_start_connect (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
rd_db_schedule_retry (RdDb *self)
{
  guint delay;

  if (self->backoff_ms == 0)
    self->backoff_ms = BACKOFF_MIN_MS;
  else
    self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);

  delay = (guint) (self->backoff_ms * g_random_double_range (0.75, 1.25));
  g_debug ("Reconnecting in %u ms", delay);

  clear_source (&self->retry_source);
  self->retry_source = g_timeout_source_new (delay);
  g_source_set_static_name (self->retry_source, "[regdesk] RdDb reconnect");
  g_source_set_callback (self->retry_source, rd_db_retry_cb, self, NULL);
  g_source_attach (self->retry_source, self->context);
}

/* A connection attempt failed: the first one gives up, a reconnect retries. */
static void
rd_db_connect_failed (RdDb   *self,
                      GError *error)
{
  g_autoptr(GError) owned = error;

  rd_db_drop_connection (self);

  if (self->state == RD_DB_STATE_RECONNECTING && self->auto_reconnect)
    {
      g_debug ("Reconnecting failed: %s", error->message);
      rd_db_schedule_retry (self);
      rd_db_finish_waiters (self, error);
    }
  else
    {
      GQueue ops;

      rd_db_take_ops (self, &ops);
      rd_db_set_state (self, RD_DB_STATE_DISCONNECTED);
      rd_db_finish_waiters (self, error);
      rd_db_fail_ops (&ops, error);
    }
}

/* The server went away (or the socket broke) after we were connected. */
static void
rd_db_lost (RdDb *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *reason = NULL;
  GQueue ops;

  if (self->fatal_message != NULL)
    reason = g_steal_pointer (&self->fatal_message);
  else
    reason = rd_store_error_one_line (PQerrorMessage (self->conn));

  error = g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                       _("Lost the connection to the database: %s"), reason);
  g_debug ("%s", error->message);

  rd_db_take_ops (self, &ops);
  rd_db_drop_connection (self);

  if (self->auto_reconnect)
    {
      self->backoff_ms = 0;
      rd_db_schedule_retry (self);
      rd_db_set_state (self, RD_DB_STATE_RECONNECTING);
    }
  else
    {
      rd_db_set_state (self, RD_DB_STATE_DISCONNECTED);
    }

  /* Never retried here: only the caller knows whether that is safe. */
  rd_db_fail_ops (&ops, error);
}

static void
rd_db_connected (RdDb *self)
{
  guint generation = self->generation;
  const char *user;

  self->polling = FALSE;
  clear_source (&self->timeout_source);
  PQsetErrorVerbosity (self->conn, PQERRORS_DEFAULT);

  if (PQsetnonblocking (self->conn, 1) != 0)
    {
      rd_db_connect_failed (self, rd_store_error_new_from_connection (self->conn));
      return;
    }

  self->backoff_ms = 0;
  g_clear_pointer (&self->fatal_message, g_free);

  /* LISTEN again before anything the callers queued meanwhile. */
  for (guint i = self->channels->len; i > 0; i--)
    {
      const char *channel = g_ptr_array_index (self->channels, i - 1);

      g_queue_push_head (&self->queue, rd_db_op_new (self, OP_LISTEN, channel));
    }

  rd_db_watch (self, G_IO_IN, TRUE);

  user = PQuser (self->conn);
  if (g_strcmp0 (user, self->user) != 0)
    {
      g_free (self->user);
      self->user = g_strdup (user);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
    }

  if (generation != self->generation)
    return;

  rd_db_set_state (self, RD_DB_STATE_CONNECTED);
  rd_db_finish_waiters (self, NULL);

  if (generation == self->generation)
    rd_db_run (self, FALSE);
}

static void
rd_db_poll_connect (RdDb *self)
{
  PostgresPollingStatusType status = PQconnectPoll (self->conn);

  switch (status)
    {
    case PGRES_POLLING_READING:
      rd_db_watch (self, G_IO_IN, TRUE);
      break;

    case PGRES_POLLING_WRITING:
    case PGRES_POLLING_ACTIVE:
      rd_db_watch (self, G_IO_OUT, TRUE);
      break;

    case PGRES_POLLING_OK:
      rd_db_connected (self);
      return;

    case PGRES_POLLING_FAILED:
    default:
      rd_db_connect_failed (self, rd_store_error_new_from_connection (self->conn));
      return;
    }

  if (self->io_source == NULL)
    rd_db_connect_failed (self, rd_store_error_new_from_connection (self->conn));
}

static gboolean
rd_db_connect_timeout_cb (gpointer data)
{
  RdDb *self = g_object_ref (data);

  g_clear_pointer (&self->timeout_source, g_source_unref);
  rd_db_connect_failed (self,
                        rd_store_error_new_sqlstate (RD_STORE_ERROR_CONNECTION, NULL,
                                                     _("Timed out connecting to the database")));
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static guint
rd_db_get_connect_timeout (PGconn *conn)
{
  PQconninfoOption *options = PQconninfo (conn);
  guint timeout = DEFAULT_CONNECT_TIMEOUT_S;

  for (PQconninfoOption *option = options; option != NULL && option->keyword != NULL; option++)
    {
      if (g_str_equal (option->keyword, "connect_timeout") && option->val != NULL)
        {
          gint64 value = g_ascii_strtoll (option->val, NULL, 10);

          /* As libpq: a timeout under two seconds means two. */
          if (value > 0)
            timeout = (guint) CLAMP (value, 2, G_MAXINT);
        }
    }

  PQconninfoFree (options);

  return timeout;
}

/* Starts one connection attempt in the current state (CONNECTING or
 * RECONNECTING). */
static void
rd_db_start_connect (RdDb *self)
{
  const char *keywords[] = { "dbname", "fallback_application_name", NULL };
  const char *values[] = { NULL, NULL, NULL };
  const char *prgname = g_get_prgname ();

  g_assert (self->conn == NULL);

  values[0] = self->conninfo != NULL ? self->conninfo : "";
  values[1] = prgname != NULL ? prgname : "regdesk";

  self->generation++;
  g_clear_pointer (&self->fatal_message, g_free);
  self->conn = PQconnectStartParams (keywords, values, 1);

  if (self->conn == NULL || PQstatus (self->conn) == CONNECTION_BAD)
    {
      rd_db_connect_failed (self, rd_store_error_new_from_connection (self->conn));
      return;
    }

  /* The SQLSTATE of a refused login shows only in a verbose message; it
   * tells a wrong password apart whatever language the server speaks. */
  PQsetErrorVerbosity (self->conn, PQERRORS_VERBOSE);
  PQsetNoticeReceiver (self->conn, rd_db_notice_cb, self);
  self->polling = TRUE;

  self->timeout_source = g_timeout_source_new_seconds (rd_db_get_connect_timeout (self->conn));
  g_source_set_static_name (self->timeout_source, "[regdesk] RdDb connect timeout");
  g_source_set_callback (self->timeout_source, rd_db_connect_timeout_cb, self, NULL);
  g_source_attach (self->timeout_source, self->context);

  /* PQconnectStartParams behaves as if PQconnectPoll returned WRITING. */
  rd_db_watch (self, G_IO_OUT, TRUE);
  if (self->io_source == NULL)
    rd_db_connect_failed (self, rd_store_error_new_from_connection (self->conn));
}

/* A prepared statement that failed for a reason of its own, not of its
 * data: the objects it names changed (42…, XX…: a function dropped and
 * created again), its result changed shape (0A000), or the server forgot
 * it (26000). The next run prepares it afresh. */
static void
rd_db_forget_statement (RdDb         *self,
                        RdDbOp       *op,
                        const GError *error)
{
  const char *sqlstate;

  if (!op->prepared || error == NULL)
    return;

  sqlstate = rd_store_error_get_sqlstate (error);
  if (sqlstate == NULL || g_str_has_prefix (sqlstate, "42") ||
      g_str_has_prefix (sqlstate, "XX") || g_str_equal (sqlstate, "0A000") ||
      g_str_equal (sqlstate, "26000"))
    g_hash_table_remove (self->statements, op->sql);
}

/* Hands an operation's outcome to its caller. */
static void
rd_db_op_finish (RdDb   *self,
                 RdDbOp *op)
{
  g_autoptr(GTask) task = g_steal_pointer (&op->task);
  g_autoptr(GError) error = g_steal_pointer (&op->error);
  PGresult *result = g_steal_pointer (&op->result);
  OpKind kind = op->kind;

  /* A failed script must not leave the session inside its transaction; a
   * transaction the caller opened before is the caller's to end. */
  if (op->kind == OP_SCRIPT && error != NULL && self->conn != NULL &&
      op->tx_before == PQTRANS_IDLE)
    {
      PGTransactionStatusType tx = PQtransactionStatus (self->conn);

      if (tx == PQTRANS_INERROR || tx == PQTRANS_INTRANS)
        g_queue_push_head (&self->queue, rd_db_op_new (self, OP_ROLLBACK, "ROLLBACK"));
    }

  rd_db_forget_statement (self, op, error);

  if (op->kind == OP_LISTEN && error != NULL)
    g_message ("Could not listen on channel “%s”: %s", op->sql, error->message);

  rd_db_op_free (op);

  if (task == NULL)
    {
      g_clear_pointer (&result, PQclear);
      return;
    }

  if (error != NULL)
    {
      g_clear_pointer (&result, PQclear);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else if (kind == OP_QUERY)
    {
      if (result != NULL)
        g_task_return_pointer (task, rd_result_new_take (result),
                               (GDestroyNotify) rd_result_unref);
      else
        g_task_return_new_error (task, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                 _("The database returned no result"));
    }
  else
    {
      g_clear_pointer (&result, PQclear);
      g_task_return_boolean (task, TRUE);
    }
}

/* Reads the current operation's results; TRUE once it has all of them. */
static gboolean
rd_db_drain (RdDb *self)
{
  RdDbOp *op = self->current;

  for (;;)
    {
      PGresult *result;
      ExecStatusType status;
      gboolean broken = PQstatus (self->conn) == CONNECTION_BAD;

      if (op->copy_out)
        {
          char *buffer = NULL;
          int n;

          while ((n = PQgetCopyData (self->conn, &buffer, TRUE)) > 0)
            g_clear_pointer (&buffer, PQfreemem);
          if (n == 0 && !broken)
            return FALSE;
          op->copy_out = FALSE;
        }

      /* A broken connection is never "busy" again: PQgetResult reports it. */
      if (PQisBusy (self->conn) && !broken)
        return FALSE;

      result = PQgetResult (self->conn);
      if (result == NULL)
        return TRUE;

      status = PQresultStatus (result);
      if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY)
        {
          if (op->kind == OP_QUERY && op->error == NULL)
            {
              g_clear_pointer (&op->result, PQclear);
              op->result = g_steal_pointer (&result);
            }
        }
      else if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH)
        {
          /* COPY has no place in this API; end it so the session recovers. */
          if (status != PGRES_COPY_OUT)
            {
              PQputCopyEnd (self->conn, "COPY FROM STDIN is not supported by Regdesk");
              self->flushing = TRUE;
            }
          if (status != PGRES_COPY_IN)
            op->copy_out = TRUE;
          if (op->error == NULL)
            op->error = g_error_new (RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                                     _("COPY is not supported here"));
        }
      else if (op->error == NULL)
        {
          op->error = rd_store_error_new_from_result (result, self->conn);
        }

      g_clear_pointer (&result, PQclear);
    }
}

static void
rd_db_send_next (RdDb *self)
{
  RdDbOp *op = g_queue_pop_head (&self->queue);
  int sent = 0;

  switch (op->kind)
    {
    case OP_QUERY:
      if (op->prepared)
        {
          const char *name = g_hash_table_lookup (self->statements, op->sql);

          if (name != NULL)
            {
              op->statement = g_strdup (name);
              sent = PQsendQueryPrepared (self->conn, name, (int) op->n_params,
                                          (const char * const *) op->params, NULL, NULL, 0);
            }
          else
            {
              op->statement = g_strdup_printf ("rd_%u", ++self->n_statements);
              op->preparing = TRUE;
              sent = PQsendPrepare (self->conn, op->statement, op->sql, (int) op->n_params,
                                    NULL);
            }
        }
      else
        {
          sent = PQsendQueryParams (self->conn, op->sql, (int) op->n_params, NULL,
                                    (const char * const *) op->params, NULL, NULL, 0);
        }
      break;

    case OP_SCRIPT:
    case OP_ROLLBACK:
      op->tx_before = PQtransactionStatus (self->conn);
      sent = PQsendQuery (self->conn, op->sql);
      break;

    case OP_LISTEN:
      {
        char *quoted = PQescapeIdentifier (self->conn, op->sql, strlen (op->sql));

        if (quoted != NULL)
          {
            g_autofree char *sql = g_strconcat ("LISTEN ", quoted, NULL);

            PQfreemem (quoted);
            sent = PQsendQuery (self->conn, sql);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }

  if (!sent)
    {
      g_autofree char *message = NULL;

      if (PQstatus (self->conn) == CONNECTION_BAD)
        {
          /* rd_db_lost() fails it with the others. */
          g_queue_push_head (&self->queue, op);
          return;
        }

      message = rd_store_error_one_line (PQerrorMessage (self->conn));
      op->error = rd_store_error_new_sqlstate (RD_STORE_ERROR_FAILED, NULL, message);
      rd_db_op_finish (self, op);
      return;
    }

  self->current = op;
  self->flushing = TRUE;
}

/* @op's statement has been prepared (or refused): remember it. TRUE when
 * @op is to run now, by name, through the queue like any statement; FALSE
 * when it is done: its error says why, or it was cancelled meanwhile and
 * must not run. */
static gboolean
rd_db_statement_prepared (RdDb   *self,
                          RdDbOp *op)
{
  op->preparing = FALSE;
  g_clear_pointer (&op->result, PQclear);
  if (op->error != NULL)
    return FALSE;

  g_hash_table_insert (self->statements, g_strdup (op->sql), g_steal_pointer (&op->statement));

  return op->task != NULL;
}

static void
rd_db_emit_notifications (RdDb *self)
{
  guint generation = self->generation;
  PGnotify *notify;

  while (generation == self->generation && (notify = PQnotifies (self->conn)) != NULL)
    {
      g_autofree char *channel = g_strdup (notify->relname);
      g_autofree char *payload = g_strdup (notify->extra);

      PQfreemem (notify);
      g_signal_emit (self, signals[NOTIFICATION], g_quark_try_string (channel), channel, payload);
    }
}

/* The engine: flush output, collect results, send the next statement,
 * deliver notifications, notice a lost connection. */
static void
rd_db_run (RdDb     *self,
           gboolean  readable)
{
  guint generation = self->generation;

  g_assert (self->conn != NULL);

  if (readable && !PQconsumeInput (self->conn))
    {
      g_autofree char *message = rd_store_error_one_line (PQerrorMessage (self->conn));

      g_debug ("Reading from the database failed: %s", message);
    }

  while (generation == self->generation)
    {
      if (self->flushing)
        {
          int flushed = PQflush (self->conn);

          if (flushed < 0)
            {
              rd_db_lost (self);
              return;
            }

          self->flushing = flushed == 1;
          rd_db_watch (self, self->flushing ? G_IO_IN | G_IO_OUT : G_IO_IN, FALSE);
        }

      if (self->current != NULL)
        {
          if (!rd_db_drain (self))
            break;

          if (self->current->preparing && rd_db_statement_prepared (self, self->current))
            g_queue_push_head (&self->queue, g_steal_pointer (&self->current));
          else
            rd_db_op_finish (self, g_steal_pointer (&self->current));
          continue;
        }

      if (PQstatus (self->conn) == CONNECTION_BAD || self->cancel_running ||
          self->flushing || g_queue_is_empty (&self->queue))
        break;

      rd_db_send_next (self);
    }

  if (generation != self->generation)
    return;

  rd_db_emit_notifications (self);

  if (generation == self->generation && PQstatus (self->conn) == CONNECTION_BAD)
    rd_db_lost (self);
}

static gboolean
rd_db_io_cb (RdDb         *self,
             GIOCondition  condition)
{
  g_object_ref (self);

  if (self->polling)
    rd_db_poll_connect (self);
  else if (self->conn != NULL)
    rd_db_run (self, (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)) != 0);

  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static void
rd_db_cancel_free (RdDbCancel *cancel)
{
  PQfreeCancel (cancel->cancel);
  g_free (cancel);
}

static void
rd_db_cancel_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  RdDbCancel *cancel = task_data;
  char message[256];

  if (!PQcancel (cancel->cancel, message, sizeof message))
    g_debug ("Could not cancel the statement: %s", message);

  g_task_return_boolean (task, TRUE);
}

static void
rd_db_cancel_done_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  RdDb *self = RD_DB (object);
  RdDbCancel *cancel = g_task_get_task_data (G_TASK (result));

  /* Only now may the next statement go: a cancel request that arrived late
   * would otherwise hit it instead of the one it was meant for. */
  if (cancel->generation != self->generation)
    return;

  self->cancel_running = FALSE;
  if (self->conn != NULL && !self->polling)
    rd_db_run (self, FALSE);
}

/* Asks the server to stop the statement on the wire, from a worker thread
 * because PQcancel() blocks while it opens a second connection. */
static void
rd_db_cancel_current (RdDb *self)
{
  g_autoptr(GTask) task = NULL;
  RdDbCancel *cancel;
  PGcancel *pg_cancel = PQgetCancel (self->conn);

  if (pg_cancel == NULL)
    return;

  cancel = g_new0 (RdDbCancel, 1);
  cancel->cancel = pg_cancel;
  cancel->generation = self->generation;
  self->cancel_running = TRUE;

  g_main_context_push_thread_default (self->context);
  task = g_task_new (self, NULL, rd_db_cancel_done_cb, NULL);
  g_main_context_pop_thread_default (self->context);

  g_task_set_source_tag (task, rd_db_cancel_current);
  g_task_set_task_data (task, cancel, (GDestroyNotify) rd_db_cancel_free);
  g_task_run_in_thread (task, rd_db_cancel_thread);
}

static gboolean
rd_db_op_cancelled_cb (GCancellable *cancellable,
                       gpointer      user_data)
{
  RdDbOp *op = user_data;
  RdDb *self = g_object_ref (op->db);
  g_autoptr(GTask) task = g_steal_pointer (&op->task);

  clear_source (&op->cancel_source);

  if (op == self->current)
    {
      /* Its results are drained and dropped when they come. */
      if (self->conn != NULL && !self->cancel_running)
        rd_db_cancel_current (self);
    }
  else if (g_queue_remove (&self->queue, op))
    {
      rd_db_op_free (op);
    }

  if (task != NULL)
    g_task_return_error_if_cancelled (task);

  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static gboolean
rd_db_waiter_cancelled_cb (GCancellable *cancellable,
                           gpointer      user_data)
{
  RdDbWaiter *waiter = user_data;
  RdDb *self = g_object_ref (waiter->db);
  g_autoptr(GTask) task = g_steal_pointer (&waiter->task);

  g_ptr_array_remove (self->waiters, waiter);

  /* Nobody waits for the first connection any more: give it up. */
  if (self->waiters->len == 0 && self->state == RD_DB_STATE_CONNECTING)
    {
      g_autoptr(GError) error = NULL;
      GQueue ops;

      error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                                   _("Connecting to the database was cancelled"));
      rd_db_take_ops (self, &ops);
      rd_db_drop_connection (self);
      rd_db_set_state (self, RD_DB_STATE_DISCONNECTED);
      rd_db_fail_ops (&ops, error);
    }

  g_task_return_error_if_cancelled (task);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

/* Drops the connection and fails everything pending with @error. */
static void
rd_db_shutdown (RdDb         *self,
                const GError *error)
{
  GQueue ops;

  rd_db_take_ops (self, &ops);
  rd_db_drop_connection (self);
  clear_source (&self->retry_source);
  self->backoff_ms = 0;
  self->state = RD_DB_STATE_DISCONNECTED;
  rd_db_finish_waiters (self, error);
  rd_db_fail_ops (&ops, error);
}

static void
rd_db_dispose (GObject *object)
{
  RdDb *self = (RdDb *) object;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                  _("Operation was cancelled"));

  rd_db_shutdown (self, error);

  G_OBJECT_CLASS (rd_db_parent_class)->dispose (object);
}

static void
rd_db_finalize (GObject *object)
{
  RdDb *self = (RdDb *) object;

  g_clear_pointer (&self->waiters, g_ptr_array_unref);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->fatal_message, g_free);
  g_clear_pointer (&self->conninfo, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (rd_db_parent_class)->finalize (object);
}

static void
rd_db_get_property (GObject    *object,
                    guint       prop_id,
                    GValue     *value,
                    GParamSpec *pspec)
{
  RdDb *self = RD_DB (object);

  switch (prop_id)
    {
    case PROP_CONNINFO:
      g_value_set_string (value, self->conninfo);
      break;

    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;

    case PROP_USER:
      g_value_set_string (value, self->user);
      break;

    case PROP_AUTO_RECONNECT:
      g_value_set_boolean (value, self->auto_reconnect);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_db_set_property (GObject      *object,
                    guint         prop_id,
                    const GValue *value,
                    GParamSpec   *pspec)
{
  RdDb *self = RD_DB (object);

  switch (prop_id)
    {
    case PROP_CONNINFO:
      self->conninfo = g_value_dup_string (value);
      break;

    case PROP_AUTO_RECONNECT:
      rd_db_set_auto_reconnect (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_db_class_init (RdDbClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_db_dispose;
  object_class->finalize = rd_db_finalize;
  object_class->get_property = rd_db_get_property;
  object_class->set_property = rd_db_set_property;

  /**
   * RdDb:conninfo:
   *
   * A libpq conninfo string or URI; NULL or empty uses libpq's defaults.
   */
  properties[PROP_CONNINFO] =
    g_param_spec_string ("conninfo", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL,
                       RD_TYPE_DB_STATE,
                       RD_DB_STATE_DISCONNECTED,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_AUTO_RECONNECT] =
    g_param_spec_boolean ("auto-reconnect", NULL, NULL,
                          TRUE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * RdDb::notification:
   * @channel: the NOTIFY channel (also the signal's detail)
   * @payload: the payload, "" when none
   */
  signals[NOTIFICATION] =
    g_signal_new ("notification",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
rd_db_init (RdDb *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->state = RD_DB_STATE_DISCONNECTED;
  self->auto_reconnect = TRUE;
  self->io_fd = -1;
  self->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_db_waiter_free);
  self->channels = g_ptr_array_new_with_free_func (g_free);
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_queue_init (&self->queue);
}

RdDb *
rd_db_new (const char *conninfo)
{
  return g_object_new (RD_TYPE_DB, "conninfo", conninfo, NULL);
}

const char *
rd_db_get_conninfo (RdDb *self)
{
  g_return_val_if_fail (RD_IS_DB (self), NULL);

  return self->conninfo;
}

RdDbState
rd_db_get_state (RdDb *self)
{
  g_return_val_if_fail (RD_IS_DB (self), RD_DB_STATE_DISCONNECTED);

  return self->state;
}

const char *
rd_db_get_user (RdDb *self)
{
  g_return_val_if_fail (RD_IS_DB (self), NULL);

  return self->user;
}

gboolean
rd_db_get_auto_reconnect (RdDb *self)
{
  g_return_val_if_fail (RD_IS_DB (self), FALSE);

  return self->auto_reconnect;
}

void
rd_db_set_auto_reconnect (RdDb     *self,
                          gboolean  auto_reconnect)
{
  g_return_if_fail (RD_IS_DB (self));

  auto_reconnect = !!auto_reconnect;
  if (self->auto_reconnect == auto_reconnect)
    return;

  self->auto_reconnect = auto_reconnect;

  /* Waiting for the next attempt: stop waiting. */
  if (!auto_reconnect && self->state == RD_DB_STATE_RECONNECTING && self->retry_source != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                                                     _("Not connected to the database"));

      clear_source (&self->retry_source);
      rd_db_finish_waiters (self, error);
      rd_db_set_state (self, RD_DB_STATE_DISCONNECTED);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTO_RECONNECT]);
}

void
rd_db_connect_async (RdDb                *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RdDbWaiter *waiter;

  g_return_if_fail (RD_IS_DB (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_db_connect_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  if (self->state == RD_DB_STATE_CONNECTED)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  waiter = g_new0 (RdDbWaiter, 1);
  waiter->db = self;
  waiter->task = g_steal_pointer (&task);
  waiter->cancel_source = rd_db_attach_cancellable (self, cancellable,
                                                    (GSourceFunc) (void (*) (void))
                                                    rd_db_waiter_cancelled_cb,
                                                    waiter);
  g_ptr_array_add (self->waiters, waiter);

  switch (self->state)
    {
    case RD_DB_STATE_DISCONNECTED:
      self->backoff_ms = 0;
      rd_db_set_state (self, RD_DB_STATE_CONNECTING);
      if (self->state == RD_DB_STATE_CONNECTING && self->conn == NULL)
        rd_db_start_connect (self);
      break;

    case RD_DB_STATE_RECONNECTING:
      /* Somebody wants the database now: skip the rest of the back-off. */
      if (self->retry_source != NULL)
        {
          clear_source (&self->retry_source);
          rd_db_start_connect (self);
        }
      break;

    case RD_DB_STATE_CONNECTING:
    case RD_DB_STATE_CONNECTED:
    default:
      break;
    }
}

gboolean
rd_db_connect_finish (RdDb          *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rd_db_sync_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Iterates the connection's context until @result is set. The context must
 * belong to this thread (or be free): sync calls run where the RdDb lives. */
static void
rd_db_sync_wait (RdDb          *self,
                 GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (self->context, TRUE);
}

gboolean
rd_db_connect_sync (RdDb          *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (RD_IS_DB (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);

  g_main_context_push_thread_default (self->context);
  rd_db_connect_async (self, cancellable, rd_db_sync_cb, &result);
  rd_db_sync_wait (self, &result);
  g_main_context_pop_thread_default (self->context);

  return rd_db_connect_finish (self, result, error);
}

void
rd_db_close (RdDb *self)
{
  g_autoptr(GError) error = NULL;
  RdDbState old_state;

  g_return_if_fail (RD_IS_DB (self));

  g_object_ref (self);

  old_state = self->state;
  error = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                               _("The connection to the database was closed"));
  rd_db_shutdown (self, error);

  if (old_state != RD_DB_STATE_DISCONNECTED)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  g_object_unref (self);
}

/* Queues @op, or fails it at once when there is no connection to wait for. */
static void
rd_db_submit (RdDb   *self,
              RdDbOp *op)
{
  const char *message = NULL;

  switch (self->state)
    {
    case RD_DB_STATE_DISCONNECTED:
      message = _("Not connected to the database");
      break;

    case RD_DB_STATE_RECONNECTING:
      message = _("The connection to the database was lost; reconnecting");
      break;

    case RD_DB_STATE_CONNECTING:
    case RD_DB_STATE_CONNECTED:
    default:
      break;
    }

  if (message != NULL)
    {
      g_autoptr(GError) error = g_error_new_literal (RD_STORE_ERROR,
                                                     RD_STORE_ERROR_CONNECTION,
                                                     message);
      rd_db_op_fail (op, error);
      return;
    }

  g_queue_push_tail (&self->queue, op);

  if (self->state == RD_DB_STATE_CONNECTED && self->current == NULL && self->conn != NULL)
    rd_db_run (self, FALSE);
}

static void
rd_db_submit_query (RdDb                *self,
                    const char          *sql,
                    gboolean             prepared,
                    guint                n_params,
                    const char * const  *params,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RdDbOp *op;

  g_return_if_fail (RD_IS_DB (self));
  g_return_if_fail (sql != NULL);
  g_return_if_fail (n_params == 0 || params != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_db_query_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  op = rd_db_op_new (self, OP_QUERY, sql);
  op->prepared = prepared;
  op->n_params = n_params;
  op->params = g_new0 (char *, n_params + 1);
  for (guint i = 0; i < n_params; i++)
    op->params[i] = g_strdup (params[i]);
  op->task = g_steal_pointer (&task);
  op->cancel_source = rd_db_attach_cancellable (self, cancellable,
                                                (GSourceFunc) (void (*) (void))
                                                rd_db_op_cancelled_cb,
                                                op);
  rd_db_submit (self, op);
}

void
rd_db_query_async (RdDb                *self,
                   const char          *sql,
                   guint                n_params,
                   const char * const  *params,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  rd_db_submit_query (self, sql, FALSE, n_params, params, cancellable, callback, user_data);
}

void
rd_db_query_prepared_async (RdDb                *self,
                            const char          *sql,
                            guint                n_params,
                            const char * const  *params,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  rd_db_submit_query (self, sql, TRUE, n_params, params, cancellable, callback, user_data);
}

RdResult *
rd_db_query_finish (RdDb          *self,
                    GAsyncResult  *result,
                    GError       **error)
{
  g_return_val_if_fail (RD_IS_DB (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static RdResult *
rd_db_run_query_sync (RdDb                *self,
                      const char          *sql,
                      gboolean             prepared,
                      guint                n_params,
                      const char * const  *params,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (RD_IS_DB (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);
  g_return_val_if_fail (n_params == 0 || params != NULL, NULL);

  g_main_context_push_thread_default (self->context);
  rd_db_submit_query (self, sql, prepared, n_params, params, cancellable, rd_db_sync_cb,
                      &result);
  rd_db_sync_wait (self, &result);
  g_main_context_pop_thread_default (self->context);

  return rd_db_query_finish (self, result, error);
}

RdResult *
rd_db_query_sync (RdDb                *self,
                  const char          *sql,
                  guint                n_params,
                  const char * const  *params,
                  GCancellable        *cancellable,
                  GError             **error)
{
  return rd_db_run_query_sync (self, sql, FALSE, n_params, params, cancellable, error);
}

RdResult *
rd_db_query_prepared_sync (RdDb                *self,
                           const char          *sql,
                           guint                n_params,
                           const char * const  *params,
                           GCancellable        *cancellable,
                           GError             **error)
{
  return rd_db_run_query_sync (self, sql, TRUE, n_params, params, cancellable, error);
}

static void
rd_db_exec_script_async (RdDb                *self,
                         const char          *script,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RdDbOp *op;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_db_exec_script_async);

  if (g_task_return_error_if_cancelled (task))
    return;

  op = rd_db_op_new (self, OP_SCRIPT, script);
  op->task = g_steal_pointer (&task);
  op->cancel_source = rd_db_attach_cancellable (self, cancellable,
                                                (GSourceFunc) (void (*) (void))
                                                rd_db_op_cancelled_cb,
                                                op);
  rd_db_submit (self, op);
}

gboolean
rd_db_exec_script_sync (RdDb          *self,
                        const char    *script,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (RD_IS_DB (self), FALSE);
  g_return_val_if_fail (script != NULL, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);

  g_main_context_push_thread_default (self->context);
  rd_db_exec_script_async (self, script, cancellable, rd_db_sync_cb, &result);
  rd_db_sync_wait (self, &result);
  g_main_context_pop_thread_default (self->context);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rd_db_listen (RdDb       *self,
              const char *channel)
{
  g_return_if_fail (RD_IS_DB (self));
  g_return_if_fail (channel != NULL && *channel != '\0');

  for (guint i = 0; i < self->channels->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (self->channels, i), channel))
        return;
    }

  g_ptr_array_add (self->channels, g_strdup (channel));

  /* Otherwise the next successful connect issues it. */
  if (self->state == RD_DB_STATE_CONNECTED)
    rd_db_submit (self, rd_db_op_new (self, OP_LISTEN, channel));
}

char *
rd_db_encrypt_password (RdDb        *self,
                        const char  *user,
                        const char  *password,
                        GError     **error)
{
  char *encrypted;
  char *copy;

  g_return_val_if_fail (RD_IS_DB (self), NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->conn == NULL || self->state != RD_DB_STATE_CONNECTED)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                           _("Not connected to the database"));
      return NULL;
    }

  /* With the algorithm named, libpq computes it locally: no round trip. */
  encrypted = PQencryptPasswordConn (self->conn, password, user, "scram-sha-256");
  if (encrypted == NULL)
    {
      g_autofree char *message = rd_store_error_one_line (PQerrorMessage (self->conn));

      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED, message);
      return NULL;
    }

  copy = g_strdup (encrypted);
  PQfreemem (encrypted);

  return copy;
}
