/* test-bench-payments.c: a short payments benchmark run never pays twice,
 * loses nothing and refunds once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <json-glib/json-glib.h>

#include "rd-bench-payments.h"
#include "rd-test-pg.h"

static guint count = 200;

static void
test_bench_payments (void)
{
  static const char *zeros[] = {
    "paid_twice", "lost", "refunded_twice", "sms_lost", "sms_duplicated", "unsettled",
  };
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  RdBenchPaymentsOptions options;
  JsonObject *result;

  rd_bench_payments_options_init (&options);
  options.count = count;
  options.fault_rate = 0.2;
  options.seed = 20261123;
  g_assert_true (rd_bench_payments (conninfo, &options, out, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out->str);

  json_parser_load_from_data (parser, out->str, -1, &error);
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  for (guint i = 0; i < G_N_ELEMENTS (zeros); i++)
    {
      g_test_message ("%s = %" G_GINT64_FORMAT, zeros[i],
                      json_object_get_int_member (result, zeros[i]));
      g_assert_cmpint (json_object_get_int_member (result, zeros[i]), ==, 0);
    }
  /* The run did something worth checking: faults met, money moved both ways. */
  g_assert_cmpint (json_object_get_int_member (result, "payments"), >=, count);
  g_assert_cmpint (json_object_get_int_member (result, "paid"), >, 0);
  g_assert_cmpint (json_object_get_int_member (result, "refunded"), >, 0);
  g_assert_cmpint (json_object_get_int_member (result, "faults"), >, 0);
  g_assert_cmpint (json_object_get_int_member (result, "notifications"), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* --count N: the full-size run of -Dbench_full=true. */
  for (int i = 1; i + 1 < argc; i++)
    {
      if (g_str_equal (argv[i], "--count"))
        count = (guint) g_ascii_strtoull (argv[i + 1], NULL, 10);
    }
  g_assert_cmpuint (count, >, 0);

  g_test_add_func ("/bench/payments", test_bench_payments);

  return g_test_run ();
}
