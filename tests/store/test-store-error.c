/* test-store-error.c: SQLSTATE mapping and the SQLSTATE carried by errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-store-error-private.h"

static void
test_mapping (void)
{
  static const struct {
    const char   *sqlstate;
    RdStoreError  code;
  } cases[] = {
    { "08006", RD_STORE_ERROR_CONNECTION },
    { "08001", RD_STORE_ERROR_CONNECTION },
    { "57P01", RD_STORE_ERROR_CONNECTION },
    { "57P02", RD_STORE_ERROR_CONNECTION },
    { "57P03", RD_STORE_ERROR_CONNECTION },
    { "57014", RD_STORE_ERROR_FAILED },      /* query_canceled */
    { "28P01", RD_STORE_ERROR_AUTH },
    { "28000", RD_STORE_ERROR_AUTH },
    { "42501", RD_STORE_ERROR_PERMISSION },
    { "23505", RD_STORE_ERROR_CONFLICT },
    { "40001", RD_STORE_ERROR_CONFLICT },
    { "40P01", RD_STORE_ERROR_CONFLICT },
    { "22012", RD_STORE_ERROR_INVALID },
    { "22P02", RD_STORE_ERROR_INVALID },
    { "23503", RD_STORE_ERROR_INVALID },
    { "23514", RD_STORE_ERROR_INVALID },
    { "RD001", RD_STORE_ERROR_REJECTED },
    { "RD999", RD_STORE_ERROR_REJECTED },
    { "42P01", RD_STORE_ERROR_SCHEMA },
    { "42883", RD_STORE_ERROR_SCHEMA },
    { "3F000", RD_STORE_ERROR_SCHEMA },
    { "42601", RD_STORE_ERROR_FAILED },
    { "XX000", RD_STORE_ERROR_FAILED },
    { "", RD_STORE_ERROR_FAILED },
    { "RD01", RD_STORE_ERROR_FAILED },
    { NULL, RD_STORE_ERROR_FAILED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("SQLSTATE %s", cases[i].sqlstate);
      g_assert_cmpint (rd_store_error_code_from_sqlstate (cases[i].sqlstate), ==, cases[i].code);
    }
}

static void
test_sqlstate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) copy = NULL;
  g_autoptr(GError) plain = NULL;
  g_autoptr(GError) other = NULL;

  error = rd_store_error_new_sqlstate (RD_STORE_ERROR_CONFLICT, "23505", "duplicate key");
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "duplicate key");
  g_assert_cmpstr (rd_store_error_get_sqlstate (error), ==, "23505");

  /* Copies (GTask, g_propagate_error) keep it. */
  copy = g_error_copy (error);
  g_clear_error (&error);
  g_assert_cmpstr (rd_store_error_get_sqlstate (copy), ==, "23505");
  g_prefix_error (&copy, "Booking failed: ");
  g_assert_cmpstr (rd_store_error_get_sqlstate (copy), ==, "23505");
  g_assert_cmpstr (copy->message, ==, "Booking failed: duplicate key");

  plain = g_error_new_literal (RD_STORE_ERROR, RD_STORE_ERROR_FAILED, "no state");
  g_assert_null (rd_store_error_get_sqlstate (plain));

  other = g_error_new_literal (G_FILE_ERROR, G_FILE_ERROR_FAILED, "not ours");
  g_assert_null (rd_store_error_get_sqlstate (other));
}

static void
test_one_line (void)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;

  a = rd_store_error_one_line ("connection to server on socket \"/x/.s.PGSQL.5432\" failed: "
                               "No such file or directory\n"
                               "\tIs the server running locally?\n");
  g_assert_cmpstr (a, ==, "connection to server on socket \"/x/.s.PGSQL.5432\" failed: "
                          "No such file or directory Is the server running locally?");
  b = rd_store_error_one_line ("\n\n  \n");
  g_assert_cmpstr (b, ==, "");
  c = rd_store_error_one_line (NULL);
  g_assert_cmpstr (c, ==, "");
}

static void
test_from_result (void)
{
  PGresult *result = PQmakeEmptyPGresult (NULL, PGRES_FATAL_ERROR);
  g_autoptr(GError) error = NULL;

  /* Without server fields: the generic message, FAILED. */
  error = rd_store_error_new_from_result (result, NULL);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED);
  g_assert_null (rd_store_error_get_sqlstate (error));
  g_assert_cmpstr (error->message, !=, "");
  PQclear (result);
}

/* Real verbose messages of a Chinese server to a Chinese client (PostgreSQL
 * 15 with LANGUAGE=zh_CN): only the SQLSTATE tells them apart. */
static void
test_connection_message (void)
{
  static const struct {
    const char *message;
    const char *sqlstate;
    const char *one_line;
  } cases[] = {
    { "连接到套接字 \"/tmp/x/.s.PGSQL.5432\" 上的服务器失败: 致命错误:  28P01: "
      "用户 \"bob\" 的密码认证失败\n位置:  auth_failed, auth.c:334\n",
      "28P01",
      "连接到套接字 \"/tmp/x/.s.PGSQL.5432\" 上的服务器失败: 致命错误:  "
      "用户 \"bob\" 的密码认证失败" },
    { "连接到套接字 \"/tmp/x/.s.PGSQL.5432\" 上的服务器失败: 致命错误:  3D000: "
      "数据库 \"nodb\" 不存在\n位置:  InitPostgres, postinit.c:948\n",
      "3D000",
      "连接到套接字 \"/tmp/x/.s.PGSQL.5432\" 上的服务器失败: 致命错误:  数据库 \"nodb\" 不存在" },
    { "connection to server on socket \"/tmp/x/.s.PGSQL.5432\" failed: "
      "fe_sendauth: no password supplied\n",
      NULL,
      "connection to server on socket \"/tmp/x/.s.PGSQL.5432\" failed: "
      "fe_sendauth: no password supplied" },
    /* Two hosts: the last server error decides. */
    { "connection to server at \"a\" failed: FATAL:  53300: sorry, too many clients already\n"
      "LOCATION:  InitProcess, proc.c:362\n"
      "connection to server at \"b\" failed: FATAL:  28000: no pg_hba.conf entry\n"
      "LOCATION:  ClientAuthentication, auth.c:542\n",
      "28000",
      "connection to server at \"a\" failed: FATAL:  sorry, too many clients already "
      "connection to server at \"b\" failed: FATAL:  no pg_hba.conf entry" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *sqlstate = NULL;
      g_autofree char *one_line = NULL;

      one_line = rd_store_error_parse_connection_message (cases[i].message, &sqlstate);
      g_assert_cmpstr (one_line, ==, cases[i].one_line);
      g_assert_cmpstr (sqlstate, ==, cases[i].sqlstate);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/error/mapping", test_mapping);
  g_test_add_func ("/store/error/sqlstate", test_sqlstate);
  g_test_add_func ("/store/error/one-line", test_one_line);
  g_test_add_func ("/store/error/from-result", test_from_result);
  g_test_add_func ("/store/error/connection-message", test_connection_message);

  return g_test_run ();
}
