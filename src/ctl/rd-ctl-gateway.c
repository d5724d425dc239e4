/* rd-ctl-gateway.c: regdesk-ctl gateway-sim
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <signal.h>

#include "rd-ctl.h"
#include "rd-gateway-sim.h"

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);

  return G_SOURCE_CONTINUE;
}

int
rd_ctl_gateway_sim (RdCtl  *ctl,
                    int     argc,
                    char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdGatewaySim) sim = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *port_text = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *credentials_path = NULL;
  guint64 port = 0;
  guint sigint_source;
  guint sigterm_source;
  const GOptionEntry entries[] = {
    { "port", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &port_text,
      N_("Listen on this port of 127.0.0.1 (default: any free port)"), N_("PORT") },
    { "credentials", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &credentials,
      N_("Write the clients' key file (mode 0600) to FILE"), N_("FILE") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (ctl->conninfo != NULL || ctl->demo)
    return rd_ctl_usage_error (ctl, _("“gateway-sim” uses no database; drop --conninfo and "
                                      "--demo"));
  if (port_text != NULL
      && !g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &port, NULL))
    return rd_ctl_usage_error (ctl, _("--port needs a number from 1 to 65535, not “%s”"),
                               port_text);

  loop = g_main_loop_new (NULL, FALSE);
  sigint_source = g_unix_signal_add (SIGINT, on_signal, loop);
  sigterm_source = g_unix_signal_add (SIGTERM, on_signal, loop);

  sim = rd_gateway_sim_new (&error);
  if (sim == NULL || !rd_gateway_sim_start (sim, (guint) port, &error))
    goto failed;

  if (credentials != NULL)
    {
      /* Scripts read the path back from the JSON: make it absolute. */
      credentials_path = g_canonicalize_filename (credentials, NULL);
      if (!rd_gateway_sim_write_credentials (sim, credentials_path, &error))
        {
          rd_gateway_sim_stop (sim);
          goto failed;
        }
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "base_url");
  json_builder_add_string_value (builder, rd_gateway_sim_get_base_url (sim));
  json_builder_set_member_name (builder, "credentials");
  if (credentials_path != NULL)
    json_builder_add_string_value (builder, credentials_path);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  rd_ctl_print_json_line (root);

  g_main_loop_run (loop);

  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);
  rd_gateway_sim_stop (sim);

  return RD_CTL_EXIT_OK;

failed:
  g_source_remove (sigint_source);
  g_source_remove (sigterm_source);

  return rd_ctl_fail (ctl, error);
}
