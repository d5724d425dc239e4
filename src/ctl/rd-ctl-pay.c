/* rd-ctl-pay.c: regdesk-ctl pay query, pay close, pay refund and
 * bench payments
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For operations staff: what the gateways say about an order's WeChat Pay
 * and Alipay payments, recorded in the database as the worker would.
 * (pay cash and pay card live in rd-ctl-booking.c.)
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <stdio.h>

#include <glib/gi18n-lib.h>

#include "rd-bench-payments.h"
#include "rd-ctl.h"
#include "rd-gateway-error.h"
#include "rd-money.h"
#include "rd-pay-service.h"
#include "rd-payments.h"

#define MAX_BENCH_COUNT 100000

typedef struct
{
  char *order_no;
  char *credentials;
  char *sim_url;
} PayOptions;

static void
pay_options_clear (PayOptions *options)
{
  g_clear_pointer (&options->order_no, g_free);
  g_clear_pointer (&options->credentials, g_free);
  g_clear_pointer (&options->sim_url, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PayOptions, pay_options_clear)

static gboolean
parse_pay_options (RdCtl       *ctl,
                   PayOptions  *options,
                   int         *argc,
                   char      ***argv,
                   GError     **error)
{
  const GOptionEntry entries[] = {
    { "order", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->order_no,
      N_("The order whose gateway payments to look at"), N_("NO") },
    { "credentials", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, &options->credentials,
      N_("The gateways’ key file (default: ~/.config/regdesk/gateways.conf)"), N_("FILE") },
    { "sim-url", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &options->sim_url,
      N_("Send every gateway request to the simulator at URL instead of the key file’s "
         "addresses (tests)"), N_("URL") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                   _("Unexpected argument “%s”"), (*argv)[1]);
      return FALSE;
    }
  if (options->order_no == NULL || *options->order_no == '\0')
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE, _("%s is required"), "--order");
      return FALSE;
    }
  if (options->sim_url != NULL
      && !g_str_has_prefix (options->sim_url, "http://")
      && !g_str_has_prefix (options->sim_url, "https://"))
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                   _("--sim-url needs an http:// or https:// address, not “%s”"),
                   options->sim_url);
      return FALSE;
    }

  return TRUE;
}

/* The key file, checked like every key file, with the simulator's address
 * instead of the gateways' when asked. */
static RdGatewayCredentials *
load_credentials (PayOptions  *options,
                  GError     **error)
{
  g_autofree char *default_path = NULL;
  g_autofree char *base_dir = NULL;
  g_autofree char *alipay_url = NULL;
  g_autoptr(RdGatewayCredentials) checked = NULL;
  g_autoptr(GKeyFile) key_file = NULL;
  const char *path = options->credentials;

  if (path == NULL)
    path = default_path = g_build_filename (g_get_user_config_dir (), "regdesk",
                                            "gateways.conf", NULL);

  /* Refuses a file others may read, or an incomplete one. */
  checked = rd_gateway_credentials_new_from_file (path, error);
  if (checked == NULL || options->sim_url == NULL)
    return g_steal_pointer (&checked);

  key_file = g_key_file_new ();
  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, error))
    return NULL;
  alipay_url = g_strconcat (options->sim_url, "/gateway.do", NULL);
  if (g_key_file_has_group (key_file, "wechatpay"))
    g_key_file_set_string (key_file, "wechatpay", "base_url", options->sim_url);
  if (g_key_file_has_group (key_file, "alipay"))
    g_key_file_set_string (key_file, "alipay", "gateway_url", alipay_url);
  base_dir = g_path_get_dirname (path);

  return rd_gateway_credentials_new_from_key_file (key_file, base_dir, error);
}

static RdPayService *
open_service (RdCtl       *ctl,
              PayOptions  *options,
              RdDb       **db_out,
              GError     **error)
{
  g_autoptr(RdGatewayCredentials) credentials = NULL;
  g_autoptr(RdDb) db = NULL;
  RdPayService *service;

  credentials = load_credentials (options, error);
  if (credentials == NULL)
    return NULL;

  db = rd_ctl_connect (ctl, error);
  if (db == NULL)
    return NULL;

  service = rd_pay_service_new_for_credentials (db, credentials, error);
  if (service != NULL)
    *db_out = g_steal_pointer (&db);

  return service;
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_money (JsonBuilder *builder,
           const char  *name,
           gint64       fen)
{
  g_autofree char *yuan_name = g_strconcat (name, "_yuan", NULL);
  g_autofree char *yuan = rd_money_to_yuan (fen);

  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, fen);
  add_string (builder, yuan_name, yuan);
}

static int
print_builder (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  rd_ctl_print_json (root);

  return RD_CTL_EXIT_OK;
}

static int
run_check (RdCtl     *ctl,
           int        argc,
           char     **argv,
           gboolean   close)
{
  g_auto(PayOptions) options = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdPayService) service = NULL;
  g_autoptr(GPtrArray) checks = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (!parse_pay_options (ctl, &options, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);

  service = open_service (ctl, &options, &db, &error);
  if (service == NULL)
    return rd_ctl_fail (ctl, error);

  checks = rd_pay_service_check_order_sync (service, options.order_no, close, NULL, &error);
  if (checks == NULL)
    return rd_ctl_fail (ctl, error);
  /* The rows again: the statuses as recorded now, with the order's. */
  rows = rd_payments_list_sync (db, options.order_no, NULL, &error);
  if (rows == NULL)
    return rd_ctl_fail (ctl, error);
  if (checks->len == 0)
    {
      g_set_error (&error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED,
                   _("Order %s has no WeChat Pay or Alipay payment"), options.order_no);
      return rd_ctl_fail (ctl, error);
    }
  else
    {
      RdPayCheck *first = g_ptr_array_index (checks, 0);
      gboolean none_answered = TRUE;

      for (guint i = 0; i < checks->len && none_answered; i++)
        {
          RdPayCheck *check = g_ptr_array_index (checks, i);

          none_answered = check->error != NULL && check->trade_state == RD_TRADE_STATE_UNKNOWN;
        }
      /* Not one answer: that is a failure, not a report. */
      if (none_answered)
        {
          g_set_error (&error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                       _("No gateway answered about order %s: %s"), options.order_no,
                       first->error);
          return rd_ctl_fail (ctl, error);
        }
    }

  json_builder_begin_object (builder);
  add_string (builder, "order_no", options.order_no);
  add_string (builder, "order_status",
              rows->len > 0 ? ((RdPaymentRow *) g_ptr_array_index (rows, 0))->order_status
                            : NULL);
  json_builder_set_member_name (builder, "payments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rows->len; i++)
    {
      RdPaymentRow *row = g_ptr_array_index (rows, i);
      RdPayCheck *check = NULL;

      for (guint j = 0; j < checks->len && check == NULL; j++)
        {
          RdPayCheck *candidate = g_ptr_array_index (checks, j);

          if (g_strcmp0 (candidate->out_trade_no, row->out_trade_no) == 0)
            check = candidate;
        }
      if (check == NULL)
        continue;

      json_builder_begin_object (builder);
      add_string (builder, "out_trade_no", row->out_trade_no);
      add_string (builder, "method", row->method);
      add_string (builder, "scene", row->scene);
      add_money (builder, "amount", row->amount);
      add_string (builder, "status", row->status);
      add_string (builder, "gateway_state",
                  check->error == NULL || check->trade_state != RD_TRADE_STATE_UNKNOWN
                  ? rd_trade_state_to_string (check->trade_state) : NULL);
      add_string (builder, "gateway_trade_no", row->gateway_trade_no);
      add_string (builder, "anomaly", row->anomaly);
      add_string (builder, "error", check->error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return print_builder (builder);
}

int
rd_ctl_pay_query (RdCtl  *ctl,
                  int     argc,
                  char  **argv)
{
  return run_check (ctl, argc, argv, FALSE);
}

int
rd_ctl_pay_close (RdCtl  *ctl,
                  int     argc,
                  char  **argv)
{
  return run_check (ctl, argc, argv, TRUE);
}

int
rd_ctl_pay_refund (RdCtl  *ctl,
                   int     argc,
                   char  **argv)
{
  g_auto(PayOptions) options = { NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdPayService) service = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint succeeded;

  if (!parse_pay_options (ctl, &options, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);

  service = open_service (ctl, &options, &db, &error);
  if (service == NULL)
    return rd_ctl_fail (ctl, error);

  succeeded = rd_pay_service_refund_order_sync (service, options.order_no, NULL, &error);
  if (error != NULL)
    return rd_ctl_fail (ctl, error);
  refunds = rd_payments_list_refunds_sync (db, options.order_no, NULL, &error);
  if (refunds != NULL)
    payments = rd_payments_list_sync (db, options.order_no, NULL, &error);
  if (payments == NULL)
    return rd_ctl_fail (ctl, error);
  if (refunds->len == 0)
    {
      g_set_error (&error, RD_STORE_ERROR, RD_STORE_ERROR_REJECTED,
                   _("Order %s has no WeChat Pay or Alipay refund: cancel the appointment "
                     "first"), options.order_no);
      return rd_ctl_fail (ctl, error);
    }

  json_builder_begin_object (builder);
  add_string (builder, "order_no", options.order_no);
  add_string (builder, "order_status",
              payments->len > 0
              ? ((RdPaymentRow *) g_ptr_array_index (payments, 0))->order_status : NULL);
  json_builder_set_member_name (builder, "refunds_succeeded");
  json_builder_add_int_value (builder, succeeded);
  json_builder_set_member_name (builder, "refunds");
  json_builder_begin_array (builder);
  for (guint i = 0; i < refunds->len; i++)
    {
      RdRefundRow *row = g_ptr_array_index (refunds, i);

      json_builder_begin_object (builder);
      add_string (builder, "out_refund_no", row->out_refund_no);
      add_string (builder, "out_trade_no", row->out_trade_no);
      add_string (builder, "method", row->method);
      add_money (builder, "amount", row->amount);
      add_string (builder, "status", row->status);
      json_builder_set_member_name (builder, "surplus");
      json_builder_add_boolean_value (builder, row->surplus);
      add_string (builder, "gateway_refund_no", row->gateway_refund_no);
      add_string (builder, "error", row->last_error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return print_builder (builder);
}

int
rd_ctl_bench_payments (RdCtl  *ctl,
                       int     argc,
                       char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *conninfo = NULL;
  g_autofree char *count_text = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *seed_text = NULL;
  RdBenchPaymentsOptions options;
  guint64 count = 200;
  guint64 seed = 1;
  double rate = 0.2;
  const GOptionEntry entries[] = {
    { "count", 'n', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &count_text,
      N_("Orders to book and pay, 1 to 100000 (default: 200)"), N_("N") },
    { "fault-rate", 'f', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &rate_text,
      N_("Share of gateway requests that meet a fault, 0 to 0.9 (default: 0.2)"),
      N_("F") },
    { "seed", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &seed_text,
      N_("Seed of the faults and choices, for a repeatable run (default: 1)"), N_("N") },
    { NULL }
  };

  if (!rd_ctl_parse_options (ctl, entries, NULL, &argc, &argv, &error))
    return rd_ctl_fail (ctl, error);
  if (argc > 1)
    return rd_ctl_usage_error (ctl, _("Unexpected argument “%s”"), argv[1]);
  if (count_text != NULL
      && !g_ascii_string_to_unsigned (count_text, 10, 1, MAX_BENCH_COUNT, &count, NULL))
    return rd_ctl_usage_error (ctl, _("--count needs a number from 1 to %d, not “%s”"),
                               MAX_BENCH_COUNT, count_text);
  if (rate_text != NULL)
    {
      char *end = NULL;

      rate = g_ascii_strtod (rate_text, &end);
      if (end == rate_text || *end != '\0' || !(rate >= 0.0 && rate <= 0.9))
        return rd_ctl_usage_error (ctl, _("--fault-rate needs a number from 0 to 0.9, "
                                          "not “%s”"), rate_text);
    }
  if (seed_text != NULL
      && !g_ascii_string_to_unsigned (seed_text, 10, 0, G_MAXUINT32, &seed, NULL))
    return rd_ctl_usage_error (ctl, _("--seed needs a whole number, not “%s”"), seed_text);

  /* The benchmark creates and drops a database: check the login first. */
  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);
  if (g_strcmp0 (rd_db_get_user (db), RD_CLUSTER_OWNER) != 0)
    {
      g_set_error (&error, RD_STORE_ERROR, RD_STORE_ERROR_PERMISSION,
                   _("The benchmark needs the schema owner (%s), not %s"),
                   RD_CLUSTER_OWNER, rd_db_get_user (db));
      return rd_ctl_fail (ctl, error);
    }
  rd_db_close (db);

  conninfo = rd_ctl_get_conninfo (ctl, &error);
  if (conninfo == NULL)
    return rd_ctl_fail (ctl, error);

  rd_bench_payments_options_init (&options);
  options.count = (guint) count;
  options.fault_rate = rate;
  options.seed = (guint32) seed;
  if (!rd_bench_payments (conninfo, &options, out, &error))
    return rd_ctl_fail (ctl, error);

  printf ("%s\n", g_strchomp (out->str));
  fflush (stdout);

  return RD_CTL_EXIT_OK;
}
