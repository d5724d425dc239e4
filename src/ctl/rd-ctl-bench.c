/* rd-ctl-bench.c: regdesk-ctl bench booking, bench sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

#include "rd-bench-booking.h"
#include "rd-bench-sync.h"
#include "rd-ctl.h"

#define MAX_CLIENTS 64
#define MAX_SECONDS 3600
#define MAX_ROUNDS 20
#define MAX_SAMPLES 100000

/* The benchmarks create and drop databases: check the login first, so a
 * staff conninfo gets one clear line instead of a failure half-way. Returns
 * the owner's conninfo. */
static char *
owner_conninfo (RdCtl   *ctl,
                GError **error)
{
  g_autoptr(RdDb) db = rd_ctl_connect (ctl, error);

  if (db == NULL)
    return NULL;
  if (g_strcmp0 (rd_db_get_user (db), RD_CLUSTER_OWNER) != 0)
    {
      g_set_error (error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION,
                   _("The benchmark needs the schema owner (%s), not %s"),
                   RD_CLUSTER_OWNER, rd_db_get_user (db));
      return NULL;
    }
  rd_db_close (db);

  return rd_ctl_get_conninfo (ctl, error);
}

int
rd_ctl_bench_booking (RdCtl  *ctl,
                      int     argc,
                      char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *conninfo = NULL;
  g_autofree char *clients_text = NULL;
  g_autofree char *seconds_text = NULL;
  g_autofree char *rounds_text = NULL;
  g_autofree char *extra_sql_path = NULL;
  g_autofree char *extra_sql = NULL;
  guint64 clients = 8;
  guint64 seconds = 10;
  guint64 rounds = 3;
  const GOptionEntry entries[] = {
    { "clients", 'c', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &clients_text,
      N_("Concurrent clients, 1 to 64 (default: 8)"), N_("N") },
    { "seconds", 'T', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &seconds_text,
      N_("Run each phase this long, 1 to 3600 (default: 10)"), N_("SECONDS") },
    { "rounds", 'r', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &rounds_text,
      N_("Run both phases this many times and report the median ratio, 1 to 20 "
         "(default: 3)"), N_("N") },
    { "extra-sql", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &extra_sql_path,
      N_("Run this SQL script in the booking database after its migrations, to "
         "measure a change before writing it as one"), N_("FILE") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (clients_text != NULL
      && !g_ascii_string_to_unsigned (clients_text, 10, 1, MAX_CLIENTS, &clients, NULL))
    return rd_ctl_usage_error (ctl, _("--clients needs a number from 1 to %d, not “%s”"),
                               MAX_CLIENTS, clients_text);
  if (seconds_text != NULL
      && !g_ascii_string_to_unsigned (seconds_text, 10, 1, MAX_SECONDS, &seconds, NULL))
    return rd_ctl_usage_error (ctl, _("--seconds needs a number from 1 to %d, not “%s”"),
                               MAX_SECONDS, seconds_text);
  if (rounds_text != NULL
      && !g_ascii_string_to_unsigned (rounds_text, 10, 1, MAX_ROUNDS, &rounds, NULL))
    return rd_ctl_usage_error (ctl, _("--rounds needs a number from 1 to %d, not “%s”"),
                               MAX_ROUNDS, rounds_text);
  if (extra_sql_path != NULL && !g_file_get_contents (extra_sql_path, &extra_sql, NULL, &error))
    return rd_ctl_fail (ctl, error);

  conninfo = owner_conninfo (ctl, &error);
  if (conninfo == NULL)
    return rd_ctl_fail (ctl, error);

  if (!rd_bench_booking (conninfo, (guint) clients, (guint) seconds, (guint) rounds,
                         extra_sql, out, &error))
    return rd_ctl_fail (ctl, error);

  printf ("%s\n", g_strchomp (out->str));
  fflush (stdout);

  return RD_CTL_EXIT_OK;
}

int
rd_ctl_bench_sync (RdCtl  *ctl,
                   int     argc,
                   char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *conninfo = NULL;
  g_autofree char *samples_text = NULL;
  guint64 samples = 500;
  const GOptionEntry entries[] = {
    { "samples", 'n', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &samples_text,
      N_("Bookings (and bare notifications) to time, 1 to 100000 (default: 500)"), N_("N") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (samples_text != NULL
      && !g_ascii_string_to_unsigned (samples_text, 10, 1, MAX_SAMPLES, &samples, NULL))
    return rd_ctl_usage_error (ctl, _("--samples needs a number from 1 to %d, not “%s”"),
                               MAX_SAMPLES, samples_text);

  conninfo = owner_conninfo (ctl, &error);
  if (conninfo == NULL)
    return rd_ctl_fail (ctl, error);

  if (!rd_bench_sync (conninfo, (guint) samples, out, &error))
    return rd_ctl_fail (ctl, error);

  printf ("%s\n", g_strchomp (out->str));
  fflush (stdout);

  return RD_CTL_EXIT_OK;
}
