/* test-bench-booking.c: a short booking benchmark run never overbooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <json-glib/json-glib.h>

#include "rd-bench-booking.h"
#include "rd-test-pg.h"

static void
test_bench_booking (void)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *result;

  g_assert_true (rd_bench_booking (conninfo, 4, 3, out, &error));
  g_assert_no_error (error);
  g_test_message ("%s", out->str);

  json_parser_load_from_data (parser, out->str, -1, &error);
  g_assert_no_error (error);
  result = json_node_get_object (json_parser_get_root (parser));
  /* Speed is reported, never asserted; correctness is. */
  g_assert_cmpint (json_object_get_int_member (result, "overbooked"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (result, "duplicates"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (result, "booked"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (result, "pgbench_tps"), >, 0);
  g_assert_cmpfloat (json_object_get_double_member (result, "booking_tps"), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bench/booking", test_bench_booking);

  return g_test_run ();
}
