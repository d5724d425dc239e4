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
  JsonArray *rounds;
  double lower;

  /* Two short rounds: the reported figures are those of the lower ratio. */
  g_assert_true (rd_bench_booking (conninfo, 4, 3, 2, NULL, out, &error));
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

  rounds = json_object_get_array_member (result, "rounds");
  g_assert_cmpuint (json_array_get_length (rounds), ==, 2);
  lower = MIN (json_object_get_double_member (json_array_get_object_element (rounds, 0),
                                              "ratio"),
               json_object_get_double_member (json_array_get_object_element (rounds, 1),
                                              "ratio"));
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (result, "ratio"), lower,
                                  0.0005);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bench/booking", test_bench_booking);

  return g_test_run ();
}
