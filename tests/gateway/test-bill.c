/* test-bill.c: the bill parsers and the zip reader on real-format files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "rd-bill.h"
#include "rd-gateway-error.h"
#include "rd-gateway-test-util.h"
#include "rd-zip.h"

static GBytes *
fixture (const char *name)
{
  gsize len;
  char *data = rd_test_gateway_data (name, &len);

  return g_bytes_new_take (data, len);
}

static RdBillLine *
line_at (RdBill *bill,
         guint   i)
{
  g_assert_cmpuint (i, <, bill->lines->len);
  return g_ptr_array_index (bill->lines, i);
}

static void
test_wechatpay_bill (void)
{
  g_autoptr(GBytes) csv = fixture ("wechatpay-tradebill.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBill) bill = NULL;
  g_autofree char *when = NULL;
  RdBillLine *line;

  bill = rd_bill_parse_wechatpay (csv, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bill);
  g_assert_cmpint (bill->gateway, ==, RD_PAYMENT_GATEWAY_WECHATPAY);
  g_assert_true (g_bytes_equal (bill->raw, csv));
  g_assert_cmpuint (bill->lines->len, ==, 3);
  g_assert_cmpuint (bill->summary_count, ==, 3);
  g_assert_cmpint (bill->summary_amount, ==, 4250);
  g_assert_cmpint (bill->summary_refund, ==, 1250);
  g_assert_cmpint (bill->summary_fee, ==, 18);

  line = line_at (bill, 0);
  g_assert_cmpint (line->kind, ==, RD_BILL_LINE_PAYMENT);
  g_assert_cmpstr (line->out_trade_no, ==, "RD20240501000001");
  g_assert_cmpstr (line->transaction_id, ==, "4200001234202405011234567890");
  g_assert_cmpstr (line->status, ==, "SUCCESS");
  g_assert_cmpint (line->amount, ==, 1250);
  g_assert_cmpint (line->fee, ==, 8);
  when = g_date_time_format_iso8601 (line->time);
  g_assert_cmpstr (when, ==, "2024-05-01T09:12:30+08");

  /* A comma inside a field does not split it: only ",`" does. */
  line = line_at (bill, 1);
  g_assert_cmpstr (line->description, ==, "挂号费 专家门诊, 李主任");
  g_assert_cmpint (line->amount, ==, 3000);

  line = line_at (bill, 2);
  g_assert_cmpint (line->kind, ==, RD_BILL_LINE_REFUND);
  g_assert_cmpstr (line->out_refund_no, ==, "RF20240501000001");
  g_assert_cmpint (line->amount, ==, 1250);
  g_assert_cmpint (line->fee, ==, -8);
}

static void
test_wechatpay_bill_bom_and_lf (void)
{
  g_autofree char *text = rd_test_gateway_data ("wechatpay-tradebill.csv", NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_autofree char *joined = g_strjoinv ("\n", lines);
  g_autofree char *with_bom = g_strconcat ("\xEF\xBB\xBF", joined, NULL);
  g_autoptr(GBytes) csv = g_bytes_new (with_bom, strlen (with_bom));
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBill) bill = rd_bill_parse_wechatpay (csv, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (bill->lines->len, ==, 3);
}

static void
expect_wechatpay_failure (const char *text)
{
  g_autoptr(GBytes) csv = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBill) bill = rd_bill_parse_wechatpay (csv, &error);

  g_assert_null (bill);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
}

static void
test_wechatpay_bill_damaged (void)
{
  g_autofree char *text = rd_test_gateway_data ("wechatpay-tradebill.csv", NULL);
  g_autofree char *cut = NULL;
  g_autofree char *changed = NULL;
  g_autofree char *no_summary = NULL;
  char *p;

  /* Cut off in the middle of the data: no summary, so no bill. */
  cut = g_strndup (text, strlen (text) / 2);
  expect_wechatpay_failure (cut);

  /* A whole line lost: the summary no longer agrees. */
  p = strstr (text, "`2024-05-01 10:40:02");
  g_assert_nonnull (p);
  no_summary = g_strndup (text, p - text);
  changed = g_strconcat (no_summary, strstr (p, "\r\n") + 2, NULL);
  expect_wechatpay_failure (changed);

  /* An amount that was tampered with. */
  g_free (changed);
  changed = g_strdup (text);
  p = strstr (changed, "`30.00");
  p[1] = '4';
  expect_wechatpay_failure (changed);

  expect_wechatpay_failure ("");
  expect_wechatpay_failure ("not,a,bill\n");
  expect_wechatpay_failure ("交易时间,微信订单号\n`x,`y\n总交易单数\n`1\n");
  expect_wechatpay_failure ("\xff\xfe garbage\n\n\n");
}

static GBytes *
alipay_zip (gboolean data_descriptor)
{
  g_autofree char *csv = rd_test_gateway_data ("alipay-tradebill-detail.csv", NULL);
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rd_zip_entry_free);
  g_autoptr(GError) error = NULL;
  const char *summary = "#支付宝业务汇总查询\r\n合计,,2,1\r\n";
  RdZipEntry *entry;
  gsize len;
  char *gbk;

  entry = g_new0 (RdZipEntry, 1);
  entry->name = g_convert ("2088_20240501_业务明细(汇总).csv", -1, "GBK", "UTF-8", NULL, NULL,
                           &error);
  g_assert_no_error (error);
  gbk = g_convert (summary, -1, "GBK", "UTF-8", NULL, &len, &error);
  g_assert_no_error (error);
  entry->data = g_bytes_new_take (gbk, len);
  g_ptr_array_add (entries, entry);

  entry = g_new0 (RdZipEntry, 1);
  entry->name = g_convert ("2088_20240501_业务明细.csv", -1, "GBK", "UTF-8", NULL, NULL, &error);
  gbk = g_convert (csv, -1, "GBK", "UTF-8", NULL, &len, &error);
  g_assert_no_error (error);
  entry->data = g_bytes_new_take (gbk, len);
  g_ptr_array_add (entries, entry);

  return rd_zip_write (entries, data_descriptor);
}

static void
check_alipay_bill (RdBill *bill)
{
  RdBillLine *line;

  g_assert_cmpint (bill->gateway, ==, RD_PAYMENT_GATEWAY_ALIPAY);
  g_assert_cmpuint (bill->lines->len, ==, 3);
  g_assert_cmpuint (bill->summary_count, ==, 3);
  g_assert_cmpint (bill->summary_amount, ==, 6500);
  g_assert_cmpint (bill->summary_refund, ==, 1500);

  line = line_at (bill, 0);
  g_assert_cmpint (line->kind, ==, RD_BILL_LINE_PAYMENT);
  /* Ids lose the tab Alipay appends to keep spreadsheets off them. */
  g_assert_cmpstr (line->transaction_id, ==, "2024050122001400000000000001");
  g_assert_cmpstr (line->out_trade_no, ==, "RD20240501000003");
  g_assert_cmpstr (line->description, ==, "挂号费 儿科 王医生");
  g_assert_cmpint (line->amount, ==, 1500);
  g_assert_cmpint (line->fee, ==, -9);

  line = line_at (bill, 1);
  g_assert_cmpstr (line->description, ==, "挂号费 专家门诊, 赵主任");
  g_assert_cmpint (line->amount, ==, 5000);

  line = line_at (bill, 2);
  g_assert_cmpint (line->kind, ==, RD_BILL_LINE_REFUND);
  g_assert_cmpint (line->amount, ==, 1500);
  g_assert_cmpstr (line->out_refund_no, ==, "RF20240501000003");
  g_assert_cmpstr (line->status, ==, "退款");
}

static void
test_alipay_bill_zip (void)
{
  for (guint descriptor = 0; descriptor < 2; descriptor++)
    {
      g_autoptr(GBytes) zip = alipay_zip (descriptor);
      g_autoptr(GError) error = NULL;
      g_autoptr(RdBill) bill = rd_bill_parse_alipay (zip, &error);

      g_assert_no_error (error);
      g_assert_nonnull (bill);
      g_assert_true (g_bytes_equal (bill->raw, zip));
      check_alipay_bill (bill);
    }
}

static void
test_alipay_bill_python_zip (void)
{
  /* Made by Python's zipfile, not by us: the reader must take any zip. */
  g_autoptr(GBytes) zip = fixture ("alipay-tradebill.zip");
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBill) bill = rd_bill_parse_alipay (zip, &error);

  g_assert_no_error (error);
  check_alipay_bill (bill);
}

static void
test_alipay_bill_damaged (void)
{
  g_autoptr(GBytes) zip = alipay_zip (TRUE);
  gsize len;
  const guint8 *data = g_bytes_get_data (zip, &len);

  /* Every truncation is an error, never a shorter bill. */
  for (gsize cut = 0; cut < len; cut += 7)
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);
      g_autoptr(GError) error = NULL;
      g_autoptr(RdBill) bill = rd_bill_parse_alipay (part, &error);

      g_assert_null (bill);
      g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
    }

  /* A flipped bit in the compressed data: inflate or the CRC catches it. */
  for (gsize at = 60; at < len - 120; at += 13)
    {
      g_autofree guint8 *copy = g_memdup2 (data, len);
      g_autoptr(GBytes) bad = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(RdBill) bill = NULL;

      copy[at] ^= 0x10;
      bad = g_bytes_new (copy, len);
      bill = rd_bill_parse_alipay (bad, &error);
      if (bill != NULL)
        {
          /* Only a flip in a place that carries no data may pass unseen. */
          g_assert_cmpuint (bill->lines->len, ==, 3);
        }
      else
        g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
    }
}

static void
test_alipay_csv_damaged (void)
{
  g_autofree char *csv = rd_test_gateway_data ("alipay-tradebill-detail.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RdBill) bill = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *edited = NULL;
  char *p;

  /* Cut before the end marker. */
  p = strstr (csv, "#-----------------------------------------业务明细列表结束");
  cut = g_strndup (csv, p - csv);
  bill = rd_bill_parse_alipay_csv (cut, -1, &error);
  g_assert_null (bill);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_clear_error (&error);

  /* A row lost: the totals after the list disagree. */
  p = strstr (csv, "2024050122001400000000000002");
  edited = g_strdup_printf ("%.*s%s", (int) (p - csv), csv, strstr (p, "\r\n") + 2);
  bill = rd_bill_parse_alipay_csv (edited, -1, &error);
  g_assert_null (bill);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  g_clear_error (&error);

  bill = rd_bill_parse_alipay_csv ("no markers at all\n", -1, &error);
  g_assert_null (bill);
  g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
}

static void
test_zip_round_trip (void)
{
  g_autoptr(GPtrArray) entries =
    g_ptr_array_new_with_free_func ((GDestroyNotify) rd_zip_entry_free);
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GBytes) zip = NULL;
  g_autoptr(GError) error = NULL;
  GString *big = g_string_new (NULL);
  RdZipEntry *entry;

  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (big, "line %u,%u\n", i, i * 7);

  entry = g_new0 (RdZipEntry, 1);
  entry->name = g_strdup ("big.csv");
  entry->data = g_string_free_to_bytes (big);
  g_ptr_array_add (entries, entry);
  entry = g_new0 (RdZipEntry, 1);
  entry->name = g_strdup ("empty.csv");
  entry->data = g_bytes_new (NULL, 0);
  g_ptr_array_add (entries, entry);

  zip = rd_zip_write (entries, TRUE);
  back = rd_zip_read (zip, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      RdZipEntry *a = g_ptr_array_index (entries, i);
      RdZipEntry *b = g_ptr_array_index (back, i);

      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_true (g_bytes_equal (a->data, b->data));
    }

  /* Not a zip at all. */
  {
    g_autoptr(GBytes) junk = g_bytes_new_static ("PK\x05\x06", 3);
    g_autoptr(GPtrArray) none = rd_zip_read (junk, &error);

    g_assert_null (none);
    g_assert_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gateway/bill/wechatpay", test_wechatpay_bill);
  g_test_add_func ("/gateway/bill/wechatpay-bom-lf", test_wechatpay_bill_bom_and_lf);
  g_test_add_func ("/gateway/bill/wechatpay-damaged", test_wechatpay_bill_damaged);
  g_test_add_func ("/gateway/bill/alipay-zip", test_alipay_bill_zip);
  g_test_add_func ("/gateway/bill/alipay-python-zip", test_alipay_bill_python_zip);
  g_test_add_func ("/gateway/bill/alipay-zip-damaged", test_alipay_bill_damaged);
  g_test_add_func ("/gateway/bill/alipay-csv-damaged", test_alipay_csv_damaged);
  g_test_add_func ("/gateway/zip/round-trip", test_zip_round_trip);

  return g_test_run ();
}
