/* rd-ctl-booking.c: regdesk-ctl book, cancel, pay cash, pay card, checkin
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-ctl"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-booking.h"
#include "rd-ctl.h"
#include "rd-enums.h"
#include "rd-money.h"

/* Every command here takes exactly its options, no positional words. */
static gboolean
parse (RdCtl               *ctl,
       const GOptionEntry  *entries,
       int                 *argc,
       char              ***argv,
       GError             **error)
{
  if (!rd_ctl_parse_options (ctl, entries, NULL, argc, argv, error))
    return FALSE;
  if (*argc > 1)
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE,
                   _("Unexpected argument “%s”"), (*argv)[1]);
      return FALSE;
    }

  return TRUE;
}

static gboolean
require_id (const char  *option,
            const char  *text,
            gint64      *id,
            GError     **error)
{
  if (text == NULL)
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE, _("%s is required"), option);
      return FALSE;
    }

  return rd_ctl_parse_id (option, text, id, error);
}

static gboolean
require_text (const char  *option,
              const char  *text,
              GError     **error)
{
  if (text == NULL || *text == '\0')
    {
      g_set_error (error, RD_CTL_ERROR, RD_CTL_ERROR_USAGE, _("%s is required"), option);
      return FALSE;
    }

  return TRUE;
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
add_int (JsonBuilder *builder,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* Money goes out as fen (exact) and as the yuan text people read. */
static void
add_money (JsonBuilder *builder,
           const char  *name,
           gint64       fen)
{
  g_autofree char *yuan_name = g_strconcat (name, "_yuan", NULL);
  g_autofree char *yuan = rd_money_to_yuan (fen);

  add_int (builder, name, fen);
  add_string (builder, yuan_name, yuan);
}

static int
print_builder (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  rd_ctl_print_json (root);

  return RD_CTL_EXIT_OK;
}

int
rd_ctl_book (RdCtl  *ctl,
             int     argc,
             char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdBookingResult) booking = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *session_text = NULL;
  g_autofree char *patient_text = NULL;
  g_autofree char *channel_text = NULL;
  g_autofree char *request_id = NULL;
  g_autofree char *slot_text = NULL;
  g_autofree char *priority = NULL;
  gint64 session_id = 0;
  gint64 patient_id = 0;
  guint64 slot_seq = 0;
  int channel = RD_CHANNEL_WINDOW;
  const GOptionEntry entries[] = {
    { "session", 's', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &session_text,
      N_("The session to book"), N_("ID") },
    { "patient", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &patient_text,
      N_("The registered patient"), N_("ID") },
    { "channel", 'c', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &channel_text,
      N_("The slot pool: window, online or phone (default: window)"), N_("CHANNEL") },
    { "slot", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &slot_text,
      N_("Take this slot number (default: the next free one)"), N_("SEQ") },
    { "priority", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &priority,
      N_("Book a held slot for elderly, disabled, military or urgent"), N_("REASON") },
    { "request-id", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &request_id,
      N_("Make the booking idempotent: the same id again returns the same booking"),
      N_("ID") },
    { NULL }
  };

  if (!parse (ctl, entries, &argc, &argv, &error)
      || !require_id ("--session", session_text, &session_id, &error)
      || !require_id ("--patient", patient_text, &patient_id, &error))
    return rd_ctl_fail (ctl, error);
  if (channel_text != NULL)
    {
      channel = rd_channel_from_db (channel_text);
      if (channel < 0)
        return rd_ctl_usage_error (ctl, _("Unknown channel “%s”: use window, online or phone"),
                                   channel_text);
    }
  if (slot_text != NULL
      && !g_ascii_string_to_unsigned (slot_text, 10, 1, G_MAXINT, &slot_seq, NULL))
    return rd_ctl_usage_error (ctl, _("--slot needs a positive whole number, not “%s”"),
                               slot_text);
  if (request_id != NULL && *request_id == '\0')
    return rd_ctl_usage_error (ctl, _("The request id is empty"));

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  booking = rd_booking_book_sync (db, request_id, session_id, patient_id, channel,
                                  (int) slot_seq, priority, NULL, &error);
  if (booking == NULL)
    return rd_ctl_fail (ctl, error);

  json_builder_begin_object (builder);
  add_int (builder, "appointment_id", booking->appointment_id);
  add_string (builder, "order_no", booking->order_no);
  add_int (builder, "slot_seq", booking->slot_seq);
  add_string (builder, "status", booking->status);
  json_builder_end_object (builder);

  return print_builder (builder);
}

int
rd_ctl_cancel (RdCtl  *ctl,
               int     argc,
               char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdCancelResult) cancelled = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *appointment_text = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *request_id = NULL;
  gint64 appointment_id = 0;
  const GOptionEntry entries[] = {
    { "appointment", 'a', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &appointment_text,
      N_("The appointment to cancel"), N_("ID") },
    { "reason", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &reason,
      N_("Why, for the audit log"), N_("TEXT") },
    { "request-id", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &request_id,
      N_("Make the cancellation idempotent: the same id again returns the same result"),
      N_("ID") },
    { NULL }
  };

  if (!parse (ctl, entries, &argc, &argv, &error)
      || !require_id ("--appointment", appointment_text, &appointment_id, &error))
    return rd_ctl_fail (ctl, error);
  if (request_id != NULL && *request_id == '\0')
    return rd_ctl_usage_error (ctl, _("The request id is empty"));

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  cancelled = rd_booking_cancel_sync (db, request_id, appointment_id, reason, NULL, &error);
  if (cancelled == NULL)
    return rd_ctl_fail (ctl, error);

  json_builder_begin_object (builder);
  add_int (builder, "appointment_id", cancelled->appointment_id);
  /* api.cancel() either cancels or refuses: success means this status. */
  add_string (builder, "status", "cancelled");
  add_string (builder, "order_no", cancelled->order_no);
  add_string (builder, "order_status", cancelled->order_status);
  add_money (builder, "refunded_amount", cancelled->refunded_amount);
  json_builder_set_member_name (builder, "waitlist_appointment_id");
  if (cancelled->waitlist_appointment_id > 0)
    json_builder_add_int_value (builder, cancelled->waitlist_appointment_id);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);

  return print_builder (builder);
}

static int
print_payment (RdPaymentResult *payment,
               const char      *method)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  add_int (builder, "payment_id", payment->payment_id);
  add_string (builder, "order_no", payment->order_no);
  add_string (builder, "method", method);
  add_money (builder, "amount", payment->amount);
  add_money (builder, "change", payment->change);
  json_builder_end_object (builder);

  return print_builder (builder);
}

int
rd_ctl_pay_cash (RdCtl  *ctl,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdPaymentResult) payment = NULL;
  g_autofree char *order_no = NULL;
  g_autofree char *tendered_text = NULL;
  g_autofree char *request_id = NULL;
  gint64 tendered = 0;
  const GOptionEntry entries[] = {
    { "order", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &order_no,
      N_("The order to pay"), N_("NO") },
    { "tendered", 't', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &tendered_text,
      N_("The cash handed over, in yuan (“20” or “12.50”)"), N_("AMOUNT") },
    { "request-id", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &request_id,
      N_("Make the payment idempotent: the same id again returns the same payment"),
      N_("ID") },
    { NULL }
  };

  if (!parse (ctl, entries, &argc, &argv, &error)
      || !require_text ("--order", order_no, &error)
      || !require_text ("--tendered", tendered_text, &error))
    return rd_ctl_fail (ctl, error);
  if (!rd_money_parse (tendered_text, &tendered))
    return rd_ctl_usage_error (ctl, _("“%s” is not an amount in yuan like 20 or 12.50"),
                               tendered_text);
  if (request_id != NULL && *request_id == '\0')
    return rd_ctl_usage_error (ctl, _("The request id is empty"));

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  payment = rd_booking_pay_cash_sync (db, request_id, order_no, tendered, NULL, &error);
  if (payment == NULL)
    return rd_ctl_fail (ctl, error);

  return print_payment (payment, "cash");
}

int
rd_ctl_pay_card (RdCtl  *ctl,
                 int     argc,
                 char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(RdPaymentResult) payment = NULL;
  g_autofree char *order_no = NULL;
  g_autofree char *reference = NULL;
  g_autofree char *request_id = NULL;
  const GOptionEntry entries[] = {
    { "order", 'o', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &order_no,
      N_("The order to pay"), N_("NO") },
    { "reference", 'r', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &reference,
      N_("The card terminal's reference number"), N_("REF") },
    { "request-id", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &request_id,
      N_("Make the payment idempotent: the same id again returns the same payment"),
      N_("ID") },
    { NULL }
  };

  if (!parse (ctl, entries, &argc, &argv, &error)
      || !require_text ("--order", order_no, &error)
      || !require_text ("--reference", reference, &error))
    return rd_ctl_fail (ctl, error);
  if (request_id != NULL && *request_id == '\0')
    return rd_ctl_usage_error (ctl, _("The request id is empty"));

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  payment = rd_booking_pay_card_sync (db, request_id, order_no, reference, NULL, &error);
  if (payment == NULL)
    return rd_ctl_fail (ctl, error);

  return print_payment (payment, "card");
}

int
rd_ctl_checkin (RdCtl  *ctl,
                int     argc,
                char  **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RdDb) db = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *appointment_text = NULL;
  gint64 appointment_id = 0;
  int queue_no;
  const GOptionEntry entries[] = {
    { "appointment", 'a', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, &appointment_text,
      N_("The paid appointment to check in"), N_("ID") },
    { NULL }
  };

  if (!parse (ctl, entries, &argc, &argv, &error)
      || !require_id ("--appointment", appointment_text, &appointment_id, &error))
    return rd_ctl_fail (ctl, error);

  db = rd_ctl_connect (ctl, &error);
  if (db == NULL)
    return rd_ctl_fail (ctl, error);

  queue_no = rd_booking_check_in_sync (db, appointment_id, NULL, &error);
  if (queue_no == 0)
    return rd_ctl_fail (ctl, error);

  json_builder_begin_object (builder);
  add_int (builder, "appointment_id", appointment_id);
  add_string (builder, "status", "checked_in");
  add_int (builder, "queue_no", queue_no);
  json_builder_end_object (builder);

  return print_builder (builder);
}
