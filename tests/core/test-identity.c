/* test-identity.c: identity documents, phone numbers, pinyin initials
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "rd-identity.h"
#include "rd-pinyin.h"

static void
test_check_char (void)
{
  /* The GB 11643-1999 worked example. */
  g_assert_cmpint (rd_resident_id_check_char ("11010519491231002"), ==, 'X');
  g_assert_cmpint (rd_resident_id_check_char ("44052419800101001"), ==, '3');
  g_assert_cmpint (rd_resident_id_check_char ("1101051949123100"), ==, 0);
  g_assert_cmpint (rd_resident_id_check_char ("1101051949123100A"), ==, 0);
}

static void
test_resident_id (void)
{
  g_autoptr(GDate) birth = NULL;
  g_autoptr(GError) error = NULL;
  char sex = 0;

  g_assert_true (rd_resident_id_parse ("11010519491231002X", &birth, &sex, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_date_get_year (birth), ==, 1949);
  g_assert_cmpint (g_date_get_month (birth), ==, 12);
  g_assert_cmpint (g_date_get_day (birth), ==, 31);
  g_assert_cmpint (sex, ==, 'F');

  /* lower-case x is how people type it */
  g_assert_true (rd_resident_id_parse ("11010519491231002x", NULL, &sex, NULL));
  g_assert_true (rd_resident_id_parse ("440524198001010013", NULL, &sex, NULL));
  g_assert_cmpint (sex, ==, 'M');

  g_assert_false (rd_resident_id_parse ("110105194912310021", NULL, NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHECKSUM);
  g_clear_error (&error);

  g_assert_false (rd_resident_id_parse ("11010519491231002", NULL, NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_LENGTH);
  g_clear_error (&error);

  g_assert_false (rd_resident_id_parse ("", NULL, NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_EMPTY);
  g_clear_error (&error);

  /* 31 February */
  g_assert_false (rd_resident_id_parse ("110105194902310020", NULL, NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_DATE);
  g_clear_error (&error);

  /* born in 2999 */
  g_assert_false (rd_resident_id_parse ("110105299901010020", NULL, NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_DATE);
  g_clear_error (&error);

  g_assert_false (rd_resident_id_parse ("91010519491231002X", NULL, NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_REGION);
  g_clear_error (&error);

  g_assert_false (rd_resident_id_parse ("1101051949123100２X", NULL, NULL, &error));
  g_assert_nonnull (error);
}

static void
test_other_documents (void)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_id_number_validate (RD_ID_TYPE_PASSPORT, " e12345678 ", &normalized, NULL));
  g_assert_cmpstr (normalized, ==, "E12345678");
  g_clear_pointer (&normalized, g_free);

  g_assert_false (rd_id_number_validate (RD_ID_TYPE_PASSPORT, "E1234-5678", NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHARACTERS);
  g_clear_error (&error);

  g_assert_true (rd_id_number_validate (RD_ID_TYPE_HK_MACAU_PERMIT, "H12345678", NULL, NULL));
  g_assert_true (rd_id_number_validate (RD_ID_TYPE_HK_MACAU_PERMIT, "m1234567890", NULL, NULL));
  g_assert_false (rd_id_number_validate (RD_ID_TYPE_HK_MACAU_PERMIT, "X12345678", NULL, NULL));
  g_assert_true (rd_id_number_validate (RD_ID_TYPE_TAIWAN_PERMIT, "01234567", NULL, NULL));
  g_assert_false (rd_id_number_validate (RD_ID_TYPE_TAIWAN_PERMIT, "0123456", NULL, NULL));
  g_assert_true (rd_id_number_validate (RD_ID_TYPE_FOREIGN_PERMANENT, "USA110078091215", NULL, NULL));
  g_assert_false (rd_id_number_validate (RD_ID_TYPE_FOREIGN_PERMANENT, "US1100780912150", NULL, NULL));

  g_assert_true (rd_id_number_validate (RD_ID_TYPE_RESIDENT_ID, "11010519491231002x",
                                        &normalized, NULL));
  g_assert_cmpstr (normalized, ==, "11010519491231002X");
  g_clear_pointer (&normalized, g_free);

  g_assert_false (rd_id_number_validate (RD_ID_TYPE_RESIDENT_ID, "   ", NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_EMPTY);

  g_assert_cmpint (rd_id_type_from_db ("taiwan_permit"), ==, RD_ID_TYPE_TAIWAN_PERMIT);
  g_assert_cmpint (rd_id_type_from_db ("bogus"), ==, -1);
  g_assert_cmpstr (rd_id_type_to_db (RD_ID_TYPE_HK_MACAU_PERMIT), ==, "hk_macau_permit");
}

static void
test_mobile (void)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (rd_mobile_validate ("+86 138-0013-8000", &normalized, NULL));
  g_assert_cmpstr (normalized, ==, "13800138000");
  g_clear_pointer (&normalized, g_free);
  g_assert_true (rd_mobile_validate ("008619912345678", &normalized, NULL));
  g_assert_cmpstr (normalized, ==, "19912345678");

  g_assert_false (rd_mobile_validate ("12800138000", NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_LENGTH);
  g_clear_error (&error);
  g_assert_false (rd_mobile_validate ("1380013800", NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_LENGTH);
  g_clear_error (&error);
  g_assert_false (rd_mobile_validate ("138OO138000", NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_CHARACTERS);
  g_clear_error (&error);
  g_assert_false (rd_mobile_validate ("", NULL, &error));
  g_assert_error (error, RD_VALIDATION_ERROR, RD_VALIDATION_ERROR_EMPTY);
}

static void
test_mask (void)
{
  g_autofree char *a = rd_id_number_mask ("11010519491231002X");
  g_autofree char *b = rd_id_number_mask ("E12345678");
  g_autofree char *c = rd_id_number_mask ("123");

  g_assert_cmpstr (a, ==, "110105********002X");
  g_assert_cmpstr (b, ==, "E1*****78");
  g_assert_cmpstr (c, ==, "***");
}

static void
test_pinyin (void)
{
  struct { const char *in, *out; } cases[] = {
    { "张三", "zs" },
    { "李小龙", "lxl" },
    { "欧阳娜娜", "oynn" },
    { "王 Ming 2", "wming2" },
    { "", "" },
    { "·—，", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = rd_pinyin_initials (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }

  /* Polyphonic surnames read as surnames only in first place. */
  {
    g_autofree char *name = rd_pinyin_name_initials ("曾单");
    g_autofree char *text = rd_pinyin_initials ("曾单");
    g_assert_cmpstr (name, ==, "zd");
    g_assert_cmpstr (text, ==, "cd");
  }
  {
    g_autofree char *name = rd_pinyin_name_initials ("单田芳");
    g_assert_cmpstr (name, ==, "stf");
  }

  g_assert_cmpint (rd_pinyin_initial (0x4E2D), ==, 'z'); /* 中 */
  g_assert_cmpint (rd_pinyin_initial ('a'), ==, 0);
  g_assert_cmpint (rd_pinyin_initial (0x20000), !=, 0);   /* an Extension B ideograph */
  {
    g_autofree char *bad = rd_pinyin_initials ("\xff\xfe");
    g_assert_cmpstr (bad, ==, "");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/identity/check-char", test_check_char);
  g_test_add_func ("/identity/resident-id", test_resident_id);
  g_test_add_func ("/identity/other-documents", test_other_documents);
  g_test_add_func ("/identity/mobile", test_mobile);
  g_test_add_func ("/identity/mask", test_mask);
  g_test_add_func ("/pinyin/initials", test_pinyin);

  return g_test_run ();
}
