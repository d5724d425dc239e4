/* test-bench-sync.c: a short sync benchmark run sees every booking arrive
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "rd-bench-sync.h"
#include "rd-test-pg.h"

#define SAMPLES 12

static void
test_bench_sync (void)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RdResult) left = NULL;
  g_autoptr(RdDb) owner = NULL;
  JsonObject *result;
  double p50, p99, raw_p50, raw_p99;

  g_assert_true (rd_bench_sync (conninfo, SAMPLES, out, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out->str);

  json_parser_load_from_data (parser, out->str, -1, &error);
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));

  /* Timings are reported, never asserted; that each booking reached the
   * other connection's roster, and that the numbers are coherent, is. */
  g_assert_cmpint (json_object_get_int_member (result, "samples"), ==, SAMPLES);
  g_assert_cmpint (json_object_get_int_member (result, "updated"), ==, SAMPLES);
  p50 = json_object_get_double_member (result, "p50_ms");
  p99 = json_object_get_double_member (result, "p99_ms");
  raw_p50 = json_object_get_double_member (result, "raw_p50_ms");
  raw_p99 = json_object_get_double_member (result, "raw_p99_ms");
  g_assert_cmpfloat (p50, >, 0);
  g_assert_cmpfloat (p99, >=, p50);
  g_assert_cmpfloat (raw_p50, >, 0);
  g_assert_cmpfloat (raw_p99, >=, raw_p50);
  /* The model is told by the notification, so it cannot be earlier. */
  g_assert_cmpfloat (p50, >=, json_object_get_double_member (result, "notified_p50_ms"));
  g_assert_cmpfloat (json_object_get_double_member (result, "ratio"), >, 0);

  /* The scratch database is gone. */
  owner = rd_test_pg_connect (NULL, NULL);
  left = rd_db_query_sync (owner, "SELECT count(*) FROM pg_database "
                                  " WHERE datname = 'regdesk_bench_sync'",
                           0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int64 (left, 0, 0), ==, 0);
}

static void
test_bench_sync_refuses_missing_server (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("rd-bench-sync-XXXXXX", NULL);
  g_autofree char *conninfo = g_strdup_printf ("host=%s port=1 user=nobody "
                                               "connect_timeout=2", dir);

  g_assert_false (rd_bench_sync (conninfo, 1, out, &error));
  g_assert_nonnull (error);
  g_assert_cmpuint (out->len, ==, 0);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bench/sync", test_bench_sync);
  g_test_add_func ("/bench/sync/no-server", test_bench_sync_refuses_missing_server);

  return g_test_run ();
}
