/* test-security.c: staff write only through api.*; the audit log is append-only
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-test"

#include "config.h"

#include <string.h>

#include "rd-demo-data.h"
#include "rd-staff.h"
#include "sql-test-util.h"

static void
assert_psql_refused (const char *user,
                     const char *sql,
                     const char *message)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = rd_test_pg_psql (user, RD_DEMO_PASSWORD, sql, &out, &err);
  g_test_message ("%s: %s → %d %s", user, sql, status, err);
  g_assert_cmpint (status, !=, 0);
  g_assert_nonnull (strstr (err, message));
}

/* Bare values on stdout, one a line. */
static void
assert_psql_ok (const char *user,
                const char *sql,
                char      **out)
{
  g_autofree char *err = NULL;
  g_autofree char *script = NULL;
  int status;

  script = g_strdup_printf ("\\pset format unaligned\n\\pset tuples_only on\n%s\n", sql);
  status = rd_test_pg_psql (user, RD_DEMO_PASSWORD, script, out, &err);
  if (status != 0)
    g_error ("%s could not run %s: %s", user, sql, err);
}

static void
test_clerk_cannot_write_tables (void)
{
  static const char * const tables[] = {
    "orders", "payments", "sessions", "slots", "schedule_templates", "appointments",
    "patients", "staff", "refunds", "sms_outbox",
  };
  g_autofree char *count = NULL;

  rd_test_pg_load_demo ();

  /* Reading works, so the refusals below are about writing. */
  assert_psql_ok (RD_DEMO_CLERK, "SELECT count(*) > 0 FROM regdesk.orders;\n"
                                 "SELECT count(*) FROM api.session_overview;", &count);
  g_assert_true (g_str_has_prefix (g_strstrip (count), "t"));

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *update = g_strdup_printf ("UPDATE regdesk.%s "
                                                 "SET hospital_id = hospital_id;", tables[i]);
      g_autofree char *insert = g_strdup_printf ("INSERT INTO regdesk.%s DEFAULT VALUES;",
                                                 tables[i]);
      g_autofree char *delete = g_strdup_printf ("DELETE FROM regdesk.%s;", tables[i]);
      g_autofree char *truncate = g_strdup_printf ("TRUNCATE regdesk.%s CASCADE;", tables[i]);

      assert_psql_refused (RD_DEMO_CLERK, update, "permission denied");
      assert_psql_refused (RD_DEMO_CLERK, insert, "permission denied");
      assert_psql_refused (RD_DEMO_CLERK, delete, "permission denied");
      assert_psql_refused (RD_DEMO_CLERK, truncate, "permission denied");
    }

  /* Not even a manager or an admin writes a table directly. */
  assert_psql_refused (RD_DEMO_MANAGER, "DELETE FROM regdesk.schedule_templates;",
                       "permission denied");
  assert_psql_refused (RD_DEMO_ADMIN, "UPDATE regdesk.staff SET role = 'admin';",
                       "permission denied");
  assert_psql_refused (RD_DEMO_FINANCE, "UPDATE regdesk.payments SET amount = 0;",
                       "permission denied");
  /* Nor creates anything in the schemas. */
  assert_psql_refused (RD_DEMO_ADMIN, "CREATE TABLE regdesk.mine (x int);", "permission denied");
  assert_psql_refused (RD_DEMO_ADMIN, "CREATE FUNCTION api.mine () RETURNS int "
                                      "LANGUAGE sql AS 'SELECT 1';", "permission denied");
}

static void
test_audit_log_append_only (void)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  gint64 before;

  rd_test_pg_load_demo ();
  before = sql_int (owner, "SELECT count(*) FROM regdesk.audit_log");
  g_assert_cmpint (before, >, 0);

  /* Clerks and managers may not even read it; finance and admins may. */
  assert_psql_refused (RD_DEMO_CLERK, "SELECT * FROM regdesk.audit_log;", "permission denied");
  assert_psql_refused (RD_DEMO_MANAGER, "SELECT * FROM regdesk.audit_log;", "permission denied");
  assert_psql_ok (RD_DEMO_FINANCE, "SELECT count(*) FROM regdesk.audit_log;", &out);
  g_assert_cmpint (g_ascii_strtoll (g_strstrip (out), NULL, 10), ==, before);
  assert_psql_refused (RD_DEMO_ADMIN, "DELETE FROM regdesk.audit_log;", "permission denied");
  assert_psql_refused (RD_DEMO_ADMIN, "INSERT INTO regdesk.audit_log (action, entity) "
                                      "VALUES ('forged', 'x');", "permission denied");

  /* The owner, a superuser, is stopped by the trigger. */
  error = sql_expect_error (owner, "DELETE FROM regdesk.audit_log");
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  error = sql_expect_error (owner, "UPDATE regdesk.audit_log SET login = 'nobody'");
  g_assert_nonnull (strstr (error->message, "append-only"));
  g_clear_error (&error);
  error = sql_expect_error (owner, "TRUNCATE regdesk.audit_log");
  g_assert_nonnull (strstr (error->message, "append-only"));

  g_assert_cmpint (sql_int (owner, "SELECT count(*) FROM regdesk.audit_log WHERE "
                                   "login <> 'nobody'"), ==, before);
  rd_db_close (owner);
}

static void
test_whoami (void)
{
  static const struct
  {
    const char *login;
    RdRoles     roles;
    const char *display_name;
  } staff[] = {
    { RD_DEMO_CLERK, RD_ROLE_CLERK, "王晓红" },
    { RD_DEMO_MANAGER, RD_ROLE_MANAGER, "李建国" },
    { RD_DEMO_FINANCE, RD_ROLE_FINANCE, "张丽华" },
    { RD_DEMO_ADMIN, RD_ROLE_ADMIN, "陈志强" },
  };

  rd_test_pg_load_demo ();

  for (guint i = 0; i < G_N_ELEMENTS (staff); i++)
    {
      g_autoptr(RdDb) db = rd_test_pg_connect (staff[i].login, RD_DEMO_PASSWORD);
      g_autoptr(RdWhoami) whoami = NULL;
      g_autoptr(GError) error = NULL;

      whoami = rd_staff_whoami_sync (db, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (whoami->login, ==, staff[i].login);
      g_assert_cmpstr (whoami->display_name, ==, staff[i].display_name);
      g_assert_cmpint (whoami->roles, ==, staff[i].roles);
      g_assert_cmpint (whoami->hospital_id, >, 0);
      g_assert_cmpstr (whoami->hospital_name, ==, "示范市第一人民医院");
      g_assert_cmpstr (whoami->time_zone, ==, "Asia/Shanghai");
      rd_db_close (db);
    }
}

static void
whoami_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  RdWhoami **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = rd_staff_whoami_finish (RD_DB (object), result, &error);
  g_assert_no_error (error);
}

static void
test_whoami_async (void)
{
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdWhoami) whoami = NULL;

  rd_test_pg_load_demo ();
  db = rd_test_pg_connect (RD_DEMO_FINANCE, RD_DEMO_PASSWORD);
  rd_staff_whoami_async (db, NULL, whoami_cb, &whoami);
  while (whoami == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpstr (whoami->login, ==, RD_DEMO_FINANCE);
  g_assert_cmpint (whoami->roles, ==, RD_ROLE_FINANCE);
  rd_db_close (db);
}

static void
test_whoami_outsider (void)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdWhoami) whoami = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ignored = NULL;

  rd_test_pg_load_demo ();
  ignored = sql_scalar (owner, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE "
                               "rolname = 'outsider') THEN CREATE ROLE outsider LOGIN "
                               "PASSWORD 'outside'; END IF; END $$");
  db = rd_test_pg_connect ("outsider", "outside");
  whoami = rd_staff_whoami_sync (db, NULL, &error);
  g_assert_null (whoami);
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
  rd_db_close (db);
  g_clear_object (&db);
  g_clear_error (&error);

  /* Somebody in two groups (made by hand, without a staff row) has both
   * roles, is named by the login and belongs to the only hospital. */
  g_clear_pointer (&ignored, g_free);
  ignored = sql_scalar (owner, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE "
                               "rolname = 'two_hats') THEN CREATE ROLE two_hats LOGIN "
                               "PASSWORD 'hats' IN ROLE regdesk_clerk, regdesk_finance; "
                               "END IF; END $$");
  db = rd_test_pg_connect ("two_hats", "hats");
  whoami = rd_staff_whoami_sync (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (whoami->roles, ==, RD_ROLE_CLERK | RD_ROLE_FINANCE);
  g_assert_cmpstr (whoami->display_name, ==, "two_hats");
  g_assert_cmpstr (whoami->hospital_name, ==, "示范市第一人民医院");
  rd_db_close (db);
  rd_db_close (owner);
}

static void
test_staff_add (void)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdDb) clerk = NULL;
  g_autoptr(RdDb) admin = NULL;
  g_autoptr(RdDb) nurse = NULL;
  g_autoptr(RdDb) wrong = NULL;
  g_autoptr(RdWhoami) whoami = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *login = NULL;
  g_autofree char *details = NULL;
  g_autofree char *stored = NULL;

  rd_test_pg_load_demo ();

  /* A clerk may not make logins: not through the wrapper, not by hand. */
  clerk = rd_test_pg_connect (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_assert_false (rd_staff_add_sync (clerk, "test_sneaky", "混入者", RD_ROLE_ADMIN, "pw",
                                     NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION);
  g_clear_error (&error);
  assert_psql_refused (RD_DEMO_CLERK, "SELECT api.staff_add('test_sneaky', 'x', 'admin', "
                                      "'SCRAM-SHA-256$4096:abc');", "permission denied");
  assert_psql_refused (RD_DEMO_CLERK, "SELECT api.staff_set_active('demo_admin', false);",
                       "permission denied");
  g_assert_cmpint (sql_int (owner, "SELECT count(*) FROM pg_roles WHERE rolname = "
                                   "'test_sneaky'"), ==, 0);

  /* An admin may. */
  admin = rd_test_pg_connect (RD_DEMO_ADMIN, RD_DEMO_PASSWORD);
  g_assert_true (rd_staff_add_sync (admin, "test_nurse", "赵敏", RD_ROLE_CLERK, "s3cret-口令",
                                    NULL, &error));
  g_assert_no_error (error);

  /* The password was stored as a SCRAM verifier. */
  stored = sql_scalar (owner, "SELECT rolpassword FROM pg_authid WHERE rolname = 'test_nurse'");
  g_assert_true (g_str_has_prefix (stored, "SCRAM-SHA-256$"));

  /* The new login connects with its password and knows who it is. */
  nurse = rd_test_pg_connect ("test_nurse", "s3cret-口令");
  whoami = rd_staff_whoami_sync (nurse, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (whoami->login, ==, "test_nurse");
  g_assert_cmpstr (whoami->display_name, ==, "赵敏");
  g_assert_cmpint (whoami->roles, ==, RD_ROLE_CLERK);
  g_assert_cmpstr (whoami->hospital_name, ==, "示范市第一人民医院");
  rd_db_close (nurse);

  conninfo = rd_test_pg_conninfo ("test_nurse", "wrong");
  wrong = rd_db_new (conninfo);
  rd_db_set_auto_reconnect (wrong, FALSE);
  g_assert_false (rd_db_connect_sync (wrong, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH);
  g_clear_error (&error);

  /* The audit log names the admin who did it (session_user), not the owner
   * the function runs as. */
  login = sql_scalar (owner, "SELECT login FROM regdesk.audit_log WHERE action = 'staff_add' "
                             "AND entity_id = 'test_nurse'");
  g_assert_cmpstr (login, ==, RD_DEMO_ADMIN);
  details = sql_scalar (owner, "SELECT details->>'role' FROM regdesk.audit_log "
                               "WHERE action = 'staff_add' AND entity_id = 'test_nurse'");
  g_assert_cmpstr (details, ==, "clerk");

  /* Business rules: the same login twice, a clear-text password. */
  g_assert_false (rd_staff_add_sync (admin, "test_nurse", "赵敏", RD_ROLE_CLERK, "x", NULL,
                                     &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED);
  g_clear_error (&error);
  error = sql_expect_error (admin, "SELECT api.staff_add('test_plain', '明文', 'clerk', 'demo')");
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED);
  g_clear_error (&error);
  error = sql_expect_error (admin, "SELECT api.staff_add('Robert\"); DROP TABLE x; --', 'x', "
                                   "'clerk', 'SCRAM-SHA-256$4096:abc')");
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED);
  g_clear_error (&error);

  /* Deactivated: the login no longer connects, and that is audited too. */
  g_clear_pointer (&details, g_free);
  details = sql_scalar (admin, "SELECT api.staff_set_active('test_nurse', false)");
  g_clear_object (&wrong);
  g_clear_pointer (&conninfo, g_free);
  conninfo = rd_test_pg_conninfo ("test_nurse", "s3cret-口令");
  wrong = rd_db_new (conninfo);
  rd_db_set_auto_reconnect (wrong, FALSE);
  g_assert_false (rd_db_connect_sync (wrong, NULL, &error));
  g_assert_nonnull (strstr (error->message, "not permitted to log in"));
  g_clear_error (&error);
  g_assert_cmpint (sql_int (owner, "SELECT count(*) FROM regdesk.audit_log WHERE "
                                   "action = 'staff_set_active' AND login = 'demo_admin' AND "
                                   "entity_id = 'test_nurse'"), ==, 1);
  g_clear_pointer (&stored, g_free);
  stored = sql_scalar (owner, "SELECT active::text FROM regdesk.staff WHERE login = 'test_nurse'");
  g_assert_cmpstr (stored, ==, "false");

  /* An admin cannot lock themself out. */
  error = sql_expect_error (admin, "SELECT api.staff_set_active('demo_admin', false)");
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED);

  rd_db_close (clerk);
  rd_db_close (admin);
  rd_db_close (owner);
}

static void
test_functions_are_safe (void)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);

  rd_test_pg_load_demo ();

  /* Every SECURITY DEFINER function pins its search_path, and PUBLIC may
   * execute nothing in api or regdesk. */
  g_assert_cmpint (sql_int (owner,
                            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON "
                            "n.oid = p.pronamespace WHERE n.nspname IN ('api', 'regdesk') "
                            "AND p.prosecdef AND NOT EXISTS (SELECT 1 FROM "
                            "unnest(p.proconfig) c WHERE c LIKE 'search_path=%')"), ==, 0);
  g_assert_cmpint (sql_int (owner,
                            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON "
                            "n.oid = p.pronamespace WHERE n.nspname IN ('api', 'regdesk') "
                            "AND has_function_privilege('public', p.oid, 'EXECUTE')"), ==, 0);
  g_assert_cmpint (sql_int (owner,
                            "SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON "
                            "n.oid = p.pronamespace WHERE n.nspname = 'api' AND p.prosecdef"),
                   >=, 3);
  rd_db_close (owner);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/security/clerk-cannot-write-tables", test_clerk_cannot_write_tables);
  g_test_add_func ("/security/audit-log-append-only", test_audit_log_append_only);
  g_test_add_func ("/security/whoami", test_whoami);
  g_test_add_func ("/security/whoami-async", test_whoami_async);
  g_test_add_func ("/security/whoami-outsider", test_whoami_outsider);
  g_test_add_func ("/security/staff-add", test_staff_add);
  g_test_add_func ("/security/functions-are-safe", test_functions_are_safe);

  return g_test_run ();
}
