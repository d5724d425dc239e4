/* rd-bill.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "rd-alipay-sign.h"
#include "rd-bill.h"
#include "rd-gateway-error.h"
#include "rd-zip.h"

/* Alipay writes GBK; GB18030 is its superset, so it reads every GBK file
 * and does not fail on the odd rarer character. */
#define ALIPAY_BILL_CHARSET "GB18030"
#define ALIPAY_DETAIL_MARK  "业务明细列表"
#define ALIPAY_END_MARK     "业务明细列表结束"

G_DEFINE_BOXED_TYPE (RdBill, rd_bill, rd_bill_copy, rd_bill_free)

static void
bill_line_free (RdBillLine *line)
{
  g_clear_pointer (&line->time, g_date_time_unref);
  g_free (line->transaction_id);
  g_free (line->out_trade_no);
  g_free (line->out_refund_no);
  g_free (line->status);
  g_free (line->description);
  g_free (line);
}

static RdBill *
bill_new (RdPaymentGateway  gateway,
          GBytes           *raw)
{
  RdBill *bill = g_new0 (RdBill, 1);

  bill->gateway = gateway;
  bill->raw = g_bytes_ref (raw);
  bill->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) bill_line_free);

  return bill;
}

RdBill *
rd_bill_copy (const RdBill *bill)
{
  RdBill *copy;

  g_return_val_if_fail (bill != NULL, NULL);

  copy = g_new0 (RdBill, 1);
  *copy = *bill;
  copy->raw = g_bytes_ref (bill->raw);
  copy->lines = g_ptr_array_ref (bill->lines);

  return copy;
}

void
rd_bill_free (RdBill *bill)
{
  if (bill == NULL)
    return;

  g_clear_pointer (&bill->raw, g_bytes_unref);
  g_clear_pointer (&bill->lines, g_ptr_array_unref);
  g_free (bill);
}

GDateTime *
rd_bill_parse_time (const char *text)
{
  g_autoptr(GTimeZone) zone = NULL;
  int year, month, day, hour, minute, second;
  char tail;

  if (text == NULL
      || sscanf (text, "%4d-%2d-%2d %2d:%2d:%2d%c",
                 &year, &month, &day, &hour, &minute, &second, &tail) != 6)
    return NULL;

  zone = g_time_zone_new_offset (8 * 3600);

  return g_date_time_new (zone, year, month, day, hour, minute, second);
}

static gboolean
bad_bill (GError     **error,
          const char  *gateway,
          const char  *format,
          ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_bill (GError     **error,
          const char  *gateway,
          const char  *format,
          ...)
{
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
               _("The %s bill cannot be read: %s"), gateway, detail);
  return FALSE;
}

/* Lines without their "\r", the trailing empty ones dropped. */
static char **
split_lines (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = g_strv_length (lines);

  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (lines[i]);

      if (len > 0 && lines[i][len - 1] == '\r')
        lines[i][len - 1] = '\0';
    }
  while (n > 0 && lines[n - 1][0] == '\0')
    g_clear_pointer (&lines[--n], g_free);

  return g_steal_pointer (&lines);
}

static int
find_column (char       **header,
             const char  *name)
{
  for (int i = 0; header[i] != NULL; i++)
    {
      if (g_str_equal (header[i], name))
        return i;
    }

  return -1;
}

/* Splits "`a,`b,`c": every field starts with a backtick, which keeps
 * spreadsheets from turning numbers into floats. Splitting on ",`" also
 * keeps a comma inside a product name. */
static char **
split_backtick_fields (const char *line)
{
  g_auto(GStrv) fields = NULL;

  if (line[0] != '`')
    return NULL;

  fields = g_strsplit (line + 1, ",`", -1);
  for (guint i = 0; fields[i] != NULL; i++)
    g_strstrip (fields[i]);

  return g_steal_pointer (&fields);
}

static char **
split_header (const char *line)
{
  g_auto(GStrv) fields = g_strsplit (line, ",", -1);

  for (guint i = 0; fields[i] != NULL; i++)
    {
      char *f = g_strstrip (fields[i]);

      /* Tolerate a header written with backticks too. */
      if (f[0] == '`')
        memmove (f, f + 1, strlen (f));
    }

  return g_steal_pointer (&fields);
}

static gboolean
parse_amount (const char  *text,
              gint64      *fen)
{
  if (text == NULL || *text == '\0')
    {
      *fen = 0;
      return TRUE;
    }

  return rd_alipay_amount_to_fen (text, fen, NULL);
}

static const char *
field_at (char **fields,
          int    column)
{
  return column >= 0 ? fields[column] : NULL;
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

RdBill *
rd_bill_parse_wechatpay (GBytes  *csv,
                         GError **error)
{
  g_autoptr(RdBill) bill = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  g_auto(GStrv) summary_header = NULL;
  g_auto(GStrv) summary = NULL;
  const char *data;
  gsize len;
  guint n_header, i;
  gint64 settled_sum = 0, refund_sum = 0, fee_sum = 0;
  int c_time, c_txn, c_out, c_status, c_settled, c_total, c_refund_no, c_refund, c_name, c_fee;
  int s_count, s_settled, s_refund, s_fee;
  guint64 s_value;

  g_return_val_if_fail (csv != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (csv, &len);
  if (len == 0 || !g_utf8_validate_len (data, len, NULL) || memchr (data, '\0', len) != NULL)
    {
      bad_bill (error, "WeChat Pay", _("it is empty or not UTF-8 text"));
      return NULL;
    }
  text = g_strndup (data, len);
  lines = split_lines (g_str_has_prefix (text, "\xEF\xBB\xBF") ? text + 3 : text);
  if (g_strv_length (lines) < 3)
    {
      bad_bill (error, "WeChat Pay", _("it has fewer than three lines"));
      return NULL;
    }

  header = split_header (lines[0]);
  n_header = g_strv_length (header);
  c_time = find_column (header, "交易时间");
  c_txn = find_column (header, "微信订单号");
  c_out = find_column (header, "商户订单号");
  c_status = find_column (header, "交易状态");
  c_settled = find_column (header, "应结订单金额");
  c_total = find_column (header, "订单金额");
  c_refund_no = find_column (header, "商户退款单号");
  c_refund = find_column (header, "退款金额");
  c_name = find_column (header, "商品名称");
  c_fee = find_column (header, "手续费");
  if (c_time < 0 || c_txn < 0 || c_out < 0 || c_status < 0 || c_settled < 0 || c_refund < 0)
    {
      bad_bill (error, "WeChat Pay", _("a column it must have is missing"));
      return NULL;
    }

  bill = bill_new (RD_PAYMENT_GATEWAY_WECHATPAY, csv);

  for (i = 1; lines[i] != NULL && lines[i][0] == '`'; i++)
    {
      g_auto(GStrv) fields = split_backtick_fields (lines[i]);
      RdBillLine *line;
      gint64 settled, total, refund, fee;

      if (g_strv_length (fields) != n_header)
        {
          bad_bill (error, "WeChat Pay", _("line %u has %u fields, not %u"),
                    i + 1, g_strv_length (fields), n_header);
          return NULL;
        }
      if (!parse_amount (fields[c_settled], &settled)
          || !parse_amount (field_at (fields, c_total), &total)
          || !parse_amount (fields[c_refund], &refund)
          || !parse_amount (field_at (fields, c_fee), &fee))
        {
          bad_bill (error, "WeChat Pay", _("line %u has an amount that is not in yuan"), i + 1);
          return NULL;
        }

      line = g_new0 (RdBillLine, 1);
      g_ptr_array_add (bill->lines, line);
      line->time = rd_bill_parse_time (fields[c_time]);
      if (line->time == NULL)
        {
          bad_bill (error, "WeChat Pay", _("line %u has no valid time"), i + 1);
          return NULL;
        }
      line->transaction_id = dup_nonempty (fields[c_txn]);
      line->out_trade_no = dup_nonempty (fields[c_out]);
      line->out_refund_no = dup_nonempty (field_at (fields, c_refund_no));
      line->status = g_strdup (fields[c_status]);
      line->description = dup_nonempty (field_at (fields, c_name));
      line->fee = fee;
      if (g_str_equal (fields[c_status], "REFUND"))
        {
          line->kind = RD_BILL_LINE_REFUND;
          line->amount = refund;
        }
      else
        {
          line->kind = RD_BILL_LINE_PAYMENT;
          line->amount = c_total >= 0 ? total : settled;
        }

      settled_sum += settled;
      refund_sum += refund;
      fee_sum += fee;
    }

  /* The summary: its header, then its values, then nothing. */
  if (lines[i] == NULL || lines[i + 1] == NULL || lines[i + 2] != NULL)
    {
      bad_bill (error, "WeChat Pay", _("the summary lines are missing; the file ends early"));
      return NULL;
    }
  summary_header = split_header (lines[i]);
  summary = split_backtick_fields (lines[i + 1]);
  s_count = find_column (summary_header, "总交易单数");
  s_settled = find_column (summary_header, "应结订单总金额");
  s_refund = find_column (summary_header, "退款总金额");
  s_fee = find_column (summary_header, "手续费总金额");
  if (summary == NULL || g_strv_length (summary) != g_strv_length (summary_header)
      || s_count < 0 || s_settled < 0 || s_refund < 0)
    {
      bad_bill (error, "WeChat Pay", _("the summary lines are malformed"));
      return NULL;
    }

  if (!g_ascii_string_to_unsigned (summary[s_count], 10, 0, G_MAXUINT, &s_value, NULL)
      || (guint) s_value != bill->lines->len)
    {
      bad_bill (error, "WeChat Pay", _("it lists %u trades but its summary says %s"),
                bill->lines->len, summary[s_count]);
      return NULL;
    }
  bill->summary_count = (guint) s_value;

  if (!parse_amount (summary[s_settled], &bill->summary_amount)
      || !parse_amount (summary[s_refund], &bill->summary_refund)
      || !parse_amount (field_at (summary, s_fee), &bill->summary_fee)
      || bill->summary_amount != settled_sum || bill->summary_refund != refund_sum
      || (s_fee >= 0 && c_fee >= 0 && bill->summary_fee != fee_sum))
    {
      bad_bill (error, "WeChat Pay", _("its amounts do not add up to its summary"));
      return NULL;
    }

  return g_steal_pointer (&bill);
}

/* One CSV line: commas, optional double quotes, blanks and the tab Alipay
 * appends to numbers (to keep spreadsheets off them) trimmed. */
static char **
split_csv (const char *line)
{
  GPtrArray *fields = g_ptr_array_new ();
  GString *field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line;; p++)
    {
      if (quoted)
        {
          if (*p == '\0')
            break;
          if (*p == '"' && p[1] == '"')
            g_string_append_c (field, *++p);
          else if (*p == '"')
            quoted = FALSE;
          else
            g_string_append_c (field, *p);
          continue;
        }
      if (*p == '"')
        quoted = TRUE;
      else if (*p == ',' || *p == '\0')
        {
          g_ptr_array_add (fields, g_strdup (g_strstrip (field->str)));
          g_string_truncate (field, 0);
          if (*p == '\0')
            break;
        }
      else
        g_string_append_c (field, *p);
    }

  g_string_free (field, TRUE);
  g_ptr_array_add (fields, NULL);

  return (char **) g_ptr_array_free (fields, FALSE);
}

/* "#交易合计：3笔，..." → 3; -1 when the line is not that. */
static int
summary_count (const char *line,
               const char *prefix)
{
  const char *p;
  guint64 n;

  if (!g_str_has_prefix (line, prefix))
    return -1;
  p = strstr (line, "：");
  if (p == NULL)
    return -1;
  p += strlen ("：");
  if (!g_ascii_isdigit (*p))
    return -1;
  n = g_ascii_strtoull (p, (char **) &p, 10);
  if (!g_str_has_prefix (p, "笔") || n > G_MAXINT)
    return -1;

  return (int) n;
}

RdBill *
rd_bill_parse_alipay_csv (const char *csv,
                          gssize      len,
                          GError    **error)
{
  g_autoptr(RdBill) bill = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  guint i, n_header, n_trades = 0, n_refunds = 0;
  int c_txn, c_out, c_kind, c_name, c_created, c_done, c_amount, c_refund_no, c_fee;
  int trades_said = -1, refunds_said = -1;

  g_return_val_if_fail (csv != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (len < 0)
    len = strlen (csv);
  if (!g_utf8_validate_len (csv, len, NULL))
    {
      bad_bill (error, "Alipay", _("it is not text"));
      return NULL;
    }
  text = g_strndup (csv, len);
  raw = g_bytes_new (csv, len);
  lines = split_lines (text);

  for (i = 0; lines[i] != NULL; i++)
    {
      if (lines[i][0] == '#' && strstr (lines[i], ALIPAY_DETAIL_MARK) != NULL
          && strstr (lines[i], ALIPAY_END_MARK) == NULL)
        break;
    }
  if (lines[i] == NULL || lines[i + 1] == NULL)
    {
      bad_bill (error, "Alipay", _("it has no list of business details"));
      return NULL;
    }

  header = split_csv (lines[++i]);
  n_header = g_strv_length (header);
  c_txn = find_column (header, "支付宝交易号");
  c_out = find_column (header, "商户订单号");
  c_kind = find_column (header, "业务类型");
  c_name = find_column (header, "商品名称");
  c_created = find_column (header, "创建时间");
  c_done = find_column (header, "完成时间");
  c_amount = find_column (header, "订单金额（元）");
  c_refund_no = find_column (header, "退款批次号/请求号");
  c_fee = find_column (header, "服务费（元）");
  if (c_txn < 0 || c_out < 0 || c_kind < 0 || c_created < 0 || c_amount < 0)
    {
      bad_bill (error, "Alipay", _("a column it must have is missing"));
      return NULL;
    }

  bill = bill_new (RD_PAYMENT_GATEWAY_ALIPAY, raw);

  for (i++; lines[i] != NULL && lines[i][0] != '#'; i++)
    {
      g_auto(GStrv) fields = NULL;
      RdBillLine *line;
      const char *when;
      gint64 amount, fee;

      if (lines[i][0] == '\0')
        continue;

      fields = split_csv (lines[i]);
      if (g_strv_length (fields) != n_header)
        {
          bad_bill (error, "Alipay", _("line %u has %u fields, not %u"),
                    i + 1, g_strv_length (fields), n_header);
          return NULL;
        }
      if (!parse_amount (fields[c_amount], &amount)
          || !parse_amount (field_at (fields, c_fee), &fee))
        {
          bad_bill (error, "Alipay", _("line %u has an amount that is not in yuan"), i + 1);
          return NULL;
        }

      line = g_new0 (RdBillLine, 1);
      g_ptr_array_add (bill->lines, line);
      when = c_done >= 0 && fields[c_done][0] != '\0' ? fields[c_done] : fields[c_created];
      line->time = rd_bill_parse_time (when);
      if (line->time == NULL)
        {
          bad_bill (error, "Alipay", _("line %u has no valid time"), i + 1);
          return NULL;
        }
      line->transaction_id = dup_nonempty (fields[c_txn]);
      line->out_trade_no = dup_nonempty (fields[c_out]);
      line->status = g_strdup (fields[c_kind]);
      line->description = dup_nonempty (field_at (fields, c_name));
      line->fee = fee;
      if (g_str_equal (fields[c_kind], "退款"))
        {
          line->kind = RD_BILL_LINE_REFUND;
          line->amount = amount < 0 ? -amount : amount;
          line->out_refund_no = dup_nonempty (field_at (fields, c_refund_no));
          bill->summary_refund += line->amount;
          n_refunds++;
        }
      else
        {
          line->kind = RD_BILL_LINE_PAYMENT;
          line->amount = amount;
          bill->summary_amount += line->amount;
          n_trades++;
        }
      bill->summary_fee += fee;
    }

  if (lines[i] == NULL || strstr (lines[i], ALIPAY_END_MARK) == NULL)
    {
      bad_bill (error, "Alipay", _("the list of business details ends early"));
      return NULL;
    }

  /* The totals after the list are unconfirmed: checked when present. */
  for (i++; lines[i] != NULL; i++)
    {
      int n;

      if ((n = summary_count (lines[i], "#交易合计")) >= 0)
        trades_said = n;
      else if ((n = summary_count (lines[i], "#退款合计")) >= 0)
        refunds_said = n;
    }
  if ((trades_said >= 0 && (guint) trades_said != n_trades)
      || (refunds_said >= 0 && (guint) refunds_said != n_refunds))
    {
      bad_bill (error, "Alipay", _("it lists %u trades and %u refunds, not what its totals say"),
                n_trades, n_refunds);
      return NULL;
    }
  bill->summary_count = n_trades + n_refunds;

  return g_steal_pointer (&bill);
}

RdBill *
rd_bill_parse_alipay (GBytes  *zip,
                      GError **error)
{
  g_autoptr(GPtrArray) entries = NULL;

  g_return_val_if_fail (zip != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entries = rd_zip_read (zip, error);
  if (entries == NULL)
    return NULL;

  /* The archive also holds a summary file; the details are the one with
   * the marker (the file names are GBK and say little). */
  for (guint i = 0; i < entries->len; i++)
    {
      RdZipEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *utf8 = NULL;
      gsize utf8_len;
      RdBill *bill;
      gsize len;
      const char *data = g_bytes_get_data (entry->data, &len);

      utf8 = g_convert (data, len, "UTF-8", ALIPAY_BILL_CHARSET, NULL, &utf8_len, &local_error);
      if (utf8 == NULL)
        {
          bad_bill (error, "Alipay", _("a file in it is not GBK text: %s"), local_error->message);
          return NULL;
        }
      if (strstr (utf8, "支付宝交易号") == NULL || strstr (utf8, ALIPAY_DETAIL_MARK) == NULL)
        continue;

      bill = rd_bill_parse_alipay_csv (utf8, utf8_len, error);
      if (bill != NULL)
        {
          g_bytes_unref (bill->raw);
          bill->raw = g_bytes_ref (zip);
        }

      return bill;
    }

  bad_bill (error, "Alipay", _("no file in it lists business details"));
  return NULL;
}
