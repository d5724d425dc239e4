/* test-ctl.c: the regdesk-ctl binary against a private server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rd-demo-data.h"
#include "rd-migrations.h"
#include "rd-staff.h"
#include "rd-test-pg.h"

static const char *ctl_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static GSubprocessLauncher *
new_launcher (GSubprocessFlags flags)
{
  static const char *unset[] = {
    "REGDESK_CONNINFO", "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER",
    "PGPASSWORD", "PGSERVICE", "REGDESK_DEMO_DIR",
  };
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  /* Nothing from the test's environment may pick the server for it. */
  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    g_subprocess_launcher_unsetenv (launcher, unset[i]);

  return launcher;
}

/* Runs regdesk-ctl with the NULL-terminated arguments, @input on stdin. */
static void
run_ctl (Run        *run,
         const char *input,
         ...)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) ctl_path);
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                           | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input != NULL ? input : "", NULL,
                                 &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);

  g_test_message ("regdesk-ctl exit %d\nstdout: %s\nstderr: %s",
                  run->status, run->out, run->err);
}

/* The contract for every failure: exactly one line on stderr. */
static void
assert_one_error_line (Run *run)
{
  const char *newline = strchr (run->err, '\n');

  g_assert_true (g_str_has_prefix (run->err, "regdesk-ctl: "));
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline, ==, "\n");
  g_assert_cmpuint (strlen (run->err), >, strlen ("regdesk-ctl: \n"));
}

static void
remove_tree (const char *directory)
{
  g_autoptr(GError) error = NULL;
  int status = -1;
  const char *argv[] = { "rm", "-rf", directory, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static char *
conninfo_for_database (const char *user,
                       const char *password,
                       const char *dbname)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (user, password);

  /* In a conninfo string the last value of a keyword wins. */
  return g_strdup_printf ("%s dbname=%s", conninfo, dbname);
}

static void
test_help (void)
{
  static const char *commands[] = {
    "db migrate", "db status", "staff add", "demo load", "demo serve", "sessions",
    "patients search", "book", "cancel", "pay cash", "pay card", "checkin", "lottery draw",
    "maintenance run", "gateway-sim", "bench booking",
  };
  g_auto(Run) run = { 0 };
  g_auto(Run) command_help = { 0 };
  g_auto(Run) version = { 0 };

  run_ctl (&run, NULL, "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (run.out, commands[i]));
  g_assert_nonnull (strstr (run.out, "--conninfo"));
  g_assert_nonnull (strstr (run.out, "--demo"));

  run_ctl (&command_help, NULL, "staff", "add", "--help", NULL);
  g_assert_cmpint (command_help.status, ==, 0);
  g_assert_nonnull (strstr (command_help.out, "staff add"));
  g_assert_nonnull (strstr (command_help.out, "--role"));
  g_assert_nonnull (strstr (command_help.out, "--password-file"));
  g_assert_null (strstr (command_help.out, "demo serve"));

  run_ctl (&version, NULL, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_cmpstr (version.out, ==, "regdesk-ctl " PACKAGE_VERSION "\n");
}

static void
test_usage_errors (void)
{
  static const char *cases[][8] = {
    { "frobnicate", NULL },
    { "db", NULL },
    { "db", "frobnicate", NULL },
    { NULL },
    { "--no-such-option", "db", "status", NULL },
    { "db", "status", "--no-such-option", NULL },
    { "db", "status", "extra", NULL },
    { "staff", "add", "--role", "clerk", NULL },
    { "staff", "add", "nurse", "--role", "janitor", NULL },
    { "staff", "add", "nurse", NULL },
    { "demo", "load", "--today", "2024-13-01", NULL },
    { "demo", "load", "--today", "tomorrow", NULL },
    { "demo", "load", "--seed", "-1", NULL },
    { "sessions", "--date", "2024-02-30", NULL },
    { "sessions", "--department", "x", NULL },
    { "patients", "search", NULL },
    { "patients", "search", "zs", "--limit", "201", NULL },
    { "book", "--patient", "1", NULL },
    { "book", "--session", "1", "--patient", "1", "--channel", "fax", NULL },
    { "book", "--session", "1", "--patient", "1", "--slot", "0", NULL },
    { "cancel", NULL },
    { "pay", NULL },
    { "pay", "cash", "--order", "R1", "--tendered", "-5", NULL },
    { "pay", "cash", "--order", "R1", "--tendered", "1.234", NULL },
    { "pay", "card", "--order", "R1", NULL },
    { "checkin", "--appointment", "0", NULL },
    { "lottery", "draw", NULL },
    { "maintenance", "run", "now", NULL },
    { "gateway-sim", "--port", "70000", NULL },
    { "bench", "booking", "--clients", "0", NULL },
    { "bench", "booking", "--rounds", "21", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_ctl (&run, NULL, cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4],
               cases[i][5], cases[i][6], cases[i][7]);
      g_assert_cmpint (run.status, ==, 2);
      assert_one_error_line (&run);
      g_assert_cmpstr (run.out, ==, "");
    }
}

static void
test_migrate_twice (void)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) created = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = conninfo_for_database (NULL, NULL, "regdesk_ctl_migrate");
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) status = NULL;
  g_auto(Run) run1 = { 0 };
  g_auto(Run) run2 = { 0 };
  g_auto(Run) run3 = { 0 };
  g_auto(Run) run4 = { 0 };
  JsonArray *applied;
  JsonArray *migrations;
  gboolean has_version_1 = FALSE;
  guint latest = rd_migrations_get_latest ();

  created = rd_db_query_sync (owner, "CREATE DATABASE regdesk_ctl_migrate", 0, NULL,
                              NULL, &error);
  g_assert_no_error (error);

  run_ctl (&run1, NULL, "-d", conninfo, "db", "migrate", "--json", NULL);
  g_assert_cmpint (run1.status, ==, 0);
  g_assert_cmpstr (run1.err, ==, "");
  first = parse_json (run1.out);
  applied = json_object_get_array_member (json_node_get_object (first), "applied");
  g_assert_cmpuint (json_array_get_length (applied), ==, latest);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (applied, 0),
                                               "version"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (first), "version"), ==,
                   latest);

  run_ctl (&run2, NULL, "db", "migrate", "--json", "--conninfo", conninfo, NULL);
  g_assert_cmpint (run2.status, ==, 0);
  second = parse_json (run2.out);
  applied = json_object_get_array_member (json_node_get_object (second), "applied");
  g_assert_cmpuint (json_array_get_length (applied), ==, 0);

  run_ctl (&run3, NULL, "-d", conninfo, "db", "status", "--json", NULL);
  g_assert_cmpint (run3.status, ==, 0);
  status = parse_json (run3.out);
  migrations = json_object_get_array_member (json_node_get_object (status), "migrations");
  g_assert_cmpuint (json_array_get_length (migrations), ==, latest);
  for (guint i = 0; i < json_array_get_length (migrations); i++)
    {
      JsonObject *migration = json_array_get_object_element (migrations, i);

      g_assert_false (json_object_get_null_member (migration, "applied_at"));
      if (json_object_get_int_member (migration, "version") == 1)
        has_version_1 = TRUE;
    }
  g_assert_true (has_version_1);

  /* The human form: one line per migration, then the version. */
  run_ctl (&run4, NULL, "-d", conninfo, "db", "status", NULL);
  g_assert_cmpint (run4.status, ==, 0);
  g_assert_nonnull (strstr (run4.out, "0001"));
  g_assert_null (strstr (run4.out, "pending"));
}

static void
test_env_conninfo (void)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (NULL, NULL);
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                          | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "REGDESK_CONNINFO", conninfo, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, ctl_path, "db", "status", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_nonnull (strstr (out, "0001"));
}

static void
test_bad_conninfo (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) garbage = { 0 };
  g_auto(Run) password = { 0 };
  g_autofree char *wrong = rd_test_pg_conninfo (RD_DEMO_CLERK, "not the password");

  run_ctl (&run, NULL, "-d", "host=/nonexistent", "db", "status", NULL);
  g_assert_cmpint (run.status, ==, 2);
  assert_one_error_line (&run);
  g_assert_cmpstr (run.out, ==, "");

  run_ctl (&garbage, NULL, "-d", "this is not a conninfo", "db", "migrate", NULL);
  g_assert_cmpint (garbage.status, ==, 2);
  assert_one_error_line (&garbage);

  run_ctl (&password, NULL, "-d", wrong, "db", "status", NULL);
  g_assert_cmpint (password.status, ==, 2);
  assert_one_error_line (&password);
}

static void
test_stopped_server (void)
{
  g_autofree char *directory = g_dir_make_tmp ("regdesk-ctl-stopped-XXXXXX", NULL);
  g_autoptr(RdCluster) cluster = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = NULL;
  g_auto(Run) run = { 0 };

  g_assert_nonnull (directory);
  g_chmod (directory, 0755);
  cluster = rd_cluster_new (directory);
  rd_cluster_start_sync (cluster, NULL, &error);
  g_assert_no_error (error);
  conninfo = rd_cluster_get_conninfo (cluster, NULL, NULL);
  rd_cluster_stop_sync (cluster, &error);
  g_assert_no_error (error);
  g_assert_false (rd_cluster_is_running (cluster));

  run_ctl (&run, NULL, "-d", conninfo, "db", "status", "--json", NULL);
  g_assert_cmpint (run.status, ==, 2);
  assert_one_error_line (&run);
  g_assert_cmpstr (run.out, ==, "");

  remove_tree (directory);
}

static void
assert_login_works (const char *login,
                    const char *password,
                    const char *display_name,
                    RdRoles     role)
{
  g_autofree char *conninfo = rd_test_pg_conninfo (login, password);
  g_autofree char *wrong_conninfo = rd_test_pg_conninfo (login, "wrong");
  g_autoptr(RdDb) db = rd_db_new (conninfo);
  g_autoptr(RdDb) wrong = rd_db_new (wrong_conninfo);
  g_autoptr(RdWhoami) whoami = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_db_connect_sync (db, NULL, &error));
  g_assert_no_error (error);
  whoami = rd_staff_whoami_sync (db, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (whoami->login, ==, login);
  g_assert_cmpstr (whoami->display_name, ==, display_name);
  g_assert_cmpint (whoami->roles, ==, role);

  g_assert_false (rd_db_connect_sync (wrong, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH);
}

static void
test_staff_add (void)
{
  g_autofree char *admin = rd_test_pg_conninfo (RD_DEMO_ADMIN, RD_DEMO_PASSWORD);
  g_autofree char *directory = g_dir_make_tmp ("regdesk-ctl-XXXXXX", NULL);
  g_autofree char *password_file = g_build_filename (directory, "password", NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Run) from_file = { 0 };
  g_auto(Run) from_stdin = { 0 };
  g_auto(Run) again = { 0 };
  g_autoptr(JsonNode) added = NULL;

  g_file_set_contents (password_file, "Correct-Horse-7\nignored second line\n", -1, &error);
  g_assert_no_error (error);

  run_ctl (&from_file, NULL, "-d", admin, "staff", "add", "nurse_li", "--role", "clerk",
           "--display-name", "李护士", "--password-file", password_file, "--json", NULL);
  g_assert_cmpint (from_file.status, ==, 0);
  g_assert_cmpstr (from_file.err, ==, "");
  added = parse_json (from_file.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (added), "login"), ==,
                   "nurse_li");
  assert_login_works ("nurse_li", "Correct-Horse-7", "李护士", RD_ROLE_CLERK);

  /* Without a file the password comes from stdin, never from argv. */
  run_ctl (&from_stdin, "S3cret-on-stdin\n", "staff", "add", "cashier_wu",
           "--role", "finance", "-d", admin, NULL);
  g_assert_cmpint (from_stdin.status, ==, 0);
  g_assert_cmpstr (from_stdin.err, ==, "");
  assert_login_works ("cashier_wu", "S3cret-on-stdin", "cashier_wu", RD_ROLE_FINANCE);

  /* The same login twice is a refusal, not a usage error. */
  run_ctl (&again, "x\n", "-d", admin, "staff", "add", "nurse_li", "--role", "clerk", NULL);
  g_assert_cmpint (again.status, ==, 1);
  assert_one_error_line (&again);

  g_remove (password_file);
  g_rmdir (directory);
}

static void
test_staff_add_refused (void)
{
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autofree char *admin = rd_test_pg_conninfo (RD_DEMO_ADMIN, RD_DEMO_PASSWORD);
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) roles = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) as_clerk = { 0 };
  g_auto(Run) empty = { 0 };
  g_auto(Run) bad_name = { 0 };
  const char *params[] = { "mallory" };

  run_ctl (&as_clerk, "pw\n", "-d", clerk, "staff", "add", "mallory", "--role", "admin", NULL);
  g_assert_cmpint (as_clerk.status, ==, 1);
  assert_one_error_line (&as_clerk);
  g_assert_cmpstr (as_clerk.out, ==, "");

  run_ctl (&empty, "\n", "-d", admin, "staff", "add", "mallory", "--role", "clerk", NULL);
  g_assert_cmpint (empty.status, ==, 2);
  assert_one_error_line (&empty);

  run_ctl (&bad_name, "pw\n", "-d", admin, "staff", "add", "Mallory; DROP", "--role", "clerk",
           NULL);
  g_assert_cmpint (bad_name.status, ==, 1);
  assert_one_error_line (&bad_name);

  /* Nothing half-written: no role, no staff row. */
  roles = rd_db_query_sync (owner,
                            "SELECT (SELECT count(*) FROM pg_roles WHERE rolname = $1)"
                            "     + (SELECT count(*) FROM regdesk.staff WHERE login = $1)",
                            1, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (rd_result_get_int64 (roles, 0, 0), ==, 0);
}

static void
test_demo_load_twice (void)
{
  g_autofree char *owner = rd_test_pg_conninfo (NULL, NULL);
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_auto(Run) again = { 0 };
  g_auto(Run) as_clerk = { 0 };

  /* The fixture loaded it already: a refusal. */
  run_ctl (&again, NULL, "-d", owner, "demo", "load", "--seed", "7", NULL);
  g_assert_cmpint (again.status, ==, 1);
  assert_one_error_line (&again);

  run_ctl (&as_clerk, NULL, "-d", clerk, "demo", "load", NULL);
  g_assert_cmpint (as_clerk.status, ==, 1);
  assert_one_error_line (&as_clerk);
}

static void
test_demo_load_fresh (void)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) created = NULL;
  g_autoptr(RdDb) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *conninfo = conninfo_for_database (NULL, NULL, "regdesk_ctl_demo");
  g_auto(Run) migrate = { 0 };
  g_auto(Run) load = { 0 };
  gboolean loaded = FALSE;

  created = rd_db_query_sync (owner, "CREATE DATABASE regdesk_ctl_demo", 0, NULL, NULL, &error);
  g_assert_no_error (error);

  run_ctl (&migrate, NULL, "-d", conninfo, "db", "migrate", NULL);
  g_assert_cmpint (migrate.status, ==, 0);
  g_assert_nonnull (strstr (migrate.out, "0001"));

  run_ctl (&load, NULL, "-d", conninfo, "demo", "load", "--seed", "11", "--today", "2024-06-01",
           NULL);
  g_assert_cmpint (load.status, ==, 0);
  g_assert_cmpstr (load.err, ==, "");

  fresh = rd_db_new (conninfo);
  g_assert_true (rd_db_connect_sync (fresh, NULL, &error));
  g_assert_true (rd_demo_data_is_loaded_sync (fresh, &loaded, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (loaded);
}

static void
test_demo_serve (void)
{
  g_autofree char *directory = g_dir_make_tmp ("regdesk-ctl-serve-XXXXXX", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GString) json = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(RdDb) clerk = NULL;
  g_autoptr(RdDb) after = NULL;
  g_autoptr(RdWhoami) whoami = NULL;
  JsonObject *logins;

  g_chmod (directory, 0755);
  launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, ctl_path, "demo", "serve",
                                         "--dir", directory, "--json", NULL);
  g_assert_no_error (error);

  /* Pretty JSON: the object ends with a "}" line of its own. */
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      g_string_append_printf (json, "%s\n", line);
      if (g_str_equal (line, "}"))
        break;
    }

  root = parse_json (json->str);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "directory"), ==,
                   directory);
  logins = json_object_get_object_member (json_node_get_object (root), "logins");
  g_assert_true (json_object_has_member (logins, RD_DEMO_CLERK));
  g_assert_true (json_object_has_member (logins, RD_DEMO_ADMIN));

  clerk = rd_db_new (json_object_get_string_member (logins, RD_DEMO_CLERK));
  g_assert_true (rd_db_connect_sync (clerk, NULL, &error));
  g_assert_no_error (error);
  whoami = rd_staff_whoami_sync (clerk, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (whoami->roles, ==, RD_ROLE_CLERK);
  rd_db_close (clerk);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  /* It stopped the server it started. */
  after = rd_db_new (json_object_get_string_member (logins, RD_DEMO_CLERK));
  g_assert_false (rd_db_connect_sync (after, NULL, &error));
  g_assert_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION);

  remove_tree (directory);
}

/* The hospital's date @days from today (Asia/Shanghai), YYYY-MM-DD. */
static char *
hospital_date (int days)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Asia/Shanghai");
  g_autoptr(GDateTime) now = g_date_time_new_now (zone);
  g_autoptr(GDateTime) then = g_date_time_add_days (now, days);

  return g_date_time_format (then, "%Y-%m-%d");
}

static gint64
owner_int (const char *sql,
           const char *param)
{
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const char *params[] = { param };

  result = rd_db_query_sync (owner, sql, param != NULL ? 1 : 0, params, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (result), ==, 1);

  return rd_result_get_int64 (result, 0, 0);
}

/* A demo patient with no live appointment, so no booking rule gets in the
 * way; each call books nothing, so callers take them one at a time. */
static gint64
free_patient (void)
{
  return owner_int ("SELECT p.id FROM regdesk.patients p"
                    " WHERE NOT EXISTS (SELECT 1 FROM regdesk.appointments a"
                    "                    WHERE a.patient_id = p.id"
                    "                      AND a.status IN ('pending_payment', 'booked',"
                    "                                       'checked_in'))"
                    " ORDER BY p.id LIMIT 1", NULL);
}

static JsonNode *
run_json_ok (Run *run)
{
  g_assert_cmpint (run->status, ==, 0);
  g_assert_cmpstr (run->err, ==, "");

  return parse_json (run->out);
}

/* The first session (from tomorrow on) that matches, found through
 * "regdesk-ctl sessions" itself. */
static gint64
find_session (const char *status,
              const char *policy,
              gboolean    free_window)
{
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);

  for (int day = 1; day < 14; day++)
    {
      g_autofree char *date = hospital_date (day);
      g_auto(Run) run = { 0 };
      g_autoptr(JsonNode) root = NULL;
      JsonArray *sessions;

      run_ctl (&run, NULL, "-d", clerk, "sessions", "--date", date, NULL);
      root = run_json_ok (&run);
      sessions = json_node_get_array (root);
      for (guint i = 0; i < json_array_get_length (sessions); i++)
        {
          JsonObject *session = json_array_get_object_element (sessions, i);
          JsonObject *free = json_object_get_object_member (session, "free");

          if (g_str_equal (json_object_get_string_member (session, "status"), status)
              && g_str_equal (json_object_get_string_member (session, "policy"), policy)
              && (!free_window || json_object_get_int_member (free, "window") > 0))
            return json_object_get_int_member (session, "id");
        }
    }

  g_assert_not_reached ();
}

static void
test_sessions (void)
{
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autofree char *today = hospital_date (0);
  g_autofree char *department = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) dated = { 0 };
  g_auto(Run) one = { 0 };
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) same = NULL;
  g_autoptr(JsonNode) filtered = NULL;
  JsonArray *sessions;
  JsonArray *in_department;
  JsonObject *first;
  g_autofree char *in_department_sql = NULL;
  gint64 department_id;
  gint64 expected;

  run_ctl (&run, NULL, "-d", clerk, "sessions", NULL);
  all = run_json_ok (&run);
  sessions = json_node_get_array (all);
  expected = owner_int ("SELECT count(*) FROM api.session_overview WHERE date::text = $1",
                        today);
  g_assert_cmpint (expected, >, 0);
  g_assert_cmpint (json_array_get_length (sessions), ==, expected);

  first = json_array_get_object_element (sessions, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "date"), ==, today);
  g_assert_cmpint (json_object_get_int_member (first, "id"), >, 0);
  g_assert_nonnull (json_object_get_string_member (first, "department"));
  g_assert_nonnull (json_object_get_string_member (first, "doctor"));
  g_assert_nonnull (json_object_get_string_member (first, "period"));
  g_assert_nonnull (json_object_get_string_member (first, "policy"));
  g_assert_nonnull (json_object_get_string_member (first, "status"));
  g_assert_cmpint (json_object_get_int_member (first, "capacity"), >, 0);
  g_assert_true (json_object_has_member (first, "booked"));
  g_assert_true (json_object_has_member (json_object_get_object_member (first, "free"),
                                         "phone"));

  /* Today spelled out is the same list. */
  run_ctl (&dated, NULL, "-d", clerk, "sessions", "--date", today, NULL);
  same = run_json_ok (&dated);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (same)), ==, expected);

  department_id = json_object_get_int_member (first, "department_id");
  department = g_strdup_printf ("%" G_GINT64_FORMAT, department_id);
  run_ctl (&one, NULL, "-d", clerk, "sessions", "--department", department, NULL);
  filtered = run_json_ok (&one);
  in_department = json_node_get_array (filtered);
  /* Today's sessions of that department, no more: on a public holiday it
   * is the only one that sees patients. */
  in_department_sql = g_strdup_printf ("SELECT count(*) FROM api.session_overview "
                                       " WHERE date::text = $1 AND department_id = %"
                                       G_GINT64_FORMAT, department_id);
  g_assert_cmpint (json_array_get_length (in_department), ==,
                   owner_int (in_department_sql, today));
  if (owner_int ("SELECT count(DISTINCT department_id) FROM api.session_overview "
                 " WHERE date::text = $1", today) > 1)
    g_assert_cmpuint (json_array_get_length (in_department), <, expected);
  for (guint i = 0; i < json_array_get_length (in_department); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (in_department,
                                                                                i),
                                                 "department_id"), ==, department_id);
}

static gboolean
patients_contain (JsonArray *patients,
                  gint64     id)
{
  for (guint i = 0; i < json_array_get_length (patients); i++)
    {
      if (json_object_get_int_member (json_array_get_object_element (patients, i), "id") == id)
        return TRUE;
    }

  return FALSE;
}

static void
test_patients_search (void)
{
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) patient = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) by_name = NULL;
  g_autoptr(JsonNode) by_phone = NULL;
  g_autoptr(JsonNode) by_pinyin = NULL;
  g_autoptr(JsonNode) nobody = NULL;
  g_auto(Run) name_run = { 0 };
  g_auto(Run) phone_run = { 0 };
  g_auto(Run) pinyin_run = { 0 };
  g_auto(Run) nobody_run = { 0 };
  JsonArray *pinyin_matches;
  const char *pinyin;
  gint64 id;

  patient = rd_db_query_sync (owner, "SELECT id, name, pinyin, phone FROM regdesk.patients"
                              " WHERE phone IS NOT NULL ORDER BY id LIMIT 1", 0, NULL, NULL,
                              &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rd_result_get_n_rows (patient), ==, 1);
  id = rd_result_get_int64 (patient, 0, 0);
  pinyin = rd_result_get_string (patient, 0, 2);

  run_ctl (&name_run, NULL, "-d", clerk, "patients", "search",
           rd_result_get_string (patient, 0, 1), "--limit", "200", NULL);
  by_name = run_json_ok (&name_run);
  g_assert_true (patients_contain (json_node_get_array (by_name), id));

  run_ctl (&phone_run, NULL, "-d", clerk, "patients", "search",
           rd_result_get_string (patient, 0, 3), NULL);
  by_phone = run_json_ok (&phone_run);
  g_assert_true (patients_contain (json_node_get_array (by_phone), id));
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (json_node_get_array (by_phone), 0), "phone"),
                   ==, rd_result_get_string (patient, 0, 3));

  /* Initials are shared by many: every match has them, and --limit holds. */
  run_ctl (&pinyin_run, NULL, "-d", clerk, "patients", "search", pinyin, "-n", "5", NULL);
  by_pinyin = run_json_ok (&pinyin_run);
  pinyin_matches = json_node_get_array (by_pinyin);
  g_assert_cmpuint (json_array_get_length (pinyin_matches), >, 0);
  g_assert_cmpuint (json_array_get_length (pinyin_matches), <=, 5);
  for (guint i = 0; i < json_array_get_length (pinyin_matches); i++)
    {
      JsonObject *match = json_array_get_object_element (pinyin_matches, i);

      g_assert_true (g_str_has_prefix (json_object_get_string_member (match, "pinyin"), pinyin));
    }

  run_ctl (&nobody_run, NULL, "-d", clerk, "patients", "search", "qqqqqqqq", NULL);
  nobody = run_json_ok (&nobody_run);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (nobody)), ==, 0);
}

static void
test_book_cancel (void)
{
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autofree char *session = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              find_session ("open", "fcfs", TRUE));
  g_autofree char *patient = g_strdup_printf ("%" G_GINT64_FORMAT, free_patient ());
  g_autofree char *request_id = g_uuid_string_random ();
  g_autofree char *appointment = NULL;
  g_autofree char *tomorrow = hospital_date (1);
  g_auto(Run) book = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) pay = { 0 };
  g_auto(Run) checkin = { 0 };
  g_auto(Run) cancel = { 0 };
  g_auto(Run) cancel_again = { 0 };
  g_autoptr(JsonNode) booked = NULL;
  g_autoptr(JsonNode) rebooked = NULL;
  g_autoptr(JsonNode) paid = NULL;
  g_autoptr(JsonNode) cancelled = NULL;
  JsonObject *result;
  const char *order_no;
  gint64 fee;

  run_ctl (&book, NULL, "-d", clerk, "book", "--session", session, "--patient", patient,
           "--channel", "window", "--request-id", request_id, NULL);
  booked = run_json_ok (&book);
  result = json_node_get_object (booked);
  g_assert_cmpint (json_object_get_int_member (result, "appointment_id"), >, 0);
  g_assert_cmpint (json_object_get_int_member (result, "slot_seq"), >, 0);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "pending_payment");
  order_no = json_object_get_string_member (result, "order_no");
  g_assert_true (g_str_has_prefix (order_no, "R"));
  appointment = g_strdup_printf ("%" G_GINT64_FORMAT,
                                 json_object_get_int_member (result, "appointment_id"));

  /* The same request id again: the same booking, nothing new. */
  run_ctl (&again, NULL, "-d", clerk, "book", "--request-id", request_id, "--session", session,
           "--patient", patient, NULL);
  rebooked = run_json_ok (&again);
  g_assert_true (json_node_equal (booked, rebooked));
  g_assert_cmpint (owner_int ("SELECT count(*) FROM regdesk.appointments"
                              " WHERE patient_id = $1::bigint"
                              "   AND status IN ('pending_payment', 'booked', 'checked_in')",
                              patient), ==, 1);

  fee = owner_int ("SELECT fee FROM regdesk.sessions WHERE id = $1::bigint", session);
  {
    g_autofree char *tendered = g_strdup_printf ("%" G_GINT64_FORMAT ".50", fee / 100 + 1);

    run_ctl (&pay, NULL, "-d", clerk, "pay", "cash", "--order", order_no,
             "--tendered", tendered, NULL);
  }
  paid = run_json_ok (&pay);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (paid), "order_no"), ==,
                   order_no);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (paid), "amount"), ==, fee);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (paid), "change"), ==,
                   (fee / 100 + 1) * 100 + 50 - fee);

  /* Check-in is on the day only: tomorrow's is a refusal. */
  run_ctl (&checkin, NULL, "-d", clerk, "checkin", "--appointment", appointment, NULL);
  g_assert_cmpint (checkin.status, ==, 1);
  assert_one_error_line (&checkin);
  g_assert_cmpstr (checkin.out, ==, "");

  run_ctl (&cancel, NULL, "-d", clerk, "cancel", "--appointment", appointment,
           "--reason", "patient called", NULL);
  cancelled = run_json_ok (&cancel);
  result = json_node_get_object (cancelled);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "cancelled");
  g_assert_cmpint (json_object_get_int_member (result, "refunded_amount"), ==, fee);
  g_assert_cmpstr (json_object_get_string_member (result, "order_no"), ==, order_no);
  g_assert_cmpint (owner_int ("SELECT count(*) FROM regdesk.appointments"
                              " WHERE id = $1::bigint AND status = 'cancelled'", appointment),
                   ==, 1);

  run_ctl (&cancel_again, NULL, "-d", clerk, "cancel", "--appointment", appointment, NULL);
  g_assert_cmpint (cancel_again.status, ==, 1);
  assert_one_error_line (&cancel_again);
  g_assert_cmpstr (cancel_again.out, ==, "");
}

static void
test_book_refused (void)
{
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autofree char *finance = rd_test_pg_conninfo (RD_DEMO_FINANCE, RD_DEMO_PASSWORD);
  g_autofree char *suspended = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                find_session ("suspended", "fcfs", FALSE));
  g_autofree char *open = g_strdup_printf ("%" G_GINT64_FORMAT,
                                           find_session ("open", "fcfs", TRUE));
  g_autofree char *patient = g_strdup_printf ("%" G_GINT64_FORMAT, free_patient ());
  gint64 before = owner_int ("SELECT count(*) FROM regdesk.appointments", NULL);
  /* A word is a usage error (2) before any connection; a number the
   * database does not know is a refusal (1). */
  static const struct
  {
    const char *session;
    int         status;
  } bad_sessions[] = {
    { "abc", 2 }, { "0", 2 }, { "-3", 2 }, { "12x", 2 }, { "", 2 },
    { "999999999", 1 },
  };

  {
    g_auto(Run) run = { 0 };

    run_ctl (&run, NULL, "-d", clerk, "book", "--session", suspended, "--patient", patient, NULL);
    g_assert_cmpint (run.status, ==, 1);
    assert_one_error_line (&run);
    g_assert_cmpstr (run.out, ==, "");
  }

  for (guint i = 0; i < G_N_ELEMENTS (bad_sessions); i++)
    {
      g_auto(Run) run = { 0 };

      run_ctl (&run, NULL, "-d", clerk, "book", "--session", bad_sessions[i].session,
               "--patient", patient, NULL);
      g_assert_cmpint (run.status, ==, bad_sessions[i].status);
      assert_one_error_line (&run);
      g_assert_cmpstr (run.out, ==, "");
    }

  /* Finance staff may not book: a permission refusal. */
  {
    g_auto(Run) run = { 0 };

    run_ctl (&run, NULL, "-d", finance, "book", "--session", open, "--patient", patient, NULL);
    g_assert_cmpint (run.status, ==, 1);
    assert_one_error_line (&run);
  }

  g_assert_cmpint (owner_int ("SELECT count(*) FROM regdesk.appointments", NULL), ==, before);
}

static void
test_lottery_draw (void)
{
  g_autofree char *manager = rd_test_pg_conninfo (RD_DEMO_MANAGER, RD_DEMO_PASSWORD);
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_autoptr(RdDb) owner = rd_test_pg_connect (NULL, NULL);
  g_autoptr(RdResult) moved = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) drawn = NULL;
  g_autoptr(JsonNode) preview = NULL;
  g_autofree char *session = g_strdup_printf ("%" G_GINT64_FORMAT,
                                              find_session ("open", "lottery", FALSE));
  const char *params[] = { session };
  g_auto(Run) early = { 0 };
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };
  g_auto(Run) as_clerk = { 0 };
  g_auto(Run) previewed = { 0 };
  JsonArray *ranks;
  JsonArray *preview_ranks;
  gint64 requests;
  guint won = 0;

  /* Before its draw time the draw is refused (the demo's draw times follow
   * the clock, so set one in the future here). */
  moved = rd_db_query_sync (owner, "UPDATE regdesk.sessions"
                            "   SET lottery_draw_at = now() + interval '1 hour'"
                            " WHERE id = $1::bigint", 1, params, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&moved, rd_result_unref);
  run_ctl (&early, NULL, "-d", manager, "lottery", "draw", "--session", session, NULL);
  g_assert_cmpint (early.status, ==, 1);
  assert_one_error_line (&early);

  requests = owner_int ("SELECT count(*) FROM regdesk.lottery_requests"
                        " WHERE session_id = $1::bigint AND status = 'pending'", session);
  g_assert_cmpint (requests, >, 0);
  moved = rd_db_query_sync (owner, "UPDATE regdesk.sessions"
                            "   SET lottery_draw_at = now() - interval '1 minute'"
                            " WHERE id = $1::bigint", 1, params, NULL, &error);
  g_assert_no_error (error);

  run_ctl (&first, NULL, "-d", manager, "lottery", "draw", "--session", session, NULL);
  drawn = run_json_ok (&first);
  run_ctl (&second, NULL, "-d", manager, "lottery", "draw", "--session", session, NULL);
  g_assert_cmpint (second.status, ==, 0);
  g_assert_cmpstr (second.out, ==, first.out);

  ranks = json_object_get_array_member (json_node_get_object (drawn), "ranks");
  g_assert_cmpint (json_array_get_length (ranks), ==, requests);
  for (guint i = 0; i < json_array_get_length (ranks); i++)
    {
      JsonObject *rank = json_array_get_object_element (ranks, i);
      const char *status = json_object_get_string_member (rank, "status");

      g_assert_cmpint (json_object_get_int_member (rank, "rank"), ==, i + 1);
      g_assert_true (g_str_equal (status, "won") || g_str_equal (status, "lost"));
      if (g_str_equal (status, "won"))
        {
          g_assert_false (json_object_get_null_member (rank, "appointment_id"));
          won++;
        }
    }
  g_assert_cmpuint (won, >, 0);

  /* A clerk may not draw, but may see the order, which is the draw's. */
  run_ctl (&as_clerk, NULL, "-d", clerk, "lottery", "draw", "--session", session, NULL);
  g_assert_cmpint (as_clerk.status, ==, 1);
  assert_one_error_line (&as_clerk);

  run_ctl (&previewed, NULL, "-d", clerk, "lottery", "draw", "--session", session, "--preview",
           NULL);
  preview = run_json_ok (&previewed);
  preview_ranks = json_object_get_array_member (json_node_get_object (preview), "ranks");
  g_assert_cmpuint (json_array_get_length (preview_ranks), ==, json_array_get_length (ranks));
  for (guint i = 0; i < json_array_get_length (ranks); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (ranks, i),
                                                    "request_id"), ==,
                     json_object_get_string_member (
                       json_array_get_object_element (preview_ranks, i), "request_id"));
}

static void
test_maintenance_run (void)
{
  g_autofree char *admin = rd_test_pg_conninfo (RD_DEMO_ADMIN, RD_DEMO_PASSWORD);
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_auto(Run) first = { 0 };
  g_auto(Run) second = { 0 };
  g_auto(Run) text = { 0 };
  g_auto(Run) as_clerk = { 0 };
  g_autoptr(JsonNode) counts = NULL;
  g_autoptr(JsonNode) again = NULL;
  JsonObject *after;

  run_ctl (&first, NULL, "-d", admin, "maintenance", "run", "--json", NULL);
  counts = run_json_ok (&first);
  g_assert_true (json_object_has_member (json_node_get_object (counts), "expired"));
  g_assert_true (json_object_has_member (json_node_get_object (counts), "lotteries_drawn"));

  /* Everything due was done the first time. */
  run_ctl (&second, NULL, "-d", admin, "maintenance", "run", "--json", NULL);
  again = run_json_ok (&second);
  after = json_node_get_object (again);
  g_assert_cmpint (json_object_get_int_member (after, "expired"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (after, "lotteries_drawn"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (after, "released"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (after, "no_shows"), ==, 0);

  run_ctl (&text, NULL, "-d", admin, "maintenance", "run", NULL);
  g_assert_cmpint (text.status, ==, 0);
  g_assert_nonnull (strstr (text.out, ": 0\n"));

  run_ctl (&as_clerk, NULL, "-d", clerk, "maintenance", "run", NULL);
  g_assert_cmpint (as_clerk.status, ==, 1);
  assert_one_error_line (&as_clerk);
  g_assert_cmpstr (as_clerk.out, ==, "");
}

static void
test_gateway_sim (void)
{
  g_autofree char *directory = g_dir_make_tmp ("regdesk-ctl-sim-XXXXXX", NULL);
  g_autofree char *credentials = g_build_filename (directory, "gateways.ini", NULL);
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autoptr(JsonNode) started = NULL;
  g_autoptr(JsonNode) stats = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autofree char *stats_text = NULL;
  JsonObject *object;
  GStatBuf info;

  process = g_subprocess_launcher_spawn (launcher, &error, ctl_path, "gateway-sim",
                                         "--credentials", credentials, NULL);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  started = parse_json (line);
  object = json_node_get_object (started);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "base_url"),
                                   "http://127.0.0.1:"));
  g_assert_cmpstr (json_object_get_string_member (object, "credentials"), ==, credentials);

  g_assert_cmpint (g_stat (credentials, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0777, ==, 0600);
  g_key_file_load_from_file (keys, credentials, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  g_assert_true (g_key_file_has_group (keys, "wechatpay"));

  url = g_strconcat (json_object_get_string_member (object, "base_url"), "/sim/stats", NULL);
  message = soup_message_new ("GET", url);
  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (soup_message_get_status (message), ==, SOUP_STATUS_OK);
  stats_text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  stats = parse_json (stats_text);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stats), "paid_twice"), ==,
                   0);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);

  remove_tree (directory);
}

static void
test_bench_booking (void)
{
  g_autofree char *owner = rd_test_pg_conninfo (NULL, NULL);
  g_autofree char *clerk = rd_test_pg_conninfo (RD_DEMO_CLERK, RD_DEMO_PASSWORD);
  g_auto(Run) run = { 0 };
  g_auto(Run) as_clerk = { 0 };
  g_auto(Run) no_file = { 0 };
  g_auto(Run) refused = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *extra = NULL;
  JsonObject *result;
  int fd;

  run_ctl (&run, NULL, "-d", owner, "bench", "booking", "--clients", "2", "--seconds", "1",
           "--rounds", "1", NULL);
  root = run_json_ok (&run);
  result = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (result, "overbooked"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (result, "duplicates"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (result, "clients"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (result, "booked"), >, 0);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "rounds")),
                    ==, 1);

  /* Staff logins cannot create the scratch databases: refused up front. */
  run_ctl (&as_clerk, NULL, "-d", clerk, "bench", "booking", "-c", "1", "-T", "1", NULL);
  g_assert_cmpint (as_clerk.status, ==, 1);
  assert_one_error_line (&as_clerk);
  g_assert_cmpstr (as_clerk.out, ==, "");

  /* --extra-sql: a file that is not there is one clear line, before any
   * database is touched. */
  run_ctl (&no_file, NULL, "-d", owner, "bench", "booking", "-c", "1", "-T", "1",
           "--extra-sql", "/nonexistent/change.sql", NULL);
  g_assert_cmpint (no_file.status, ==, 1);
  assert_one_error_line (&no_file);
  g_assert_nonnull (strstr (no_file.err, "/nonexistent/change.sql"));

  /* The script runs in the booking database after its migrations: a rule
   * it adds refuses every booking of the storm, and the bench says so. */
  fd = g_file_open_tmp (NULL, &extra, &error);
  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (extra,
                       "ALTER TABLE regdesk.appointments\n"
                       "  ADD CONSTRAINT bench_refuses_all CHECK (false) NOT VALID;\n",
                       -1, &error);
  g_assert_no_error (error);
  run_ctl (&refused, NULL, "-d", owner, "bench", "booking", "-c", "1", "-T", "1", "-r", "1",
           "--extra-sql", extra, NULL);
  g_assert_cmpint (refused.status, ==, 1);
  assert_one_error_line (&refused);
  g_assert_nonnull (strstr (refused.err, "bench_refuses_all"));
  g_assert_cmpstr (refused.out, ==, "");
  g_unlink (extra);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* meson passes the binary under test. */
  g_assert_cmpint (argc, ==, 2);
  ctl_path = argv[1];
  g_assert_true (g_file_test (ctl_path, G_FILE_TEST_IS_EXECUTABLE));

  rd_test_pg_load_demo ();

  g_test_add_func ("/ctl/help", test_help);
  g_test_add_func ("/ctl/usage-errors", test_usage_errors);
  g_test_add_func ("/ctl/db-migrate-twice", test_migrate_twice);
  g_test_add_func ("/ctl/env-conninfo", test_env_conninfo);
  g_test_add_func ("/ctl/bad-conninfo", test_bad_conninfo);
  g_test_add_func ("/ctl/stopped-server", test_stopped_server);
  g_test_add_func ("/ctl/staff-add", test_staff_add);
  g_test_add_func ("/ctl/staff-add-refused", test_staff_add_refused);
  g_test_add_func ("/ctl/demo-load-twice", test_demo_load_twice);
  g_test_add_func ("/ctl/demo-load-fresh", test_demo_load_fresh);
  g_test_add_func ("/ctl/demo-serve", test_demo_serve);
  g_test_add_func ("/ctl/sessions", test_sessions);
  g_test_add_func ("/ctl/patients-search", test_patients_search);
  g_test_add_func ("/ctl/book-cancel", test_book_cancel);
  g_test_add_func ("/ctl/book-refused", test_book_refused);
  g_test_add_func ("/ctl/lottery-draw", test_lottery_draw);
  g_test_add_func ("/ctl/maintenance-run", test_maintenance_run);
  g_test_add_func ("/ctl/gateway-sim", test_gateway_sim);
  g_test_add_func ("/ctl/bench-booking", test_bench_booking);

  return g_test_run ();
}
