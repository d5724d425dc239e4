/* test-ui-util.c: what the views decide, without a display
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>

#include "rd-order-row.h"
#include "rd-store-error-private.h"
#include "rd-store-error.h"
#include "rd-ui-util.h"

static void
test_pages_for_roles (void)
{
  g_assert_cmpint (rd_ui_pages_for_roles (RD_ROLE_NONE), ==, RD_UI_PAGE_NONE);
  g_assert_cmpint (rd_ui_pages_for_roles (RD_ROLE_CLERK), ==, RD_UI_PAGE_DESK);
  g_assert_cmpint (rd_ui_pages_for_roles (RD_ROLE_MANAGER), ==, RD_UI_PAGE_SCHEDULES);
  g_assert_cmpint (rd_ui_pages_for_roles (RD_ROLE_FINANCE), ==, RD_UI_PAGE_FINANCE);
  g_assert_cmpint (rd_ui_pages_for_roles (RD_ROLE_CLERK | RD_ROLE_FINANCE), ==,
                   RD_UI_PAGE_DESK | RD_UI_PAGE_FINANCE);
  g_assert_cmpint (rd_ui_pages_for_roles (RD_ROLE_ADMIN), ==,
                   RD_UI_PAGE_DESK | RD_UI_PAGE_SCHEDULES | RD_UI_PAGE_FINANCE);
}

static void
test_conninfo (void)
{
  struct
  {
    const char *server;
    const char *user;
    const char *password;
    const char *expected;
  } cases[] = {
    { "host=db1,db2 dbname=regdesk target_session_attrs=read-write", "wangxh", "s3cret",
      "host=db1,db2 dbname=regdesk target_session_attrs=read-write "
      "user='wangxh' password='s3cret'" },
    { "  db.example.org  ", "clerk", "",
      "host='db.example.org' dbname='regdesk' user='clerk'" },
    { "db.example.org:5433", "clerk", "pw",
      "host='db.example.org' port='5433' dbname='regdesk' user='clerk' password='pw'" },
    { "[::1]:5433", "clerk", NULL,
      "host='::1' port='5433' dbname='regdesk' user='clerk'" },
    { "::1", "clerk", NULL,
      "host='::1' dbname='regdesk' user='clerk'" },
    { "host=/tmp/x user=regdesk_owner", "demo_clerk", "it's \\ odd",
      "host=/tmp/x user=regdesk_owner user='demo_clerk' password='it\\'s \\\\ odd'" },
    { "postgresql://db/regdesk", "wang xh", "p&w",
      "postgresql://db/regdesk?user=wang%20xh&password=p%26w" },
    { "postgres://db/regdesk?sslmode=verify-full", "u", NULL,
      "postgres://db/regdesk?sslmode=verify-full&user=u" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *conninfo = rd_ui_build_conninfo (cases[i].server, cases[i].user,
                                                        cases[i].password);

      g_assert_cmpstr (conninfo, ==, cases[i].expected);
    }
}

static void
test_conninfo_environment (void)
{
  g_autofree char *plain = NULL;
  g_autofree char *with_env = NULL;

  g_unsetenv ("PGDATABASE");
  g_unsetenv ("PGSERVICE");
  plain = rd_ui_build_conninfo ("", "clerk", NULL);
  g_assert_cmpstr (plain, ==, "dbname='regdesk' user='clerk'");

  /* the environment names the database: leave it to libpq */
  g_setenv ("PGDATABASE", "hospital", TRUE);
  with_env = rd_ui_build_conninfo (NULL, "clerk", NULL);
  g_assert_cmpstr (with_env, ==, "user='clerk'");
  g_unsetenv ("PGDATABASE");
}

static void
test_login_errors (void)
{
  g_autoptr(GError) auth = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_AUTH, "28P01");
  g_autoptr(GError) connection = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                                                      "could not connect");
  g_autoptr(GError) permission = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION,
                                                      "42501");
  g_autoptr(GError) other = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED, "boom");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autofree char *auth_text = rd_ui_describe_login_error (auth);
  g_autofree char *connection_text = rd_ui_describe_login_error (connection);
  g_autofree char *permission_text = rd_ui_describe_login_error (permission);
  g_autofree char *other_text = rd_ui_describe_login_error (other);

  g_assert_cmpstr (auth_text, ==, "Wrong user name or password");
  g_assert_true (g_str_has_prefix (connection_text, "Cannot reach the database server"));
  g_assert_cmpstr (permission_text, ==, "This login is not a Regdesk staff account");
  g_assert_cmpstr (other_text, ==, "Could not log in: boom");
  g_assert_null (rd_ui_describe_login_error (cancelled));
}

static void
test_dates (void)
{
  g_autofree char *next = rd_ui_date_add_days ("2024-02-28", 1);
  g_autofree char *leap = rd_ui_date_add_days ("2024-02-28", 2);
  g_autofree char *back = rd_ui_date_add_days ("2024-01-01", -1);
  g_autofree char *same = rd_ui_date_add_days ("2024-06-01", 0);
  g_autoptr(GTimeZone) shanghai = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) morning = g_date_time_new (shanghai, 2024, 6, 1, 9, 30, 0);
  g_autoptr(GDateTime) evening = g_date_time_new (shanghai, 2024, 6, 1, 18, 0, 0);
  g_autoptr(GDateTime) new_year = g_date_time_new (shanghai, 2024, 12, 31, 20, 0, 0);
  g_autofree char *d1 = rd_ui_default_date (morning, TRUE, 17);
  g_autofree char *d2 = rd_ui_default_date (evening, TRUE, 17);
  g_autofree char *d3 = rd_ui_default_date (evening, FALSE, 17);
  g_autofree char *d4 = rd_ui_default_date (new_year, TRUE, 17);
  g_autofree char *formatted = rd_ui_format_date ("2024-06-03");
  g_autofree char *unparsed = rd_ui_format_date ("someday");

  g_assert_cmpstr (next, ==, "2024-02-29");
  g_assert_cmpstr (leap, ==, "2024-03-01");
  g_assert_cmpstr (back, ==, "2023-12-31");
  g_assert_cmpstr (same, ==, "2024-06-01");
  g_assert_null (rd_ui_date_add_days ("2024-02-30", 1));
  g_assert_null (rd_ui_date_add_days ("2024-06-01x", 1));
  g_assert_null (rd_ui_date_add_days (NULL, 1));

  g_assert_cmpstr (d1, ==, "2024-06-01");
  g_assert_cmpstr (d2, ==, "2024-06-02");
  g_assert_cmpstr (d3, ==, "2024-06-01");
  g_assert_cmpstr (d4, ==, "2025-01-01");

  g_assert_cmpstr (formatted, ==, "Mon, 3 June 2024");
  g_assert_cmpstr (unparsed, ==, "someday");
}

static void
test_search (void)
{
  g_autofree char *folded = rd_ui_fold ("ＺＨＡＮＧ San");
  GtkFilterChange change = -1;

  g_assert_cmpstr (folded, ==, "zhang san");

  g_assert_false (rd_ui_search_change ("张", "张", &change));
  g_assert_true (rd_ui_search_change ("", "张", &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_true (rd_ui_search_change ("张", "张三", &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_true (rd_ui_search_change ("张三", "张", &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_LESS_STRICT);
  g_assert_true (rd_ui_search_change ("张三", "", &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_LESS_STRICT);
  g_assert_true (rd_ui_search_change ("张三", "李四", &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_DIFFERENT);

  g_assert_false (rd_ui_department_change (3, 3, &change));
  g_assert_true (rd_ui_department_change (0, 3, &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_MORE_STRICT);
  g_assert_true (rd_ui_department_change (3, 0, &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_LESS_STRICT);
  g_assert_true (rd_ui_department_change (3, 4, &change));
  g_assert_cmpint (change, ==, GTK_FILTER_CHANGE_DIFFERENT);
}

static void
test_desk_errors (void)
{
  g_autoptr(GError) taken = rd_store_error_new_sqlstate (RD_STORE_ERROR_REJECTED, "RD306",
                                                         "slot 3 is taken");
  g_autoptr(GError) rule = rd_store_error_new_sqlstate (RD_STORE_ERROR_REJECTED, "RD307",
                                                        "one booking per doctor per day");
  g_autoptr(GError) unknown = rd_store_error_new_sqlstate (RD_STORE_ERROR_REJECTED, "RD999",
                                                           "a rule from a newer server");
  g_autoptr(GError) lost = rd_store_error_new_sqlstate (RD_STORE_ERROR_CONNECTION, "08006",
                                                        "server closed the connection");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "x");
  g_autofree char *taken_text = rd_ui_describe_desk_error (taken);
  g_autofree char *rule_text = rd_ui_describe_desk_error (rule);
  g_autofree char *unknown_text = rd_ui_describe_desk_error (unknown);
  g_autofree char *lost_text = rd_ui_describe_desk_error (lost);

  g_assert_cmpstr (taken_text, ==, "Someone else just took this slot. Choose another one.");
  g_assert_cmpstr (rule_text, ==,
                   "This patient already has a booking with this doctor on this day.");
  /* a rule this program does not know yet: the server's own words */
  g_assert_cmpstr (unknown_text, ==, "a rule from a newer server");
  g_assert_true (g_str_has_prefix (lost_text, "The connection to the database was lost"));
  g_assert_null (rd_ui_describe_desk_error (cancelled));
}

static void
test_name_matches (void)
{
  g_autofree char *zs = rd_ui_fold ("ZS");

  /* the name itself, folded */
  g_assert_true (rd_ui_name_matches ("张", "张三", NULL));
  g_assert_true (rd_ui_name_matches ("", "张三", NULL));
  g_assert_false (rd_ui_name_matches ("李", "张三", NULL));
  /* pinyin initials from the name, as a prefix, whatever the case typed */
  g_assert_true (rd_ui_name_matches (zs, "张三", NULL));
  g_assert_true (rd_ui_name_matches ("z", "张三", NULL));
  g_assert_false (rd_ui_name_matches ("s", "张三", NULL));
  g_assert_false (rd_ui_name_matches ("zsx", "张三", NULL));
  /* a polyphonic surname is read as a surname: 曾 is zeng here, not ceng */
  g_assert_true (rd_ui_name_matches ("zgf", "曾国藩", NULL));
  /* initials the caller already has win over derived ones */
  g_assert_true (rd_ui_name_matches ("nk", "内科", "nk"));
  g_assert_false (rd_ui_name_matches ("nk", "内科", "xx"));
  /* not Latin: no pinyin fallback */
  g_assert_false (rd_ui_name_matches ("张三丰", "张三", NULL));
}

static void
test_time_range (void)
{
  g_autofree char *range = rd_ui_format_time_range ("08:00", "12:00");
  g_autofree char *open_ended = rd_ui_format_time_range ("08:00", NULL);

  g_assert_cmpstr (range, ==, "08:00–12:00");
  g_assert_cmpstr (open_ended, ==, "08:00");
}

static RdOrderRow *
order_row (const char *status,
           const char *method,
           gint64      amount,
           gint64      refunded)
{
  return g_object_new (RD_TYPE_ORDER_ROW,
                       "id", (gint64) 1,
                       "order-no", "R20240601000001",
                       "status", status,
                       "method", method,
                       "amount", amount,
                       "refunded-amount", refunded,
                       NULL);
}

static void
test_order_net_amount (void)
{
  g_autoptr(RdOrderRow) paid = order_row ("paid", "wechat", 5000, 0);
  g_autoptr(RdOrderRow) partial = order_row ("partially_refunded", "cash", 5000, 2000);
  g_autoptr(RdOrderRow) refunded = order_row ("refunded", "alipay", 5000, 5000);
  g_autoptr(RdOrderRow) unpaid = order_row ("unpaid", NULL, 5000, 0);
  g_autoptr(RdOrderRow) closed = order_row ("closed", NULL, 5000, 0);

  g_assert_cmpint (rd_order_row_get_net_amount (paid), ==, 5000);
  g_assert_cmpint (rd_order_row_get_net_amount (partial), ==, 3000);
  g_assert_cmpint (rd_order_row_get_net_amount (refunded), ==, 0);
  g_assert_cmpint (rd_order_row_get_net_amount (unpaid), ==, 0);
  g_assert_cmpint (rd_order_row_get_net_amount (closed), ==, 0);
  g_assert_cmpstr (rd_order_row_get_method (paid), ==, "wechat");
  g_assert_null (rd_order_row_get_method (unpaid));

  g_assert_cmpstr (rd_payment_method_to_string ("wechat"), ==, "WeChat Pay");
  g_assert_cmpstr (rd_payment_method_to_string ("bitcoin"), ==, "bitcoin");
  g_assert_cmpstr (rd_order_status_to_string ("partially_refunded"), ==, "Partially refunded");
}

int
main (int   argc,
      char *argv[])
{
  /* English source strings: these tests compare them */
  g_setenv ("LANGUAGE", "C", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/util/pages-for-roles", test_pages_for_roles);
  g_test_add_func ("/ui/util/conninfo", test_conninfo);
  g_test_add_func ("/ui/util/conninfo-environment", test_conninfo_environment);
  g_test_add_func ("/ui/util/login-errors", test_login_errors);
  g_test_add_func ("/ui/util/dates", test_dates);
  g_test_add_func ("/ui/util/search", test_search);
  g_test_add_func ("/ui/util/name-matches", test_name_matches);
  g_test_add_func ("/ui/util/desk-errors", test_desk_errors);
  g_test_add_func ("/ui/util/time-range", test_time_range);
  g_test_add_func ("/ui/util/order-net-amount", test_order_net_amount);

  return g_test_run ();
}
