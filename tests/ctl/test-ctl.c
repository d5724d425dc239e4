/* test-ctl.c: the regdesk-ctl binary against a private server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

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
    "db migrate", "db status", "staff add", "demo load", "demo serve",
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
  static const char *cases[][6] = {
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
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };

      run_ctl (&run, NULL,
               cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4], cases[i][5]);
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

  return g_test_run ();
}
