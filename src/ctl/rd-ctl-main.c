/* rd-ctl-main.c: regdesk-ctl, the headless tool: options and dispatch
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "rd-ctl.h"
#include "rd-demo.h"

/* Every command: adding one is a row here and a function in its own file. */
static const RdCtlCommand commands[] = {
  { "db migrate", N_("Apply pending schema migrations"), rd_ctl_db_migrate },
  { "db status", N_("Show the schema migrations and when they were applied"), rd_ctl_db_status },
  { "demo load", N_("Load the demo hospital into an empty database (as the owner)"),
    rd_ctl_demo_load },
  { "demo serve", N_("Run the embedded demo database until interrupted"), rd_ctl_demo_serve },
  { "staff add", N_("Add a staff login with one role (admins only)"), rd_ctl_staff_add },
  { "sessions", N_("List one day's sessions with their free slots as JSON"), rd_ctl_sessions },
  { "patients search", N_("Find patients by name, pinyin, mobile or document"),
    rd_ctl_patients_search },
  { "book", N_("Book a slot of a session for a patient"), rd_ctl_book },
  { "cancel", N_("Cancel an appointment (退号), refunding what was paid"), rd_ctl_cancel },
  { "pay cash", N_("Take a cash payment for an order"), rd_ctl_pay_cash },
  { "pay card", N_("Record a card terminal payment for an order"), rd_ctl_pay_card },
  { "pay query", N_("Ask WeChat Pay and Alipay about an order's payments and record the "
                     "answers"), rd_ctl_pay_query },
  { "pay close", N_("Close or reverse an order's open WeChat Pay and Alipay payments"),
    rd_ctl_pay_close },
  { "pay refund", N_("Send an order's pending WeChat Pay and Alipay refunds and follow them"),
    rd_ctl_pay_refund },
  { "checkin", N_("Check a paid appointment in and print its queue number"), rd_ctl_checkin },
  { "lottery draw", N_("Draw a lottery session (or preview its order) and print the ranks"),
    rd_ctl_lottery_draw },
  { "maintenance run", N_("Expire unpaid bookings, draw due lotteries, release pools, "
                          "mark no-shows"), rd_ctl_maintenance_run },
  { "gateway-sim", N_("Run the payment gateway simulator on loopback until interrupted"),
    rd_ctl_gateway_sim },
  { "bench booking", N_("Benchmark booking against pgbench (as the owner)"),
    rd_ctl_bench_booking },
  { "bench sync", N_("Time a booking until another connection's roster shows it (as the owner)"),
    rd_ctl_bench_sync },
  { "bench payments", N_("Pay many orders through a faulty gateway simulator and compare "
                          "its accounts with the database (as the owner)"),
    rd_ctl_bench_payments },
  { "worker", N_("Send the SMS outbox and reminders, expire unpaid orders and settle "
                  "payments until stopped"), rd_ctl_worker },
};

G_DEFINE_QUARK (rd-ctl-error-quark, rd_ctl_error)

static gboolean show_version;
static gboolean verbose_logging;

static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  /* An error is one line on stderr: the libraries' chatter stays out of it
   * unless asked for with --verbose. */
  if (!verbose_logging
      && (log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE
                       | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG)) != 0)
    return G_LOG_WRITER_HANDLED;

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static void
fill_global_entries (RdCtl        *ctl,
                     GOptionEntry  entries[4])
{
  const GOptionEntry global[] = {
    { "conninfo", 'd', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &ctl->conninfo,
      N_("Connect with this libpq conninfo or URI (default: $REGDESK_CONNINFO, "
         "else the PG* environment)"), N_("CONNINFO") },
    { "demo", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctl->demo,
      N_("Use the embedded demo database, starting it if needed"), NULL },
    { "verbose", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &ctl->verbose,
      N_("Show the libraries' log messages"), NULL },
    { NULL }
  };

  memcpy (entries, global, sizeof global);
}

static char *
one_line (const char *message)
{
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean space = FALSE;

  for (const char *p = message != NULL ? message : ""; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = line->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (line, ' ');
      space = FALSE;
      g_string_append_c (line, *p);
    }

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
print_error_line (const char *message)
{
  g_autofree char *line = one_line (message);

  fprintf (stderr, "regdesk-ctl: %s\n", line);
  fflush (stderr);
}

int
rd_ctl_fail (RdCtl        *ctl,
             const GError *error)
{
  g_return_val_if_fail (error != NULL, RD_CTL_EXIT_FAILED);

  print_error_line (error->message);

  if (error->domain == G_OPTION_ERROR || error->domain == RD_CTL_ERROR)
    return RD_CTL_EXIT_USAGE;
  if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION)
      || g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_AUTH))
    return RD_CTL_EXIT_USAGE;

  return RD_CTL_EXIT_FAILED;
}

int
rd_ctl_usage_error (RdCtl      *ctl,
                    const char *format,
                    ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  print_error_line (message);

  return RD_CTL_EXIT_USAGE;
}

gboolean
rd_ctl_parse_options (RdCtl               *ctl,
                      const GOptionEntry  *entries,
                      const char          *parameter_string,
                      int                 *argc,
                      char              ***argv,
                      GError             **error)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *usage = NULL;
  GOptionEntry global[4];

  g_return_val_if_fail (ctl != NULL && ctl->command != NULL, FALSE);

  usage = parameter_string != NULL
          ? g_strdup_printf ("%s %s", ctl->command->name, parameter_string)
          : g_strdup (ctl->command->name);
  context = g_option_context_new (usage);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _(ctl->command->summary));
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  fill_global_entries (ctl, global);
  g_option_context_add_main_entries (context, global, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;

  verbose_logging = verbose_logging || ctl->verbose;

  return TRUE;
}

char *
rd_ctl_get_conninfo (RdCtl   *ctl,
                     GError **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *env;

  if (ctl->demo)
    {
      g_autofree char *directory = NULL;

      if (ctl->conninfo != NULL)
        {
          g_set_error_literal (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                               _("--demo and --conninfo cannot be used together"));
          return NULL;
        }

      if (ctl->demo_cluster == NULL)
        {
          directory = rd_demo_get_default_directory ();
          ctl->demo_cluster = rd_cluster_new (directory);
          if (!rd_cluster_start_sync (ctl->demo_cluster, NULL, &local_error))
            {
              g_clear_object (&ctl->demo_cluster);
              g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION,
                           _("Could not start the demo database in %s: %s"),
                           directory, local_error->message);
              return NULL;
            }
        }

      return rd_cluster_get_conninfo (ctl->demo_cluster, NULL, NULL);
    }

  if (ctl->conninfo != NULL)
    return g_strdup (ctl->conninfo);

  env = g_getenv ("REGDESK_CONNINFO");
  if (env != NULL)
    return g_strdup (env);

  /* libpq's own defaults: PG* variables, service files, .pgpass. */
  return g_strdup ("");
}

RdDb *
rd_ctl_connect (RdCtl   *ctl,
                GError **error)
{
  g_autoptr(RdDb) db = NULL;
  g_autofree char *conninfo = NULL;

  conninfo = rd_ctl_get_conninfo (ctl, error);
  if (conninfo == NULL)
    return NULL;

  db = rd_db_new (conninfo);
  rd_db_set_auto_reconnect (db, FALSE);
  if (!rd_db_connect_sync (db, NULL, error))
    return NULL;

  return g_steal_pointer (&db);
}

void
rd_ctl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

gboolean
rd_ctl_is_iso_date (const char *text)
{
  int year, month, day;
  char end;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  for (guint i = 0; i < 10; i++)
    {
      if (i != 4 && i != 7 && !g_ascii_isdigit (text[i]))
        return FALSE;
    }
  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) != 3)
    return FALSE;

  return g_date_valid_dmy (day, month, year);
}

void
rd_ctl_print_json_line (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  printf ("%s\n", text);
  fflush (stdout);
}

gboolean
rd_ctl_parse_id (const char  *option,
                 const char  *text,
                 gint64      *id,
                 GError     **error)
{
  gint64 value = 0;

  g_return_val_if_fail (option != NULL && id != NULL, FALSE);

  if (text == NULL
      || !g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, &value, NULL))
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                   _("%s needs a positive whole number, not “%s”"),
                   option, text != NULL ? text : "");
      return FALSE;
    }

  *id = value;

  return TRUE;
}

static char *
describe_commands (void)
{
  g_autoptr(GString) text = g_string_new (_("Commands:"));
  int width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    width = MAX (width, (int) strlen (commands[i].name));

  g_string_append_c (text, '\n');
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-*s  %s\n",
                            width, commands[i].name, _(commands[i].summary));
  g_string_append (text, _("\nEach command has --help. Exit status: 0 success, "
                           "1 refused or failed, 2 usage or connection problem."));

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The number of words of @name that start @argv, or 0. */
static guint
match_command (const char  *name,
               int          argc,
               char       **argv)
{
  g_auto(GStrv) words = g_strsplit (name, " ", -1);
  guint n_words = g_strv_length (words);

  if ((guint) argc < n_words)
    return 0;

  for (guint i = 0; i < n_words; i++)
    {
      if (!g_str_equal (words[i], argv[i]))
        return 0;
    }

  return n_words;
}

static int
report_unknown_command (RdCtl  *ctl,
                        int     argc,
                        char  **argv)
{
  g_autoptr(GString) subcommands = g_string_new (NULL);
  g_autofree char *prefix = g_strconcat (argv[0], " ", NULL);

  /* "regdesk-ctl db" names a group: say what it holds. */
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_has_prefix (commands[i].name, prefix))
        {
          if (subcommands->len > 0)
            g_string_append (subcommands, ", ");
          g_string_append (subcommands, commands[i].name + strlen (prefix));
        }
    }

  if (subcommands->len > 0 && (argc == 1 || argv[1][0] == '-'))
    return rd_ctl_usage_error (ctl, _("“%s” needs a command: %s"), argv[0], subcommands->str);
  if (subcommands->len > 0)
    return rd_ctl_usage_error (ctl, _("Unknown command “%s %s”; the %s commands are: %s"),
                               argv[0], argv[1], argv[0], subcommands->str);

  return rd_ctl_usage_error (ctl, _("Unknown command “%s”; see regdesk-ctl --help"), argv[0]);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  g_autoptr(GPtrArray) command_argv = NULL;
  const RdCtlCommand *command = NULL;
  GOptionEntry global[4];
  RdCtl ctl = { 0 };
  guint n_words = 0;
  int status;
  const GOptionEntry main_entries[] = {
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &show_version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("regdesk-ctl");
  g_log_set_writer_func (log_writer, NULL, NULL);

  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  /* Options after the command belong to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_summary (context, _("Administer a Regdesk database from the shell."));
  description = describe_commands ();
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, main_entries, GETTEXT_PACKAGE);
  fill_global_entries (&ctl, global);
  g_option_context_add_main_entries (context, global, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rd_ctl_fail (&ctl, error);
  verbose_logging = ctl.verbose;

  if (show_version)
    {
      printf ("regdesk-ctl %s\n", PACKAGE_VERSION);
      return RD_CTL_EXIT_OK;
    }

  if (argc < 2)
    return rd_ctl_usage_error (&ctl, _("No command given; see regdesk-ctl --help"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      guint n = match_command (commands[i].name, argc - 1, argv + 1);

      if (n > n_words)
        {
          n_words = n;
          command = &commands[i];
        }
    }

  if (command == NULL)
    return report_unknown_command (&ctl, argc - 1, argv + 1);

  command_argv = g_ptr_array_new ();
  g_ptr_array_add (command_argv, argv[0]);
  for (int i = 1 + n_words; i < argc; i++)
    g_ptr_array_add (command_argv, argv[i]);
  g_ptr_array_add (command_argv, NULL);

  ctl.command = command;
  status = command->run (&ctl, command_argv->len - 1, (char **) command_argv->pdata);

  if (ctl.demo_cluster != NULL)
    rd_cluster_stop_sync (ctl.demo_cluster, NULL);
  g_clear_object (&ctl.demo_cluster);
  g_free (ctl.conninfo);

  return status;
}
