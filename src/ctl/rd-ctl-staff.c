/* rd-ctl-staff.c: regdesk-ctl staff add
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "rd-ctl.h"
#include "rd-enums.h"
#include "rd-staff.h"

static const struct
{
  const char *name;
  RdRoles     role;
} role_names[] = {
  { "clerk", RD_ROLE_CLERK },
  { "manager", RD_ROLE_MANAGER },
  { "finance", RD_ROLE_FINANCE },
  { "admin", RD_ROLE_ADMIN },
};

static void
erase_password (char *password)
{
  if (password != NULL)
    {
      explicit_bzero (password, strlen (password));
      g_free (password);
    }
}

typedef char ErasedString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ErasedString, erase_password)

/* The first line of @text, without its line end. */
static char *
first_line (const char *text,
            gsize       length)
{
  gsize end = 0;

  while (end < length && text[end] != '\n' && text[end] != '\r' && text[end] != '\0')
    end++;

  return g_strndup (text, end);
}

static char *
read_password_stdin (const char  *login,
                     GError     **error)
{
  struct termios saved;
  gboolean tty = isatty (STDIN_FILENO);
  gboolean echo_off = FALSE;
  char *line = NULL;
  size_t size = 0;
  ssize_t length;
  char *password;

  if (tty)
    {
      fprintf (stderr, _("Password for %s: "), login);
      fflush (stderr);
      if (tcgetattr (STDIN_FILENO, &saved) == 0)
        {
          struct termios quiet = saved;

          quiet.c_lflag &= ~(tcflag_t) ECHO;
          echo_off = tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
        }
    }

  length = getline (&line, &size, stdin);

  if (echo_off)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputc ('\n', stderr);
    }

  if (length < 0)
    {
      free (line);
      g_set_error_literal (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                           _("No password given on standard input"));
      return NULL;
    }

  password = first_line (line, length);
  explicit_bzero (line, size);
  free (line);

  return password;
}

static char *
read_password_file (const char  *path,
                    GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *contents = NULL;
  gsize length = 0;
  char *password;

  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error_literal (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE, local_error->message);
      return NULL;
    }

  password = first_line (contents, length);
  explicit_bzero (contents, length);
  g_free (contents);

  return password;
}

int
rd_ctl_staff_add (RdCtl  *ctl,
                  int     argc,
                  char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(ErasedString) password = NULL;
  g_autofree char *role_name = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *password_file = NULL;
  RdRoles role = RD_ROLE_NONE;
  gboolean json = FALSE;
  const char *login;
  const GOptionEntry entries[] = {
    { "role", 'r', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &role_name,
      N_("The login's role: clerk, manager, finance or admin"), N_("ROLE") },
    { "display-name", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &display_name,
      N_("The name shown for the login (default: the login)"), N_("TEXT") },
    { "password-file", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &password_file,
      N_("Read the password from the first line of FILE (default: standard input)"),
      N_("FILE") },
    { "json", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &json,
      N_("Print the new login as JSON"), NULL },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, "NAME", &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc < 2)
    return rd_ctl_usage_error (ctl, _("Name the login to add"));
  if (argc > 2)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[2]);
  login = argv[1];

  if (role_name == NULL)
    return rd_ctl_usage_error (ctl, _("Give the login a role with --role"));
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (g_str_equal (role_name, role_names[i].name))
        role = role_names[i].role;
    }
  if (role == RD_ROLE_NONE)
    return rd_ctl_usage_error (ctl, _("Unknown role “%s”: use clerk, manager, finance or admin"),
                               role_name);

  /* Connect first: a wrong conninfo should not cost typing a password. */
  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  if (password_file != NULL)
    password = read_password_file (password_file, &error);
  else
    password = read_password_stdin (login, &error);
  if (password == NULL)
    return rd_ctl_fail (ctl, error);
  if (*password == '\0')
    return rd_ctl_usage_error (ctl, _("The password is empty"));

  if (!rd_staff_add_sync (db, login, display_name != NULL ? display_name : login,
                          role, password, NULL, &error))
    return rd_ctl_fail (ctl, error);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "login");
      json_builder_add_string_value (builder, login);
      json_builder_set_member_name (builder, "display_name");
      json_builder_add_string_value (builder, display_name != NULL ? display_name : login);
      json_builder_set_member_name (builder, "role");
      json_builder_add_string_value (builder, role_name);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      rd_ctl_print_json (root);
    }
  else
    {
      printf (_("Added %s as %s.\n"), login, role_name);
    }

  return RD_CTL_EXIT_OK;
}
