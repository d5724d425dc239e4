/* rd-slip.c: what a registration slip (挂号凭条) shows for one order
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-order-row.h"
#include "rd-slip.h"

G_DEFINE_BOXED_TYPE (RdSlip, rd_slip, rd_slip_copy, rd_slip_free)

RdSlip *
rd_slip_new (void)
{
  RdSlip *slip = g_new0 (RdSlip, 1);

  slip->tendered = -1;
  slip->change = -1;
  slip->payment_methods = g_new0 (char *, 1);

  return slip;
}

RdSlip *
rd_slip_copy (const RdSlip *slip)
{
  RdSlip *copy;

  g_return_val_if_fail (slip != NULL, NULL);

  copy = g_new0 (RdSlip, 1);
  copy->hospital_name = g_strdup (slip->hospital_name);
  copy->patient_name = g_strdup (slip->patient_name);
  copy->patient_id_type = g_strdup (slip->patient_id_type);
  copy->patient_id_masked = g_strdup (slip->patient_id_masked);
  copy->department_name = g_strdup (slip->department_name);
  copy->doctor_name = g_strdup (slip->doctor_name);
  copy->doctor_title = g_strdup (slip->doctor_title);
  copy->clinic_type = g_strdup (slip->clinic_type);
  copy->date = g_strdup (slip->date);
  copy->period = g_strdup (slip->period);
  copy->starts_at = g_strdup (slip->starts_at);
  copy->ends_at = g_strdup (slip->ends_at);
  copy->slot_seq = slip->slot_seq;
  copy->queue_no = slip->queue_no;
  copy->fee = slip->fee;
  copy->paid_amount = slip->paid_amount;
  copy->tendered = slip->tendered;
  copy->change = slip->change;
  copy->payment_methods = slip->payment_methods != NULL ?
                          g_strdupv (slip->payment_methods) : g_new0 (char *, 1);
  copy->order_no = g_strdup (slip->order_no);
  copy->order_status = g_strdup (slip->order_status);
  copy->printed_at = g_strdup (slip->printed_at);

  return copy;
}

void
rd_slip_free (RdSlip *slip)
{
  if (slip == NULL)
    return;

  g_free (slip->hospital_name);
  g_free (slip->patient_name);
  g_free (slip->patient_id_type);
  g_free (slip->patient_id_masked);
  g_free (slip->department_name);
  g_free (slip->doctor_name);
  g_free (slip->doctor_title);
  g_free (slip->clinic_type);
  g_free (slip->date);
  g_free (slip->period);
  g_free (slip->starts_at);
  g_free (slip->ends_at);
  g_strfreev (slip->payment_methods);
  g_free (slip->order_no);
  g_free (slip->order_status);
  g_free (slip->printed_at);
  g_free (slip);
}

char *
rd_slip_describe_methods (const RdSlip *slip)
{
  GString *text;

  g_return_val_if_fail (slip != NULL, NULL);

  text = g_string_new (NULL);
  for (guint i = 0; slip->payment_methods != NULL && slip->payment_methods[i] != NULL; i++)
    {
      if (text->len > 0)
        /* Translators: between two payment methods, "Cash, Bank Card" */
        g_string_append (text, _(", "));
      g_string_append (text, rd_payment_method_to_string (slip->payment_methods[i]));
    }

  return g_string_free (text, FALSE);
}

int
rd_slip_get_number (const RdSlip *slip)
{
  g_return_val_if_fail (slip != NULL, 0);

  return slip->queue_no > 0 ? slip->queue_no : slip->slot_seq;
}
