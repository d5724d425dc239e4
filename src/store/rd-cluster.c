/* rd-cluster.c: a private PostgreSQL cluster (embedded demo, tests)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <locale.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>

#include "rd-cluster.h"
#include "rd-store-error-private.h"

#define PORT "5432"
/* sun_path holds 108 bytes; stay well clear of it. */
#define MAX_SOCKET_PATH 100
#define START_TIMEOUT_US (60 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define CONFIG_MARKER "# Regdesk private cluster"

/* What the child needs after fork(): only plain data, used with
 * async-signal-safe calls. */
typedef struct
{
  gboolean  switch_user;
  uid_t     uid;
  gid_t     gid;
  gid_t    *groups;
  int       n_groups;
  gboolean  die_with_parent;
  pid_t     parent;
} ChildSetup;

struct _RdCluster
{
  GObject      parent_instance;

  char        *directory;
  char        *data_dir;
  char        *log_path;
  char        *bindir;
  gboolean     ephemeral;

  /* The server was started by this object (and is ours to stop). */
  gboolean     started;
  GSubprocess *server;

  /* When root runs us, the server runs as this user. */
  gboolean     switch_user;
  char        *run_user;
  uid_t        run_uid;
  gid_t        run_gid;
  gid_t       *run_groups;
  int          n_run_groups;
};

G_DEFINE_FINAL_TYPE (RdCluster, rd_cluster, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
has_initdb (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "initdb", NULL);

  return g_file_test (path, G_FILE_TEST_IS_EXECUTABLE);
}

static char *
bindir_from_pg_config (void)
{
  g_autofree char *pg_config = g_find_program_in_path ("pg_config");
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;

  if (pg_config == NULL)
    return NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                              NULL, pg_config, "--bindir", NULL);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, NULL) ||
      !g_subprocess_get_if_exited (process) ||
      g_subprocess_get_exit_status (process) != 0 ||
      out == NULL)
    return NULL;

  g_strstrip (out);
  if (!has_initdb (out))
    return NULL;

  return g_steal_pointer (&out);
}

/* The newest of /usr/lib/postgresql/<N>/bin (Debian) or /usr/pgsql-<N>/bin
 * (PGDG RPMs). */
static char *
bindir_from_versions (const char *parent,
                      const char *prefix,
                      const char *suffix)
{
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  g_autofree char *best = NULL;
  double best_version = -1;
  const char *name;

  if (dir == NULL)
    return NULL;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *candidate = NULL;
      double version;
      char *end;

      if (!g_str_has_prefix (name, prefix))
        continue;

      version = g_ascii_strtod (name + strlen (prefix), &end);
      if (end == name + strlen (prefix) || *end != '\0')
        continue;

      candidate = g_build_filename (parent, name, suffix, NULL);
      if (version > best_version && has_initdb (candidate))
        {
          best_version = version;
          g_free (best);
          best = g_steal_pointer (&candidate);
        }
    }

  return g_steal_pointer (&best);
}

static char *
find_bindir (GError **error)
{
  const char *env = g_getenv ("REGDESK_PG_BINDIR");
  g_autofree char *initdb = NULL;
  char *dir;

  if (env != NULL && *env != '\0')
    {
      if (has_initdb (env))
        return g_strdup (env);

      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                   _("REGDESK_PG_BINDIR is “%s”, but there is no initdb in it; install the "
                     "“postgresql” package or point REGDESK_PG_BINDIR at its programs"),
                   env);
      return NULL;
    }

  if ((dir = bindir_from_pg_config ()) != NULL ||
      (dir = bindir_from_versions ("/usr/lib/postgresql", "", "bin")) != NULL ||
      (dir = bindir_from_versions ("/usr", "pgsql-", "bin")) != NULL)
    return dir;

  initdb = g_find_program_in_path ("initdb");
  if (initdb != NULL)
    return g_path_get_dirname (initdb);

  g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                       _("The PostgreSQL server programs (initdb, pg_ctl, postgres) were not "
                         "found; install the “postgresql” package or set REGDESK_PG_BINDIR"));
  return NULL;
}

static void
append_conninfo_value (GString    *str,
                       const char *keyword,
                       const char *value)
{
  if (str->len > 0)
    g_string_append_c (str, ' ');

  /* libpq: single quotes, with \ escaping ' and \ inside. */
  g_string_append_printf (str, "%s='", keyword);
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\'' || *p == '\\')
        g_string_append_c (str, '\\');
      g_string_append_c (str, *p);
    }
  g_string_append_c (str, '\'');
}

static char *
build_conninfo (RdCluster  *self,
                const char *dbname,
                const char *user,
                const char *password)
{
  GString *str = g_string_new (NULL);

  append_conninfo_value (str, "host", self->directory);
  append_conninfo_value (str, "port", PORT);
  append_conninfo_value (str, "dbname", dbname);
  append_conninfo_value (str, "user", user != NULL ? user : RD_CLUSTER_OWNER);
  if (password != NULL)
    append_conninfo_value (str, "password", password);

  return g_string_free (str, FALSE);
}

/* A postgresql.conf string literal. */
static char *
conf_quote (const char *value)
{
  g_autofree char *doubled = NULL;
  g_auto(GStrv) parts = g_strsplit (value, "'", -1);

  doubled = g_strjoinv ("''", parts);

  return g_strdup_printf ("'%s'", doubled);
}

static void
child_setup_free (ChildSetup *setup)
{
  g_free (setup->groups);
  g_free (setup);
}

static void
child_setup (gpointer data)
{
  static const char switch_failed[] = "regdesk: could not switch to the server user\n";
  ChildSetup *setup = data;

  if (setup->switch_user)
    {
      if (setgroups ((size_t) setup->n_groups, setup->groups) != 0 ||
          setgid (setup->gid) != 0 ||
          setuid (setup->uid) != 0)
        {
          if (write (STDERR_FILENO, switch_failed, sizeof switch_failed - 1) < 0)
            _exit (126);
          _exit (126);
        }
    }

  /* After setuid(), which clears it. The server dies with us: a test that
   * crashes leaves no server behind. */
  if (setup->die_with_parent)
    {
      if (prctl (PR_SET_PDEATHSIG, SIGQUIT) != 0 || getppid () != setup->parent)
        _exit (125);
    }
}

static GSubprocessLauncher *
rd_cluster_launcher (RdCluster        *self,
                     GSubprocessFlags  flags,
                     gboolean          die_with_parent)
{
  static const char * const unset[] = {
    "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATA", "PGUSER", "PGDATABASE", "PGOPTIONS",
    "PGSERVICE", "PGPASSWORD", "PGPASSFILE", "PGTZ",
  };
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);
  ChildSetup *setup = g_new0 (ChildSetup, 1);

  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    g_subprocess_launcher_unsetenv (launcher, unset[i]);

  /* initdb, pg_ctl and the server speak English: their output ends up in
   * errors and logs, and gettext would follow LANGUAGE past lc_messages. */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");

  /* Somewhere the server user may be (it may not enter our cwd or HOME). */
  g_subprocess_launcher_set_cwd (launcher, self->directory);
  if (self->switch_user)
    g_subprocess_launcher_setenv (launcher, "HOME", self->directory, TRUE);

  setup->switch_user = self->switch_user;
  setup->uid = self->run_uid;
  setup->gid = self->run_gid;
  setup->groups = g_memdup2 (self->run_groups, sizeof (gid_t) * (gsize) self->n_run_groups);
  setup->n_groups = self->n_run_groups;
  setup->die_with_parent = die_with_parent;
  setup->parent = getpid ();
  g_subprocess_launcher_set_child_setup (launcher, child_setup, setup,
                                         (GDestroyNotify) child_setup_free);

  return launcher;
}

static char *
program_path (RdCluster  *self,
              const char *program)
{
  return g_build_filename (self->bindir, program, NULL);
}

/* The lines of the server log that say what went wrong, on one line. */
static char *
log_excerpt (RdCluster *self)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) str = g_string_new (NULL);
  guint n_lines;
  guint start;

  if (!g_file_get_contents (self->log_path, &contents, NULL, NULL))
    return g_strdup ("");

  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  start = n_lines > 4 ? n_lines - 4 : 0;

  for (guint i = start; i < n_lines; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (*line == '\0')
        continue;
      if (str->len > 0)
        g_string_append (str, " / ");
      g_string_append (str, line);
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* Runs a server program to completion; its output goes into the error. */
static gboolean
run_tool (RdCluster           *self,
          const char * const  *argv,
          GCancellable        *cancellable,
          GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *out = NULL;
  g_autofree char *one_line = NULL;

  launcher = rd_cluster_launcher (self,
                                  G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                  G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                  FALSE);
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    return FALSE;

  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, &out, NULL, error))
    {
      g_subprocess_force_exit (process);
      return FALSE;
    }

  if (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0)
    return TRUE;

  one_line = rd_store_error_one_line (out);
  g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
               _("%s failed: %s"), argv[0], one_line);

  return FALSE;
}

static gboolean
write_config_file (RdCluster   *self,
                   const char  *path,
                   const char  *contents,
                   GError     **error)
{
  if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;

  if (self->switch_user && chown (path, self->run_uid, self->run_gid) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Could not hand %s to the server user: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Local connections only: trust for the owner (the socket lives in a
 * directory nobody else can enter), SCRAM for staff logins. */
static gboolean
rd_cluster_configure (RdCluster  *self,
                      GError    **error)
{
  g_autofree char *hba_path = g_build_filename (self->data_dir, "pg_hba.conf", NULL);
  g_autofree char *conf_path = g_build_filename (self->data_dir, "postgresql.conf", NULL);
  g_autofree char *conf = NULL;
  g_autofree char *socket_dir = conf_quote (self->directory);
  g_autoptr(GString) settings = g_string_new (NULL);
  static const char hba[] =
    "# Regdesk private cluster: Unix socket only.\n"
    "# TYPE  DATABASE  USER            METHOD\n"
    "local   all       " RD_CLUSTER_OWNER "   trust\n"
    "local   all       all             scram-sha-256\n";
  char *marker;

  if (!g_file_get_contents (conf_path, &conf, NULL, error))
    return FALSE;

  /* Our block goes last, rewritten each time: the directory may have been
   * moved or copied from a template since. */
  marker = strstr (conf, "\n" CONFIG_MARKER "\n");
  if (marker != NULL)
    g_string_append_len (settings, conf, marker - conf);
  else
    g_string_append (settings, conf);
  g_string_append (settings, "\n" CONFIG_MARKER "\n");
  g_string_append (settings, "listen_addresses = ''\n");
  g_string_append (settings, "port = " PORT "\n");
  g_string_append_printf (settings, "unix_socket_directories = %s\n", socket_dir);
  /* The server user and the client differ when root runs us; the 0700
   * directory around the socket keeps everyone else out. */
  g_string_append (settings, "unix_socket_permissions = 0777\n");
  g_string_append (settings, "timezone = 'Asia/Shanghai'\n");
  g_string_append (settings, "log_timezone = 'Asia/Shanghai'\n");
  /* English messages whatever the desktop language: the log stays readable
   * to support, and clients can still tell a refused login from the text. */
  g_string_append (settings, "lc_messages = 'C'\n");
  g_string_append (settings, "max_connections = 100\n");
  g_string_append (settings, "shared_buffers = 128MB\n");
  g_string_append (settings, "password_encryption = 'scram-sha-256'\n");
  if (self->ephemeral)
    {
      g_string_append (settings, "fsync = off\n");
      g_string_append (settings, "synchronous_commit = off\n");
      g_string_append (settings, "full_page_writes = off\n");
    }

  if (g_str_equal (settings->str, conf))
    return TRUE;

  return write_config_file (self, hba_path, hba, error) &&
         write_config_file (self, conf_path, settings->str, error);
}

static gboolean
rd_cluster_initdb (RdCluster     *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *initdb = program_path (self, "initdb");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  locale_t c_utf8 = newlocale (LC_ALL_MASK, "C.UTF-8", (locale_t) 0);

  /* C.UTF-8 sorts by code point and exists nearly everywhere; plain C with
   * UTF8 encoding where it does not. */
  g_ptr_array_add (argv, initdb);
  g_ptr_array_add (argv, (char *) "-D");
  g_ptr_array_add (argv, self->data_dir);
  g_ptr_array_add (argv, (char *) "-U");
  g_ptr_array_add (argv, (char *) RD_CLUSTER_OWNER);
  g_ptr_array_add (argv, (char *) "-E");
  g_ptr_array_add (argv, (char *) "UTF8");
  g_ptr_array_add (argv, (char *) (c_utf8 != (locale_t) 0 ? "--locale=C.UTF-8" : "--locale=C"));
  g_ptr_array_add (argv, (char *) "--auth-local=trust");
  g_ptr_array_add (argv, (char *) "--auth-host=reject");
  if (self->ephemeral)
    g_ptr_array_add (argv, (char *) "--no-sync");
  g_ptr_array_add (argv, NULL);

  if (c_utf8 != (locale_t) 0)
    freelocale (c_utf8);

  g_debug ("Creating a database cluster in %s", self->data_dir);

  return run_tool (self, (const char * const *) argv->pdata, cancellable, error);
}

static char *
rd_cluster_admin_conninfo (RdCluster *self)
{
  return build_conninfo (self, "postgres", RD_CLUSTER_OWNER, NULL);
}

/* The pid of a postmaster serving our data directory, or 0. */
static pid_t
rd_cluster_find_postmaster (RdCluster *self)
{
  g_autofree char *pid_path = g_build_filename (self->data_dir, "postmaster.pid", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  gint64 pid;

  if (!g_file_get_contents (pid_path, &contents, NULL, NULL))
    return 0;

  /* pid, data directory, start time, port, socket directory, ... */
  lines = g_strsplit (contents, "\n", -1);
  if (g_strv_length (lines) < 5)
    return 0;

  pid = g_ascii_strtoll (lines[0], NULL, 10);
  if (pid <= 0 || pid > G_MAXINT)
    return 0;

  if (g_strcmp0 (lines[1], self->data_dir) != 0 || g_strcmp0 (lines[4], self->directory) != 0)
    return 0;

  if (kill ((pid_t) pid, 0) != 0 && errno != EPERM)
    return 0;

  return (pid_t) pid;
}

static gboolean
rd_cluster_wait_ready (RdCluster     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *conninfo = rd_cluster_admin_conninfo (self);
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_US;

  for (;;)
    {
      g_autofree char *excerpt = NULL;

      if (PQping (conninfo) == PQPING_OK)
        return TRUE;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (self->server != NULL && g_subprocess_get_identifier (self->server) == NULL)
        {
          excerpt = log_excerpt (self);
          g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                       _("The database server stopped while starting: %s (see %s)"),
                       excerpt, self->log_path);
          return FALSE;
        }

      if (g_get_monotonic_time () > deadline)
        {
          excerpt = log_excerpt (self);
          g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                       _("The database server did not start within a minute: %s (see %s)"),
                       excerpt, self->log_path);
          return FALSE;
        }

      g_usleep (20 * 1000);
    }
}

static gboolean
rd_cluster_launch (RdCluster     *self,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autofree char *pg_ctl = program_path (self, "pg_ctl");
  g_autofree char *postgres = program_path (self, "postgres");

  if (self->ephemeral)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      const char *argv[] = { postgres, "-D", self->data_dir, NULL };

      /* Our own child, killed when this process dies. */
      launcher = rd_cluster_launcher (self,
                                      G_SUBPROCESS_FLAGS_STDERR_MERGE,
                                      TRUE);
      g_subprocess_launcher_set_stdout_file_path (launcher, self->log_path);
      self->server = g_subprocess_launcher_spawnv (launcher, argv, error);
      if (self->server == NULL)
        return FALSE;
    }
  else
    {
      const char *argv[] = {
        pg_ctl, "-D", self->data_dir, "-l", self->log_path, "-w", "-t", "60", "start", NULL
      };

      if (!run_tool (self, argv, cancellable, error))
        {
          g_autofree char *excerpt = log_excerpt (self);

          g_prefix_error (error, "%s (%s) — ", excerpt, self->log_path);
          return FALSE;
        }
    }

  self->started = TRUE;

  return TRUE;
}

static gboolean
rd_cluster_create_database (RdCluster  *self,
                            GError    **error)
{
  g_autofree char *conninfo = rd_cluster_admin_conninfo (self);
  const char *params[] = { RD_CLUSTER_DATABASE };
  PGconn *conn;
  PGresult *result;
  gboolean ok = TRUE;

  conn = PQconnectdb (conninfo);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_propagate_error (error, rd_store_error_new_from_connection (conn));
      PQfinish (conn);
      return FALSE;
    }

  result = PQexecParams (conn, "SELECT 1 FROM pg_database WHERE datname = $1",
                         1, NULL, params, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    {
      g_propagate_error (error, rd_store_error_new_from_result (result, conn));
      ok = FALSE;
    }
  else if (PQntuples (result) == 0)
    {
      PGresult *created = PQexec (conn, "CREATE DATABASE " RD_CLUSTER_DATABASE);
      const char *sqlstate = PQresultErrorField (created, PG_DIAG_SQLSTATE);

      /* 42P04: another starter created it just now. */
      if (PQresultStatus (created) != PGRES_COMMAND_OK && g_strcmp0 (sqlstate, "42P04") != 0)
        {
          g_propagate_error (error, rd_store_error_new_from_result (created, conn));
          ok = FALSE;
        }
      PQclear (created);
    }

  PQclear (result);
  PQfinish (conn);

  return ok;
}

static gboolean
rd_cluster_resolve_user (RdCluster  *self,
                         GError    **error)
{
  struct passwd *pw;
  int n_groups = 0;

  if (geteuid () != 0 || self->switch_user)
    return TRUE;

  /* PostgreSQL refuses to run as root. */
  pw = getpwnam ("postgres");
  if (pw == NULL)
    pw = getpwnam ("nobody");
  if (pw == NULL)
    {
      g_set_error_literal (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                           _("Running as root, but there is neither a “postgres” nor a “nobody” "
                             "user to run the database server as"));
      return FALSE;
    }

  self->switch_user = TRUE;
  self->run_user = g_strdup (pw->pw_name);
  self->run_uid = pw->pw_uid;
  self->run_gid = pw->pw_gid;

  /* Computed here: the child may only make async-signal-safe calls. */
  getgrouplist (self->run_user, self->run_gid, NULL, &n_groups);
  self->run_groups = g_new0 (gid_t, MAX (n_groups, 1));
  if (getgrouplist (self->run_user, self->run_gid, self->run_groups, &n_groups) < 0)
    n_groups = 0;
  if (n_groups == 0)
    {
      self->run_groups[0] = self->run_gid;
      n_groups = 1;
    }
  self->n_run_groups = n_groups;

  return TRUE;
}

static gboolean
can_enter (RdCluster         *self,
           const struct stat *st)
{
  if (st->st_mode & S_IXOTH)
    return TRUE;
  if (st->st_uid == self->run_uid)
    return (st->st_mode & S_IXUSR) != 0;

  for (int i = 0; i < self->n_run_groups; i++)
    {
      if (st->st_gid == self->run_groups[i])
        return (st->st_mode & S_IXGRP) != 0;
    }

  return FALSE;
}

static gboolean
rd_cluster_prepare_directory (RdCluster  *self,
                              GError    **error)
{
  g_autofree char *parent = g_path_get_dirname (self->directory);
  int saved_errno;

  if (g_mkdir_with_parents (parent, 0755) != 0 ||
      (g_mkdir (self->directory, 0700) != 0 && errno != EEXIST))
    goto failed;

  if (self->switch_user)
    {
      g_autofree char *dir = g_strdup (parent);

      if (chown (self->directory, self->run_uid, self->run_gid) != 0)
        goto failed;

      /* Every parent must let the server user through. */
      for (;;)
        {
          struct stat st;
          char *up;

          if (g_stat (dir, &st) == 0 && !can_enter (self, &st))
            {
              g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                           _("The database server runs as “%s”, who cannot enter %s; choose "
                             "a directory it can reach, such as one under /tmp or /var/lib"),
                           self->run_user, dir);
              return FALSE;
            }

          if (g_str_equal (dir, "/") || g_str_equal (dir, "."))
            break;

          up = g_path_get_dirname (dir);
          g_free (dir);
          dir = up;
        }
    }

  if (g_chmod (self->directory, 0700) != 0)
    goto failed;

  /* Created here so the server user may append to it (pg_ctl -l). */
  if (!g_file_test (self->log_path, G_FILE_TEST_EXISTS))
    {
      if (!g_file_set_contents_full (self->log_path, "", 0, G_FILE_SET_CONTENTS_NONE, 0600,
                                     error))
        return FALSE;
    }
  if (self->switch_user && chown (self->log_path, self->run_uid, self->run_gid) != 0)
    goto failed;

  return TRUE;

failed:
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Could not prepare the database directory %s: %s"),
               self->directory, g_strerror (saved_errno));
  return FALSE;
}

static void
rd_cluster_kill_server (RdCluster *self)
{
  gint64 deadline;

  if (self->server == NULL)
    return;

  /* SIGINT: fast shutdown, clients disconnected, no recovery needed. */
  g_subprocess_send_signal (self->server, SIGINT);
  deadline = g_get_monotonic_time () + STOP_TIMEOUT_US;
  while (g_subprocess_get_identifier (self->server) != NULL)
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_subprocess_force_exit (self->server);
          g_subprocess_wait (self->server, NULL, NULL);
          break;
        }
      g_usleep (10 * 1000);
    }

  g_clear_object (&self->server);
}

static void
rd_cluster_dispose (GObject *object)
{
  RdCluster *self = (RdCluster *) object;

  /* An ephemeral server lives no longer than its object. */
  if (self->ephemeral)
    rd_cluster_kill_server (self);
  g_clear_object (&self->server);

  G_OBJECT_CLASS (rd_cluster_parent_class)->dispose (object);
}

static void
rd_cluster_finalize (GObject *object)
{
  RdCluster *self = (RdCluster *) object;

  g_clear_pointer (&self->directory, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->log_path, g_free);
  g_clear_pointer (&self->bindir, g_free);
  g_clear_pointer (&self->run_user, g_free);
  g_clear_pointer (&self->run_groups, g_free);

  G_OBJECT_CLASS (rd_cluster_parent_class)->finalize (object);
}

static void
rd_cluster_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  RdCluster *self = RD_CLUSTER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_string (value, self->directory);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_cluster_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  RdCluster *self = RD_CLUSTER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      /* The socket path goes into every conninfo: make it absolute. */
      self->directory = g_canonicalize_filename (g_value_get_string (value), NULL);
      self->data_dir = g_build_filename (self->directory, "data", NULL);
      self->log_path = g_build_filename (self->directory, "postgresql.log", NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_cluster_class_init (RdClusterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rd_cluster_dispose;
  object_class->finalize = rd_cluster_finalize;
  object_class->get_property = rd_cluster_get_property;
  object_class->set_property = rd_cluster_set_property;

  properties[PROP_DIRECTORY] =
    g_param_spec_string ("directory", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_cluster_init (RdCluster *self)
{
}

RdCluster *
rd_cluster_new (const char *directory)
{
  g_return_val_if_fail (directory != NULL && *directory != '\0', NULL);

  return g_object_new (RD_TYPE_CLUSTER, "directory", directory, NULL);
}

const char *
rd_cluster_get_directory (RdCluster *self)
{
  g_return_val_if_fail (RD_IS_CLUSTER (self), NULL);

  return self->directory;
}

const char *
rd_cluster_get_socket_dir (RdCluster *self)
{
  g_return_val_if_fail (RD_IS_CLUSTER (self), NULL);

  return self->directory;
}

const char *
rd_cluster_get_bindir (RdCluster *self)
{
  g_return_val_if_fail (RD_IS_CLUSTER (self), NULL);

  if (self->bindir == NULL)
    self->bindir = find_bindir (NULL);

  return self->bindir;
}

void
rd_cluster_set_ephemeral (RdCluster *self,
                          gboolean   ephemeral)
{
  g_return_if_fail (RD_IS_CLUSTER (self));

  self->ephemeral = !!ephemeral;
}

gboolean
rd_cluster_is_running (RdCluster *self)
{
  g_return_val_if_fail (RD_IS_CLUSTER (self), FALSE);

  if (self->server != NULL)
    return g_subprocess_get_identifier (self->server) != NULL;

  return rd_cluster_find_postmaster (self) != 0;
}

gboolean
rd_cluster_start_sync (RdCluster     *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autofree char *pg_version = NULL;
  gsize socket_path_len;

  g_return_val_if_fail (RD_IS_CLUSTER (self), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  socket_path_len = strlen (self->directory) + strlen ("/.s.PGSQL." PORT);
  if (socket_path_len >= MAX_SOCKET_PATH)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_FAILED,
                   _("The database directory %s is too long for a Unix socket path "
                     "(%lu characters, at most %d); choose a shorter one"),
                   self->directory, (unsigned long) socket_path_len, MAX_SOCKET_PATH - 1);
      return FALSE;
    }

  if (self->bindir == NULL && (self->bindir = find_bindir (error)) == NULL)
    return FALSE;

  if (!rd_cluster_resolve_user (self, error) ||
      !rd_cluster_prepare_directory (self, error))
    return FALSE;

  pg_version = g_build_filename (self->data_dir, "PG_VERSION", NULL);
  if (!g_file_test (pg_version, G_FILE_TEST_EXISTS) &&
      !rd_cluster_initdb (self, cancellable, error))
    return FALSE;

  if (self->server != NULL && g_subprocess_get_identifier (self->server) != NULL)
    {
      /* Already ours and running. */
    }
  else if (rd_cluster_find_postmaster (self) != 0)
    {
      /* Someone (an earlier run, another process) serves this directory:
       * use it as it is, and leave it running when we are done. */
      g_debug ("Reusing the database server running on %s", self->directory);
    }
  else if (!rd_cluster_configure (self, error) ||
           !rd_cluster_launch (self, cancellable, error))
    {
      return FALSE;
    }

  return rd_cluster_wait_ready (self, cancellable, error) &&
         rd_cluster_create_database (self, error);
}

gboolean
rd_cluster_stop_sync (RdCluster  *self,
                      GError    **error)
{
  g_autofree char *pg_ctl = NULL;

  g_return_val_if_fail (RD_IS_CLUSTER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!self->started)
    return TRUE;

  self->started = FALSE;

  if (self->server != NULL)
    {
      rd_cluster_kill_server (self);
      return TRUE;
    }

  if (rd_cluster_find_postmaster (self) == 0)
    return TRUE;

  pg_ctl = program_path (self, "pg_ctl");

  {
    const char *argv[] = { pg_ctl, "-D", self->data_dir, "-m", "fast", "-w", "-t", "60", "stop",
                           NULL };

    return run_tool (self, argv, NULL, error);
  }
}

char *
rd_cluster_get_conninfo (RdCluster  *self,
                         const char *user,
                         const char *password)
{
  g_return_val_if_fail (RD_IS_CLUSTER (self), NULL);

  return build_conninfo (self, RD_CLUSTER_DATABASE, user, password);
}
