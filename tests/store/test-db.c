/* test-db.c: RdDb against a real server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "rd-test-pg.h"

#define NOBODY "rd_test_nobody"
#define NOBODY_PASSWORD "nobody pw ✓"

/* Iterates the default context until @done is set, or fails the test after
 * @timeout_ms. */
static gboolean
timeout_cb (gpointer data)
{
  gboolean *timed_out = data;

  *timed_out = TRUE;

  return G_SOURCE_REMOVE;
}

static void
iterate_until (const gboolean *done,
               guint           timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  g_assert_true (*done);
}

static void
set_flag_once (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* Runs the main context for @ms. */
static void
spin (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add_once (ms, set_flag_once, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static RdResult *
query (RdDb               *db,
       const char         *sql,
       guint               n_params,
       const char * const *params)
{
  g_autoptr(GError) error = NULL;
  RdResult *result;

  result = rd_db_query_sync (db, sql, n_params, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);

  return result;
}

static void
exec (RdDb       *db,
      const char *script)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_db_exec_script_sync (db, script, NULL, &error));
  g_assert_no_error (error);
}

static gint64
query_int (RdDb       *db,
           const char *sql)
{
  g_autoptr(RdResult) result = query (db, sql, 0, NULL);

  return rd_result_get_int64 (result, 0, 0);
}

static void
assert_query_fails (RdDb         *db,
                    const char   *sql,
                    RdStoreError  code,
                    const char   *sqlstate,
                    const char   *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) result = NULL;

  result = rd_db_query_sync (db, sql, 0, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, RD_STORE_ERROR, (int) code);
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, sqlstate);
  g_assert_nonnull (strstr (error->message, message_part));
  g_assert_null (strchr (error->message, '\n'));
}

static void
ensure_nobody (void)
{
  static gboolean created;
  g_autoptr(RdDb) db = NULL;

  if (created)
    return;

  db = rd_test_pg_connect (NULL, NULL);
  exec (db,
        "CREATE ROLE " NOBODY " LOGIN PASSWORD '" NOBODY_PASSWORD "';"
        "CREATE TABLE t_secret (x int);");
  created = TRUE;
}

static void
test_query_params (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(RdResult) insert = NULL;
  const char * const params[] = { NULL, "挂号台 ✓ \"'\\ 𝄞", "42" };

  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_CONNECTED);
  g_assert_cmpstr (rd_db_get_user (db), ==, RD_CLUSTER_OWNER);

  result = query (db,
                  "SELECT $1::text IS NULL AS p_null, $2::text AS text, $3::int + 1 AS n, "
                  "NULL::int AS nothing, 2.5::float8 AS d, true AS b, $1::text AS null_back",
                  G_N_ELEMENTS (params), params);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);
  g_assert_cmpuint (rd_result_get_n_columns (result), ==, 7);
  g_assert_cmpint (rd_result_get_column (result, "text"), ==, 1);
  g_assert_cmpint (rd_result_get_column (result, "missing"), ==, -1);
  g_assert_cmpstr (rd_result_get_column_name (result, 2), ==, "n");
  g_assert_true (rd_result_get_boolean (result, 0, 0));
  g_assert_cmpstr (rd_result_get_string (result, 0, 1), ==, params[1]);
  g_assert_cmpint (rd_result_get_int64 (result, 0, 2), ==, 43);
  g_assert_true (rd_result_is_null (result, 0, 3));
  g_assert_null (rd_result_get_string (result, 0, 3));
  g_assert_cmpfloat (rd_result_get_double (result, 0, 4), ==, 2.5);
  g_assert_true (rd_result_get_boolean (result, 0, 5));
  g_assert_true (rd_result_is_null (result, 0, 6));
  g_assert_cmpuint (rd_result_get_n_affected (result), ==, 0);

  exec (db, "CREATE TABLE t_affected (x int)");
  insert = query (db, "INSERT INTO t_affected SELECT generate_series(1, 3)", 0, NULL);
  g_assert_cmpuint (rd_result_get_n_affected (insert), ==, 3);
  g_assert_cmpuint (rd_result_get_n_rows (insert), ==, 0);

  /* The server's time zone is the hospital's. */
  g_clear_pointer (&result, rd_result_unref);
  result = query (db, "SELECT current_setting('TimeZone')", 0, NULL);
  g_assert_cmpstr (rd_result_get_string (result, 0, 0), ==, "Asia/Shanghai");
}

static void
test_errors (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) nobody = NULL;

  ensure_nobody ();

  exec (db, "CREATE TABLE t_unique (id int PRIMARY KEY); INSERT INTO t_unique VALUES (1);");
  assert_query_fails (db, "INSERT INTO t_unique VALUES (1)", RD_STORE_ERROR_CONFLICT, "23505",
                      "duplicate key value violates unique constraint");
  assert_query_fails (db, "SELEC 1", RD_STORE_ERROR_FAILED, "42601", "syntax error");
  assert_query_fails (db, "SELECT 1 / 0", RD_STORE_ERROR_INVALID, "22012", "division by zero");
  assert_query_fails (db, "INSERT INTO t_unique VALUES (NULL)", RD_STORE_ERROR_INVALID, "23502",
                      "null value");
  assert_query_fails (db, "SELECT * FROM no_such_table", RD_STORE_ERROR_SCHEMA, "42P01",
                      "no_such_table");
  assert_query_fails (db, "SELECT no_such_function()", RD_STORE_ERROR_SCHEMA, "42883",
                      "no_such_function");
  assert_query_fails (db,
                      "DO $$ BEGIN RAISE EXCEPTION '号源已满' USING ERRCODE = 'RD001', "
                      "DETAIL = 'quota 30'; END $$",
                      RD_STORE_ERROR_REJECTED, "RD001", "号源已满 (quota 30)");

  nobody = rd_test_pg_connect (NOBODY, NOBODY_PASSWORD);
  g_assert_cmpstr (rd_db_get_user (nobody), ==, NOBODY);
  assert_query_fails (nobody, "SELECT * FROM t_secret", RD_STORE_ERROR_PERMISSION, "42501",
                      "permission denied");

  /* Errors leave the sessions usable. */
  g_assert_cmpint (query_int (db, "SELECT 5"), ==, 5);
  g_assert_cmpint (query_int (nobody, "SELECT 6"), ==, 6);
}

static void
assert_connect_fails (const char   *conninfo,
                      RdStoreError  code)
{
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(GError) error = NULL;

  g_assert_false (rd_db_connect_sync (db, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, (int) code);
  g_test_message ("%s → %s", conninfo, error->message);
  g_assert_cmpstr (error->message, !=, "");
  g_assert_null (strchr (error->message, '\n'));
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);

  /* A failed first connect does not start reconnecting. */
  spin (400);
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);
}

static void
test_connect_errors (void)
{
  g_autofree char *wrong_password = NULL;
  g_autofree char *no_password = NULL;
  g_autofree char *no_role = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *no_database = NULL;
  g_autoptr(RdDb) db = rd_db_new ("host=/nonexistent-rd");
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;

  ensure_nobody ();

  assert_connect_fails ("host=/nonexistent-rd port=5432 dbname=regdesk",
                        RD_STORE_ERROR_CONNECTION);
  assert_connect_fails ("host=/nonexistent-rd =broken", RD_STORE_ERROR_CONNECTION);
  assert_connect_fails ("postgresql://[broken", RD_STORE_ERROR_CONNECTION);

  wrong_password = rd_test_pg_conninfo (NOBODY, "wrong");
  assert_connect_fails (wrong_password, RD_STORE_ERROR_AUTH);
  no_password = rd_test_pg_conninfo (NOBODY, NULL);
  assert_connect_fails (no_password, RD_STORE_ERROR_AUTH);
  no_role = rd_test_pg_conninfo ("rd_no_such_role", "x");
  assert_connect_fails (no_role, RD_STORE_ERROR_AUTH);
  owner = rd_test_pg_conninfo (NULL, NULL);
  no_database = g_strconcat (owner, " dbname=rd_no_such_db", NULL);
  assert_connect_fails (no_database, RD_STORE_ERROR_CONNECTION);

  /* Queries without a connection fail at once. */
  result = rd_db_query_sync (db, "SELECT 1", 0, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);
}

static void
test_conninfo_forms (void)
{
  RdCluster *cluster = rd_test_pg_get ();
  const char *dir = rd_cluster_get_socket_dir (cluster);
  g_autofree char *uri = NULL;
  g_autofree char *multi = NULL;
  g_autoptr(RdDb) by_uri = NULL;
  g_autoptr(RdDb) by_multi = NULL;
  g_autoptr(RdDb) by_env = NULL;
  g_autoptr(GError) error = NULL;

  uri = g_strdup_printf ("postgresql:///regdesk?host=%s&port=5432&user=" RD_CLUSTER_OWNER, dir);
  by_uri = rd_db_new (uri);
  g_assert_true (rd_db_connect_sync (by_uri, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (by_uri, "SELECT 11"), ==, 11);

  /* The first host is down: libpq moves on, on another socket. */
  multi = g_strdup_printf ("host=/nonexistent-rd,%s port=5432,5432 dbname=regdesk user="
                           RD_CLUSTER_OWNER " target_session_attrs=read-write", dir);
  by_multi = rd_db_new (multi);
  g_assert_true (rd_db_connect_sync (by_multi, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (by_multi, "SELECT 12"), ==, 12);

  /* No conninfo: the PG* environment. */
  g_setenv ("PGHOST", dir, TRUE);
  g_setenv ("PGPORT", "5432", TRUE);
  g_setenv ("PGDATABASE", "regdesk", TRUE);
  g_setenv ("PGUSER", RD_CLUSTER_OWNER, TRUE);
  by_env = rd_db_new (NULL);
  g_assert_true (rd_db_connect_sync (by_env, NULL, &error));
  g_assert_no_error (error);
  g_unsetenv ("PGHOST");
  g_unsetenv ("PGPORT");
  g_unsetenv ("PGDATABASE");
  g_unsetenv ("PGUSER");
  g_assert_cmpstr (rd_db_get_user (by_env), ==, RD_CLUSTER_OWNER);
  g_assert_cmpint (query_int (by_env, "SELECT 13"), ==, 13);
}

typedef struct
{
  GMainLoop *loop;
  GArray    *states;
  gint64     backend_pid;
  GError    *error;
} AsyncData;

static void
state_cb (RdDb       *db,
          GParamSpec *pspec,
          GArray     *states)
{
  RdDbState state = rd_db_get_state (db);

  g_array_append_val (states, state);
}

static void
async_query_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncData *data = user_data;
  g_autoptr(RdResult) rows = rd_db_query_finish (RD_DB (object), result, &data->error);

  if (rows != NULL)
    data->backend_pid = rd_result_get_int64 (rows, 0, 0);
  g_main_loop_quit (data->loop);
}

static void
async_connect_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  AsyncData *data = user_data;

  if (!rd_db_connect_finish (RD_DB (object), result, &data->error))
    {
      g_main_loop_quit (data->loop);
      return;
    }

  rd_db_query_async (RD_DB (object), "SELECT pg_backend_pid()", 0, NULL, NULL,
                     async_query_cb, data);
}

static void
test_async_main_loop (void)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (RdDbState));
  AsyncData data = { loop, states, 0, NULL };

  g_signal_connect (db, "notify::state", G_CALLBACK (state_cb), states);
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);

  rd_db_connect_async (db, NULL, async_connect_cb, &data);
  g_main_loop_run (loop);

  g_assert_no_error (data.error);
  g_assert_cmpint (data.backend_pid, >, 0);
  g_assert_cmpuint (states->len, ==, 2);
  g_assert_cmpint (g_array_index (states, RdDbState, 0), ==, RD_DB_STATE_CONNECTING);
  g_assert_cmpint (g_array_index (states, RdDbState, 1), ==, RD_DB_STATE_CONNECTED);

  /* Connecting again is a no-op. */
  g_assert_true (rd_db_connect_sync (db, NULL, &data.error));
  g_assert_no_error (data.error);
  g_assert_cmpuint (states->len, ==, 2);
}

typedef struct
{
  RdDb      *db;
  GMainLoop *loop;
  gint64     value;
} NestedData;

static gboolean
nested_sync_cb (gpointer user_data)
{
  NestedData *data = user_data;

  /* A _sync call while a main loop runs on the same context. */
  data->value = query_int (data->db, "SELECT 77");
  g_main_loop_quit (data->loop);

  return G_SOURCE_REMOVE;
}

static void
test_sync_inside_loop (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  NestedData data = { db, loop, 0 };

  g_idle_add (nested_sync_cb, &data);
  g_main_loop_run (loop);

  g_assert_cmpint (data.value, ==, 77);
}

typedef struct
{
  GArray *order;
  guint   n_done;
  guint   n_failed;
} OrderData;

static void
order_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  OrderData *data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) rows = rd_db_query_finish (RD_DB (object), result, &error);
  int value = -1;

  if (rows != NULL)
    value = (int) rd_result_get_int64 (rows, 0, 0);
  else
    data->n_failed++;

  g_array_append_val (data->order, value);
  data->n_done++;
}

static void
test_queue_order (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (int));
  OrderData data = { order, 0, 0 };
  const guint n = 60;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *value = g_strdup_printf ("%u", i);
      const char * const params[] = { value };

      /* A failure in the middle changes nothing for the others. */
      if (i == 30)
        rd_db_query_async (db, "SELECT 1 / 0", 0, NULL, NULL, order_cb, &data);
      else
        rd_db_query_async (db, "SELECT $1::int", 1, params, NULL, order_cb, &data);
    }

  while (data.n_done < n)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (data.n_failed, ==, 1);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (order, int, i), ==, i == 30 ? -1 : (int) i);
}

typedef struct
{
  GError  *error;
  RdResult *result;
  gboolean  done;
  gint64    finished_at;
} QueryData;

static void
query_data_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  QueryData *data = user_data;

  data->result = rd_db_query_finish (RD_DB (object), result, &data->error);
  data->done = TRUE;
  data->finished_at = g_get_monotonic_time ();
}

static void
query_data_clear (QueryData *data)
{
  g_clear_error (&data->error);
  g_clear_pointer (&data->result, rd_result_unref);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);

  return G_SOURCE_REMOVE;
}

static void
test_cancel (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) queued_cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) pre_cancelled = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) result = NULL;
  QueryData sleeping = { 0 };
  QueryData after = { 0 };
  QueryData first = { 0 };
  QueryData queued = { 0 };
  QueryData last = { 0 };
  gint64 start = g_get_monotonic_time ();

  /* On the wire: the task says CANCELLED at once, the server stops, and the
   * statement queued behind it is not hit by the cancel request. */
  rd_db_query_async (db, "SELECT pg_sleep(20)", 0, NULL, cancellable, query_data_cb, &sleeping);
  rd_db_query_async (db, "SELECT 7", 0, NULL, NULL, query_data_cb, &after);
  g_timeout_add (200, cancel_cb, cancellable);

  iterate_until (&sleeping.done, 5000);
  g_assert_error (sleeping.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (sleeping.finished_at - start, <, 2 * G_USEC_PER_SEC);

  iterate_until (&after.done, 10000);
  g_assert_no_error (after.error);
  g_assert_cmpint (rd_result_get_int64 (after.result, 0, 0), ==, 7);
  g_assert_cmpint (after.finished_at - start, <, 5 * G_USEC_PER_SEC);

  /* Still queued: dropped without reaching the server. */
  rd_db_query_async (db, "SELECT pg_sleep(0.3), 1", 0, NULL, NULL, query_data_cb, &first);
  rd_db_query_async (db, "SELECT 2", 0, NULL, queued_cancellable, query_data_cb, &queued);
  rd_db_query_async (db, "SELECT 3", 0, NULL, NULL, query_data_cb, &last);
  g_cancellable_cancel (queued_cancellable);
  iterate_until (&last.done, 5000);
  g_assert_true (queued.done);
  g_assert_error (queued.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (queued.finished_at < first.finished_at);
  g_assert_no_error (first.error);
  g_assert_no_error (last.error);
  g_assert_cmpint (rd_result_get_int64 (last.result, 0, 0), ==, 3);

  /* Already cancelled. */
  g_cancellable_cancel (pre_cancelled);
  result = rd_db_query_sync (db, "SELECT 1", 0, NULL, pre_cancelled, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* A blocking call cancelled from elsewhere. */
  g_cancellable_reset (cancellable);
  g_timeout_add (100, cancel_cb, cancellable);
  start = g_get_monotonic_time ();
  result = rd_db_query_sync (db, "SELECT pg_sleep(20)", 0, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpint (query_int (db, "SELECT 8"), ==, 8);

  query_data_clear (&sleeping);
  query_data_clear (&after);
  query_data_clear (&first);
  query_data_clear (&queued);
  query_data_clear (&last);
}

typedef struct
{
  GPtrArray *channels;
  GPtrArray *payloads;
  guint      n_detailed;
} NotifyData;

static void
notification_cb (RdDb       *db,
                 const char *channel,
                 const char *payload,
                 NotifyData *data)
{
  g_ptr_array_add (data->channels, g_strdup (channel));
  g_ptr_array_add (data->payloads, g_strdup (payload));
}

static void
detailed_cb (RdDb       *db,
             const char *channel,
             const char *payload,
             NotifyData *data)
{
  g_assert_cmpstr (channel, ==, "rd_change");
  data->n_detailed++;
}

static void
notify_data_init (NotifyData *data)
{
  data->channels = g_ptr_array_new_with_free_func (g_free);
  data->payloads = g_ptr_array_new_with_free_func (g_free);
  data->n_detailed = 0;
}

static void
notify_data_clear (NotifyData *data)
{
  g_clear_pointer (&data->channels, g_ptr_array_unref);
  g_clear_pointer (&data->payloads, g_ptr_array_unref);
}

static gboolean
has_payload (NotifyData *data,
             const char *payload)
{
  for (guint i = 0; i < data->payloads->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (data->payloads, i), payload))
        return TRUE;
    }

  return FALSE;
}

static void
wait_for_payload (NotifyData *data,
                  const char *payload)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!has_payload (data, payload) && g_get_monotonic_time () < deadline)
    spin (10);

  g_assert_true (has_payload (data, payload));
}

static void
notify (RdDb       *sender,
        const char *channel,
        const char *payload)
{
  const char * const params[] = { channel, payload };
  g_autoptr(RdResult) result = query (sender, "SELECT pg_notify($1, $2)", 2, params);
}

static void
test_listen_notify (void)
{
  g_autoptr(RdDb) listener = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) sender = rd_test_pg_connect (NULL, NULL);
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(RdDb) early = rd_db_new (conninfo);
  g_autoptr(GError) error = NULL;
  NotifyData data;
  NotifyData early_data;

  notify_data_init (&data);
  notify_data_init (&early_data);

  g_signal_connect (listener, "notification", G_CALLBACK (notification_cb), &data);
  g_signal_connect (listener, "notification::rd_change", G_CALLBACK (detailed_cb), &data);
  rd_db_listen (listener, "rd_change");
  rd_db_listen (listener, "Weird \"Chan\"; DROP");
  rd_db_listen (listener, "rd_change");
  /* Queries run in order: once this returns, the LISTENs are done. */
  g_assert_cmpint (query_int (listener, "SELECT 1"), ==, 1);

  notify (sender, "rd_change", "session:1:2");
  notify (sender, "Weird \"Chan\"; DROP", "quoted");
  notify (sender, "not_listened", "ignored");
  wait_for_payload (&data, "quoted");
  wait_for_payload (&data, "session:1:2");
  g_assert_cmpuint (data.channels->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (data.channels, 0), ==, "rd_change");
  g_assert_cmpstr (g_ptr_array_index (data.channels, 1), ==, "Weird \"Chan\"; DROP");
  g_assert_cmpuint (data.n_detailed, ==, 1);

  /* Listening before connecting: LISTEN goes out on connect. */
  g_signal_connect (early, "notification", G_CALLBACK (notification_cb), &early_data);
  rd_db_listen (early, "early");
  g_assert_true (rd_db_connect_sync (early, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (early, "SELECT 1"), ==, 1);
  notify (sender, "early", "");
  notify (sender, "early", "second");
  wait_for_payload (&early_data, "second");
  g_assert_cmpuint (early_data.payloads->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (early_data.payloads, 0), ==, "");

  notify_data_clear (&data);
  notify_data_clear (&early_data);
}

static gboolean
saw_reconnect (GArray *states)
{
  gboolean reconnecting = FALSE;

  for (guint i = 0; i < states->len; i++)
    {
      RdDbState state = g_array_index (states, RdDbState, i);

      if (state == RD_DB_STATE_RECONNECTING)
        reconnecting = TRUE;
      else if (state == RD_DB_STATE_CONNECTED && reconnecting)
        return TRUE;
    }

  return FALSE;
}

static void
wait_reconnected (GArray *states)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!saw_reconnect (states) && g_get_monotonic_time () < deadline)
    spin (20);

  g_assert_true (saw_reconnect (states));
}

static void
terminate (RdDb   *killer,
           gint64  pid)
{
  g_autofree char *pid_text = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  const char * const params[] = { pid_text };
  g_autoptr(RdResult) result = query (killer, "SELECT pg_terminate_backend($1::int)", 1, params);

  g_assert_true (rd_result_get_boolean (result, 0, 0));
}

static void
test_reconnect (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) other = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (RdDbState));
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) result = NULL;
  QueryData running = { 0 };
  QueryData queued = { 0 };
  NotifyData data;
  gint64 pid;
  gint64 new_pid;

  notify_data_init (&data);
  g_signal_connect (db, "notify::state", G_CALLBACK (state_cb), states);
  g_signal_connect (db, "notification", G_CALLBACK (notification_cb), &data);
  g_assert_true (rd_db_get_auto_reconnect (db));
  rd_db_listen (db, "rd_change");
  pid = query_int (db, "SELECT pg_backend_pid()");

  /* Killed while idle. */
  terminate (other, pid);
  wait_reconnected (states);
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_CONNECTED);
  new_pid = query_int (db, "SELECT pg_backend_pid()");
  g_assert_cmpint (new_pid, !=, pid);

  /* LISTEN was issued again. */
  notify (other, "rd_change", "after reconnect");
  wait_for_payload (&data, "after reconnect");

  /* Killed with a statement on the wire and one queued: both fail, neither
   * is retried. */
  g_array_set_size (states, 0);
  rd_db_query_async (db, "SELECT pg_sleep(20)", 0, NULL, NULL, query_data_cb, &running);
  rd_db_query_async (db, "SELECT 1", 0, NULL, NULL, query_data_cb, &queued);
  spin (100);
  terminate (other, new_pid);
  iterate_until (&queued.done, 5000);
  g_assert_true (running.done);
  g_assert_error (running.error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);
  g_assert_error (queued.error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);
  g_assert_null (strchr (queued.error->message, '\n'));

  /* Meanwhile, queries fail at once rather than wait. */
  if (rd_db_get_state (db) == RD_DB_STATE_RECONNECTING)
    {
      result = rd_db_query_sync (db, "SELECT 1", 0, NULL, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);
      g_clear_error (&error);
    }
  wait_reconnected (states);
  g_assert_cmpint (query_int (db, "SELECT 9"), ==, 9);

  /* Without auto-reconnect, a lost connection stays lost. */
  rd_db_set_auto_reconnect (db, FALSE);
  g_array_set_size (states, 0);
  terminate (other, query_int (db, "SELECT pg_backend_pid()"));
  while (rd_db_get_state (db) == RD_DB_STATE_CONNECTED)
    spin (20);
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);
  spin (600);
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);

  query_data_clear (&running);
  query_data_clear (&queued);
  notify_data_clear (&data);
}

static void
test_script (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) begin = NULL;
  g_autoptr(GError) error = NULL;

  exec (db,
        "CREATE TABLE s1 (x int);\n"
        "INSERT INTO s1 VALUES (1);\n"
        "INSERT INTO s1 VALUES (2);\n"
        "-- a comment at the end");
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM s1"), ==, 2);

  /* Fails on the first error; the transaction it opened is rolled back. */
  g_assert_false (rd_db_exec_script_sync (db,
                                          "BEGIN;\n"
                                          "CREATE TABLE s2 (x int);\n"
                                          "SELECT 1 / 0;\n"
                                          "CREATE TABLE s2_never (x int);\n"
                                          "COMMIT;",
                                          NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (query_int (db, "SELECT (to_regclass('s2') IS NULL)::int"), ==, 1);
  g_assert_cmpint (query_int (db, "SELECT (to_regclass('s2_never') IS NULL)::int"), ==, 1);

  /* Without BEGIN: one implicit transaction. */
  g_assert_false (rd_db_exec_script_sync (db, "CREATE TABLE s3 (x int); SELEC 1;", NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, "42601");
  g_clear_error (&error);
  g_assert_cmpint (query_int (db, "SELECT (to_regclass('s3') IS NULL)::int"), ==, 1);

  /* A transaction the caller opened is the caller's. */
  begin = query (db, "BEGIN", 0, NULL);
  g_assert_false (rd_db_exec_script_sync (db, "SELECT 1 / 0", NULL, &error));
  g_clear_error (&error);
  g_assert_null (rd_db_query_sync (db, "SELECT 1", 0, NULL, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, "25P02");
  g_clear_error (&error);
  exec (db, "ROLLBACK");
  g_assert_cmpint (query_int (db, "SELECT 4"), ==, 4);
}

static void
test_encrypt_password (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) scram = NULL;
  g_autoptr(RdDb) closed = rd_db_new ("host=/nonexistent-rd");
  g_autoptr(RdResult) statement = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *verifier = NULL;
  g_autofree char *none = NULL;
  g_autofree char *wrong = NULL;

  verifier = rd_db_encrypt_password (db, "rd_test_scram", "s3cret ✓", &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (verifier, "SCRAM-SHA-256$"));
  g_assert_null (strstr (verifier, "s3cret"));

  {
    const char * const params[] = { verifier };

    statement = query (db,
                       "SELECT format('CREATE ROLE rd_test_scram LOGIN PASSWORD %L', $1::text)",
                       1, params);
  }
  exec (db, rd_result_get_string (statement, 0, 0));

  scram = rd_test_pg_connect ("rd_test_scram", "s3cret ✓");
  g_assert_cmpstr (rd_db_get_user (scram), ==, "rd_test_scram");

  wrong = rd_test_pg_conninfo ("rd_test_scram", "s3cret");
  assert_connect_fails (wrong, RD_STORE_ERROR_AUTH);

  none = rd_db_encrypt_password (closed, "x", "y", &error);
  g_assert_null (none);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);
}

static void
test_close (void)
{
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (RdDbState));
  g_autoptr(GError) error = NULL;
  QueryData running = { 0 };
  QueryData queued = { 0 };

  g_signal_connect (db, "notify::state", G_CALLBACK (state_cb), states);
  rd_db_query_async (db, "SELECT pg_sleep(5)", 0, NULL, NULL, query_data_cb, &running);
  rd_db_query_async (db, "SELECT 1", 0, NULL, NULL, query_data_cb, &queued);
  rd_db_close (db);

  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);
  g_assert_cmpuint (states->len, ==, 1);
  iterate_until (&queued.done, 1000);
  g_assert_true (running.done);
  g_assert_error (running.error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);
  g_assert_error (queued.error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);

  /* It can connect again. */
  g_assert_true (rd_db_connect_sync (db, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (db, "SELECT 10"), ==, 10);

  /* Queries queued while connecting run once connected. */
  rd_db_close (db);
  {
    QueryData early = { 0 };

    rd_db_connect_async (db, NULL, NULL, NULL);
    rd_db_query_async (db, "SELECT 14", 0, NULL, NULL, query_data_cb, &early);
    iterate_until (&early.done, 5000);
    g_assert_no_error (early.error);
    g_assert_cmpint (rd_result_get_int64 (early.result, 0, 0), ==, 14);
    query_data_clear (&early);
  }

  query_data_clear (&running);
  query_data_clear (&queued);
}

static void
test_connect_cancel (void)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (rd_db_connect_sync (db, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (rd_db_get_state (db), ==, RD_DB_STATE_DISCONNECTED);
}

/* main() started the server from a Chinese desktop session: the server
 * still answers in English, and the client knows a refused login by its
 * SQLSTATE, not by words. */
static void
test_auth_chinese_desktop (void)
{
  static const struct {
    const char   *user;
    const char   *password;
    const char   *dbname;
    RdStoreError  code;
    const char   *sqlstate;
    const char   *server_text;
  } cases[] = {
    { NOBODY, "错误的密码", NULL, RD_STORE_ERROR_AUTH, "28P01",
      "password authentication failed for user \"" NOBODY "\"" },
    { "rd_no_such_role", "x", NULL, RD_STORE_ERROR_AUTH, "28P01",
      "password authentication failed for user \"rd_no_such_role\"" },
    /* libpq's own refusal: it knows it lacked a password. */
    { NOBODY, NULL, NULL, RD_STORE_ERROR_AUTH, NULL, NULL },
    { NULL, NULL, "rd_no_such_db", RD_STORE_ERROR_CONNECTION, "3D000",
      "database \"rd_no_such_db\" does not exist" },
  };

  g_assert_cmpstr (g_getenv ("LANGUAGE"), ==, "zh_CN");
  ensure_nobody ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *conninfo = rd_test_pg_conninfo (cases[i].user, cases[i].password);
      g_autoptr(RdDb) db = NULL;
      g_autoptr(GError) error = NULL;

      if (cases[i].dbname != NULL)
        {
          g_autofree char *base = g_steal_pointer (&conninfo);

          conninfo = g_strconcat (base, " dbname=", cases[i].dbname, NULL);
        }

      db = rd_db_new (conninfo);
      g_assert_false (rd_db_connect_sync (db, NULL, &error));
      g_test_message ("%s → %s", conninfo, error->message);
      g_assert_error (error, RD_STORE_ERROR, (int) cases[i].code);
      g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, cases[i].sqlstate);
      if (cases[i].server_text != NULL)
        g_assert_nonnull (strstr (error->message, cases[i].server_text));
      /* The verbose parts stay out of what the user reads. */
      g_assert_null (strchr (error->message, '\n'));
      g_assert_null (strstr (error->message, "28P01"));
      g_assert_null (strstr (error->message, "3D000"));
      g_assert_null (strstr (error->message, ".c:"));
    }
}

static gint64
prepared_int (RdDb        *db,
              const char  *sql,
              const char  *param,
              GError     **error)
{
  const char * const params[] = { param };
  g_autoptr(RdResult) result = rd_db_query_prepared_sync (db, sql, 1, params, NULL, error);

  return result != NULL ? rd_result_get_int64 (result, 0, 0) : -1;
}

static gint64
count_prepared (RdDb       *db,
                const char *sql)
{
  const char * const params[] = { sql };
  g_autoptr(RdResult) result = query (db, "SELECT count(*) FROM pg_prepared_statements "
                                      "WHERE statement = $1", 1, params);

  return rd_result_get_int64 (result, 0, 0);
}

/* A statement run by name is prepared once per connection, by its text,
 * runs with each call's parameters, is prepared again on a new connection,
 * and is prepared afresh when the procedure it calls was dropped and made
 * again; a statement that cannot be prepared fails like any other. */
static void
test_prepared (void)
{
  static const char double_sql[] = "SELECT $1::int * 2";
  static const char call_sql[] = "CALL t_prepared_proc($1, NULL)";
  static const char make_proc[] =
    "CREATE PROCEDURE t_prepared_proc(IN a int, INOUT b int DEFAULT NULL) "
    "LANGUAGE plpgsql AS $$ BEGIN b := a + %d; END $$";
  g_autoptr(RdDb) db = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) other = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GArray) states = g_array_new (FALSE, FALSE, sizeof (RdDbState));
  g_autoptr(GError) error = NULL;
  g_autofree char *proc_1 = g_strdup_printf (make_proc, 1);
  g_autofree char *proc_100 = g_strdup_printf (make_proc, 100);
  QueryData async = { 0 };
  const char * const params[] = { "21" };
  gint64 value;

  g_assert_cmpint (prepared_int (db, double_sql, "4", &error), ==, 8);
  g_assert_no_error (error);
  g_assert_cmpint (prepared_int (db, double_sql, "5", &error), ==, 10);
  g_assert_no_error (error);
  g_assert_cmpint (count_prepared (db, double_sql), ==, 1);
  rd_db_query_prepared_async (db, double_sql, 1, params, NULL, query_data_cb, &async);
  iterate_until (&async.done, 5000);
  g_assert_no_error (async.error);
  g_assert_cmpint (rd_result_get_int64 (async.result, 0, 0), ==, 42);
  query_data_clear (&async);
  g_assert_cmpint (count_prepared (db, double_sql), ==, 1);

  /* Not a statement: refused when prepared, and again the next time. */
  g_assert_cmpint (prepared_int (db, "SELEC $1", "1", &error), ==, -1);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, "42601");
  g_clear_error (&error);
  g_assert_cmpint (prepared_int (db, "SELEC $1", "1", &error), ==, -1);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_clear_error (&error);
  /* An error of the data leaves the statement prepared. */
  g_assert_cmpint (prepared_int (db, double_sql, "x", &error), ==, -1);
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, "22P02");
  g_clear_error (&error);
  g_assert_cmpint (prepared_int (db, double_sql, "6", &error), ==, 12);
  g_assert_cmpint (count_prepared (db, double_sql), ==, 1);

  /* A procedure made again under a new identity: a call may fail once,
   * then runs the new one. */
  exec (other, proc_1);
  g_assert_cmpint (prepared_int (db, call_sql, "1", &error), ==, 2);
  g_assert_no_error (error);
  exec (other, "DROP PROCEDURE t_prepared_proc");
  exec (other, proc_100);
  value = prepared_int (db, call_sql, "1", &error);
  if (error != NULL)
    g_test_message ("after the procedure was made again: %s", error->message);
  else
    g_assert_cmpint (value, ==, 101);
  g_clear_error (&error);
  g_assert_cmpint (prepared_int (db, call_sql, "1", &error), ==, 101);
  g_assert_no_error (error);

  /* A new connection prepares its statements again. */
  g_signal_connect (db, "notify::state", G_CALLBACK (state_cb), states);
  terminate (other, query_int (db, "SELECT pg_backend_pid()"));
  wait_reconnected (states);
  g_assert_cmpint (count_prepared (db, double_sql), ==, 0);
  g_assert_cmpint (prepared_int (db, double_sql, "7", &error), ==, 14);
  g_assert_no_error (error);
  g_assert_cmpint (count_prepared (db, double_sql), ==, 1);
  g_signal_handlers_disconnect_by_data (db, states);
  exec (other, "DROP PROCEDURE t_prepared_proc");

  /* Cancelled while it is being prepared (waiting for a table's lock): the
   * caller hears CANCELLED, the statement never runs, and the next call
   * prepares and runs it. */
  {
    static const char insert_sql[] = "INSERT INTO t_prepared_cancel VALUES ($1::int)";
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(RdDb) locker = rd_test_pg_connect (NULL, NULL);
    QueryData blocked = { 0 };
    const char * const one[] = { "1" };

    exec (other, "CREATE TABLE t_prepared_cancel (x int)");
    exec (locker, "BEGIN; LOCK TABLE t_prepared_cancel IN ACCESS EXCLUSIVE MODE");
    rd_db_query_prepared_async (db, insert_sql, 1, one, cancellable, query_data_cb, &blocked);
    spin (200);
    g_assert_false (blocked.done);
    g_cancellable_cancel (cancellable);
    iterate_until (&blocked.done, 5000);
    g_assert_error (blocked.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    exec (locker, "COMMIT");
    g_assert_cmpint (query_int (db, "SELECT 5"), ==, 5);
    g_assert_cmpint (query_int (other, "SELECT count(*) FROM t_prepared_cancel"), ==, 0);
    g_assert_cmpint (prepared_int (db, "INSERT INTO t_prepared_cancel VALUES ($1::int) "
                                       "RETURNING x", "2", &error), ==, 2);
    g_assert_no_error (error);
    g_assert_cmpint (query_int (other, "SELECT count(*) FROM t_prepared_cancel"), ==, 1);
    query_data_clear (&blocked);
    exec (other, "DROP TABLE t_prepared_cancel");
  }
}

int
main (int   argc,
      char *argv[])
{
  /* A Chinese desktop session, as the clerks have: libpq (and, before the
   * cluster forced English, the server it starts) translate by it. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* Start the server before the clock of the first test starts. */
  rd_test_pg_get ();

  g_test_add_func ("/store/db/query-params", test_query_params);
  g_test_add_func ("/store/db/errors", test_errors);
  g_test_add_func ("/store/db/connect-errors", test_connect_errors);
  g_test_add_func ("/store/db/auth-chinese-desktop", test_auth_chinese_desktop);
  g_test_add_func ("/store/db/conninfo-forms", test_conninfo_forms);
  g_test_add_func ("/store/db/async-main-loop", test_async_main_loop);
  g_test_add_func ("/store/db/sync-inside-loop", test_sync_inside_loop);
  g_test_add_func ("/store/db/queue-order", test_queue_order);
  g_test_add_func ("/store/db/cancel", test_cancel);
  g_test_add_func ("/store/db/connect-cancel", test_connect_cancel);
  g_test_add_func ("/store/db/listen-notify", test_listen_notify);
  g_test_add_func ("/store/db/reconnect", test_reconnect);
  g_test_add_func ("/store/db/prepared", test_prepared);
  g_test_add_func ("/store/db/script", test_script);
  g_test_add_func ("/store/db/encrypt-password", test_encrypt_password);
  g_test_add_func ("/store/db/close", test_close);

  return g_test_run ();
}
