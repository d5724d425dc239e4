/* rd-ctl-worker.c: regdesk-ctl worker
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <unistd.h>

#include "rd-crypto.h"
#include "rd-ctl.h"
#include "rd-gateway-http.h"
#include "rd-worker.h"

static gboolean
on_signal (gpointer user_data)
{
  RdWorker *worker = user_data;

  g_message ("Worker: stopping once the tick under way is over");
  rd_worker_stop (worker);

  return G_SOURCE_CONTINUE;
}

static void
on_stopped (RdWorker  *worker,
            GMainLoop *loop)
{
  g_main_loop_quit (loop);
}

static void
once_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static JsonNode *
report_to_json (const RdWorkerReport *report)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

#define MEMBER(name, value) \
  json_builder_set_member_name (b, name); \
  json_builder_add_int_value (b, value)

  json_builder_begin_object (b);
  MEMBER ("expired", report->expired);
  MEMBER ("released", report->released);
  MEMBER ("no_shows", report->no_shows);
  MEMBER ("lotteries_drawn", report->lotteries_drawn);
  MEMBER ("reminders", report->reminders);
  json_builder_set_member_name (b, "sms");
  json_builder_begin_object (b);
  MEMBER ("claimed", report->sms.claimed);
  MEMBER ("sent", report->sms.sent);
  MEMBER ("retried", report->sms.retried);
  MEMBER ("dead", report->sms.dead);
  MEMBER ("lost", report->sms.lost);
  json_builder_end_object (b);
  MEMBER ("settled", report->settled);
  json_builder_end_object (b);
#undef MEMBER

  return json_builder_get_root (b);
}

/* The credentials file's text, for the template codes: read with the same
 * owner-only check as the keys, and cleared once parsed. */
static GKeyFile *
load_key_file (const char  *path,
               GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GBytes) contents = NULL;
  const char *data;
  gsize len;
  gboolean ok;

  contents = rd_crypto_read_private_file (path, error);
  if (contents == NULL)
    return NULL;
  data = g_bytes_get_data (contents, &len);
  ok = g_key_file_load_from_data (key_file, data != NULL ? data : "", len, G_KEY_FILE_NONE,
                                  error);
  rd_crypto_clear ((gpointer) data, len);

  return ok ? g_steal_pointer (&key_file) : NULL;
}

/* The SMS sender and the payment service the credentials allow; either may
 * stay NULL (said in the log), but a file that is there must be right. */
static gboolean
set_up_gateways (RdDb          *db,
                 const char    *path,
                 const char    *sms_gateway,
                 const char    *name,
                 RdSmsSender  **sender,
                 RdPayService **pay,
                 GError       **error)
{
  g_autoptr(GKeyFile) key_file = NULL;
  g_autoptr(RdGatewayCredentials) credentials = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(RdSmsProvider) provider = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (sms_gateway != NULL)
        {
          g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                       _("--sms needs a credentials file, and %s does not exist"), path);
          return FALSE;
        }
      g_message ("Worker: no credentials at %s: no SMS is sent and no payment settled", path);
      return TRUE;
    }

  key_file = load_key_file (path, error);
  if (key_file == NULL)
    return FALSE;
  credentials = rd_gateway_credentials_new_from_key_file (key_file, NULL, error);
  if (credentials == NULL)
    return FALSE;

  session = rd_gateway_session_new ();
  provider = rd_sms_sender_create_provider (session, credentials, key_file, sms_gateway,
                                            &local_error);
  if (provider != NULL)
    {
      *sender = rd_sms_sender_new (db, provider, name);
      g_message ("Worker: sending SMS through %s",
                 rd_sms_gateway_to_string (rd_sms_provider_get_gateway (provider)));
    }
  else if (sms_gateway != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  else
    g_message ("Worker: %s", local_error->message);

  *pay = rd_pay_service_new_from_credentials (db, path, error);

  return *pay != NULL;
}

int
rd_ctl_worker (RdCtl  *ctl,
               int     argc,
               char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdSmsSender) sender = NULL;
  g_autoptr(RdPayService) pay = NULL;
  g_autoptr(RdWorker) worker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *conninfo = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *default_credentials = NULL;
  g_autofree char *sms_gateway = NULL;
  g_autofree char *name = NULL;
  const char *path;
  gboolean once = FALSE;
  int interval = 30;
  guint sigint_source;
  guint sigterm_source;
  const GOptionEntry entries[] = {
    { "once", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, &once,
      N_("Run one tick, print what it did as JSON and exit"), NULL },
    { "interval", 'i', G_OPTION_FLAG_NONE, G_OPTION_ARG_INT, &interval,
      N_("Seconds between ticks (default 30); new messages are sent at once"), N_("S") },
    { "credentials", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &credentials,
      N_("The gateways’ key file (default: ~/.config/regdesk/gateways.conf)"), N_("FILE") },
    { "sms", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &sms_gateway,
      N_("Send SMS through this gateway: aliyun or tencent (default: the one configured)"),
      N_("GATEWAY") },
    { "name", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &name,
      N_("This worker’s name in the outbox (default: host:pid)"), N_("NAME") },
    { NULL }
  };

  /* A service says what it does: its messages go to the journal. */
  ctl->verbose = TRUE;
  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (interval <= 0 || interval > 86400)
    return rd_ctl_usage_error (ctl, _("--interval needs a number of seconds from 1 to 86400"));

  if (credentials == NULL)
    path = default_credentials = g_build_filename (g_get_user_config_dir (), "regdesk",
                                                   "gateways.conf", NULL);
  else
    path = credentials;
  if (name == NULL)
    name = g_strdup_printf ("%s:%d", g_get_host_name (), (int) getpid ());

  conninfo = rd_ctl_get_conninfo (ctl, &error);
  if (conninfo == NULL)
    return rd_ctl_fail (ctl, error);
  db = rd_db_new (conninfo);
  /* A long-running worker rides out a database restart. */
  rd_db_set_auto_reconnect (db, !once);
  if (!rd_db_connect_sync (db, NULL, &error))
    return rd_ctl_fail (ctl, error);

  if (!set_up_gateways (db, path, sms_gateway, name, &sender, &pay, &error))
    return rd_ctl_fail (ctl, error);

  worker = rd_worker_new (db, sender, pay);
  rd_worker_set_interval (worker, (guint) interval);

  if (once)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(JsonNode) root = NULL;
      RdWorkerReport report = { 0 };
      gboolean ok;

      rd_worker_run_once_async (worker, NULL, once_cb, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      ok = rd_worker_run_once_finish (worker, result, &report, &error);
      root = report_to_json (&report);
      rd_ctl_print_json (root);

      return ok ? RD_CTL_EXIT_OK : rd_ctl_fail (ctl, error);
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (worker, "stopped", G_CALLBACK (on_stopped), loop);
  sigint_source = g_unix_signal_add (SIGINT, on_signal, worker);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal, worker);

  g_message ("Worker %s started: a tick every %d s", name, interval);
  rd_worker_start (worker);
  g_main_loop_run (loop);
  g_message ("Worker %s stopped", name);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);

  return RD_CTL_EXIT_OK;
}
