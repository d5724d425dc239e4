/* test-result.c: RdResult over a PGresult built without a server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-result-private.h"

static RdResult *
make_result (void)
{
  PGresAttDesc attrs[] = {
    { (char *) "id", 0, 0, 0, 20, 8, -1 },
    { (char *) "name", 0, 0, 0, 25, -1, -1 },
    { (char *) "paid", 0, 0, 0, 16, 1, -1 },
    { (char *) "ratio", 0, 0, 0, 701, 8, -1 },
  };
  PGresult *result = PQmakeEmptyPGresult (NULL, PGRES_TUPLES_OK);

  g_assert_nonnull (result);
  g_assert_true (PQsetResultAttrs (result, G_N_ELEMENTS (attrs), attrs));

  /* Row 0: values; row 1: NULLs. */
  g_assert_true (PQsetvalue (result, 0, 0, (char *) "9007199254740993", 16));
  g_assert_true (PQsetvalue (result, 0, 1, (char *) "张三", (int) strlen ("张三")));
  g_assert_true (PQsetvalue (result, 0, 2, (char *) "t", 1));
  g_assert_true (PQsetvalue (result, 0, 3, (char *) "0.25", 4));
  for (int column = 0; column < 4; column++)
    g_assert_true (PQsetvalue (result, 1, column, NULL, -1));

  return rd_result_new_take (result);
}

static void
test_values (void)
{
  g_autoptr(RdResult) result = make_result ();

  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 2);
  g_assert_cmpuint (rd_result_get_n_columns (result), ==, 4);
  g_assert_cmpint (rd_result_get_column (result, "name"), ==, 1);
  g_assert_cmpint (rd_result_get_column (result, "NAME"), ==, -1);
  g_assert_cmpint (rd_result_get_column (result, "missing"), ==, -1);
  g_assert_cmpstr (rd_result_get_column_name (result, 3), ==, "ratio");

  g_assert_cmpint (rd_result_get_int64 (result, 0, 0), ==, G_GINT64_CONSTANT (9007199254740993));
  g_assert_cmpstr (rd_result_get_string (result, 0, 1), ==, "张三");
  g_assert_true (rd_result_get_boolean (result, 0, 2));
  g_assert_cmpfloat (rd_result_get_double (result, 0, 3), ==, 0.25);
  g_assert_false (rd_result_is_null (result, 0, 1));

  for (guint column = 0; column < 4; column++)
    {
      g_assert_true (rd_result_is_null (result, 1, column));
      g_assert_null (rd_result_get_string (result, 1, column));
    }
  g_assert_cmpint (rd_result_get_int64 (result, 1, 0), ==, 0);
  g_assert_false (rd_result_get_boolean (result, 1, 2));

  /* Not a write. */
  g_assert_cmpuint (rd_result_get_n_affected (result), ==, 0);
}

static void
test_refcount (void)
{
  RdResult *result = make_result ();
  RdResult *ref = rd_result_ref (result);
  GValue value = G_VALUE_INIT;

  g_assert_true (ref == result);
  rd_result_unref (ref);

  /* Boxed: it travels in GValues (list models, signals). */
  g_value_init (&value, RD_TYPE_RESULT);
  g_value_take_boxed (&value, result);
  g_assert_cmpuint (rd_result_get_n_rows (g_value_get_boxed (&value)), ==, 2);
  g_value_unset (&value);
}

static void
test_out_of_range (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(RdResult) result = make_result ();

      rd_result_get_string (result, 5, 0);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*cell_is_valid*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/result/values", test_values);
  g_test_add_func ("/store/result/refcount", test_refcount);
  g_test_add_func ("/store/result/out-of-range", test_out_of_range);

  return g_test_run ();
}
