/* test-money.c: amounts in fen, formatted and parsed without rounding
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-money.h"

static void
test_format (void)
{
  static const struct
  {
    gint64      fen;
    const char *text;
  } cases[] = {
    { 0, "¥0.00" },
    { 1, "¥0.01" },
    { 5, "¥0.05" },
    { 10, "¥0.10" },
    { 99, "¥0.99" },
    { 100, "¥1.00" },
    { 1250, "¥12.50" },
    { 123456789, "¥1234567.89" },
    { -5, "-¥0.05" },
    { -1250, "-¥12.50" },
    { G_MAXINT64, "¥92233720368547758.07" },
    { G_MININT64, "-¥92233720368547758.08" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = rd_money_format (cases[i].fen);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_to_yuan (void)
{
  static const struct
  {
    gint64      fen;
    const char *text;
  } cases[] = {
    { 0, "0.00" },
    { 1, "0.01" },
    { 100, "1.00" },
    { 1250, "12.50" },
    { 100000, "1000.00" },
    { -1, "-0.01" },
    { -100000, "-1000.00" },
    { G_MAXINT64, "92233720368547758.07" },
    { G_MININT64, "-92233720368547758.08" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = rd_money_to_yuan (cases[i].fen);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

static void
test_parse_valid (void)
{
  static const struct
  {
    const char *text;
    gint64      fen;
  } cases[] = {
    { "0", 0 },
    { "0.0", 0 },
    { "0.00", 0 },
    { "0.01", 1 },
    { "0.1", 10 },
    { "0.10", 10 },
    { "12", 1200 },
    { "12.5", 1250 },
    { "12.50", 1250 },
    { "012.50", 1250 },
    { "¥12.50", 1250 },
    { "¥0.05", 5 },
    { "￥7", 700 },
    { "92233720368547758.07", G_MAXINT64 },
    { "92233720368547758", G_GINT64_CONSTANT (9223372036854775800) },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 fen = -42;

      g_test_message ("parsing '%s'", cases[i].text);
      g_assert_true (rd_money_parse (cases[i].text, &fen));
      g_assert_cmpint (fen, ==, cases[i].fen);
    }
}

static void
test_parse_invalid (void)
{
  static const char *cases[] = {
    "",
    "¥",
    "￥",
    "-",
    "+",
    "-1",
    "-¥1.00",
    "+1",
    " 1",
    "1 ",
    "1. 5",
    "¥ 1",
    "1.",
    ".5",
    ".",
    "0.005",
    "1.234",
    "1.001",
    "1e3",
    "1E3",
    "0x10",
    "1,000",
    "1,5",
    "12.5元",
    "abc",
    "1.5a",
    "¥¥1",
    "1¥",
    "$1",
    "NaN",
    "inf",
    "１２",
    "92233720368547758.08",
    "92233720368547759",
    "99999999999999999999",
    "184467440737095516160",
    "999999999999999999999999999999",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 fen = -42;

      g_test_message ("parsing '%s'", cases[i]);
      g_assert_false (rd_money_parse (cases[i], &fen));
      g_assert_cmpint (fen, ==, -42);
    }

  g_assert_false (rd_money_parse (NULL, &(gint64) { 0 }));
}

static void
test_round_trip (void)
{
  static const gint64 amounts[] = { 0, 1, 9, 10, 99, 100, 101, 1999, 250000, 987654321012 };

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *formatted = rd_money_format (amounts[i]);
      g_autofree char *yuan = rd_money_to_yuan (amounts[i]);
      gint64 back = -1;

      g_assert_true (rd_money_parse (formatted, &back));
      g_assert_cmpint (back, ==, amounts[i]);
      back = -1;
      g_assert_true (rd_money_parse (yuan, &back));
      g_assert_cmpint (back, ==, amounts[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/money/format", test_format);
  g_test_add_func ("/money/to-yuan", test_to_yuan);
  g_test_add_func ("/money/parse/valid", test_parse_valid);
  g_test_add_func ("/money/parse/invalid", test_parse_invalid);
  g_test_add_func ("/money/round-trip", test_round_trip);

  return g_test_run ();
}
