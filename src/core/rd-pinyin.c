/* rd-pinyin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-core"

#include "config.h"

#include <stdlib.h>

#include "rd-pinyin.h"
#include "rd-pinyin-table.h"

/* Surnames whose reading differs from the character's most common one.
 * Only the surname reading's initial matters here. */
static const struct
{
  gunichar ch;
  char     letter;
} surname_readings[] = {
  { 0x4E50, 'y' }, /* 乐 Yuè */
  { 0x4EC7, 'q' }, /* 仇 Qiú */
  { 0x533A, 'o' }, /* 区 Ōu */
  { 0x5355, 's' }, /* 单 Shàn */
  { 0x5C09, 'y' }, /* 尉 Yù (尉迟) */
  { 0x66FE, 'z' }, /* 曾 Zēng */
  { 0x6734, 'p' }, /* 朴 Piáo */
  { 0x67E5, 'z' }, /* 查 Zhā */
  { 0x76D6, 'g' }, /* 盖 Gě */
  { 0x7F2A, 'm' }, /* 缪 Miào */
  { 0x8983, 'q' }, /* 覃 Qín */
  { 0x89E3, 'x' }, /* 解 Xiè */
  { 0x90C7, 'x' }, /* 郇 Xún */
  { 0x9646, 'l' }, /* 陆 Lù */
  { 0x7FDF, 'z' }, /* 翟 Zhái */
  { 0x5C43, 'x' }, /* 冼 Xiǎn */
  { 0x957F, 'c' }, /* 长 Cháng */
  { 0x91CD, 'c' }, /* 重 Chóng */
  { 0x79D8, 'b' }, /* 秘 Bì */
};

static int
compare_point (gconstpointer key,
               gconstpointer element)
{
  guint32 code = GPOINTER_TO_UINT (key);
  const RdPinyinPoint *point = element;

  return code < point->code ? -1 : code > point->code ? 1 : 0;
}

char
rd_pinyin_initial (gunichar ch)
{
  const RdPinyinPoint *point;

  for (guint i = 0; i < G_N_ELEMENTS (rd_pinyin_blocks); i++)
    {
      const RdPinyinBlock *block = &rd_pinyin_blocks[i];

      if (ch >= block->first && ch <= block->last)
        {
          char letter = block->letters[ch - block->first];

          return letter == '_' ? 0 : letter;
        }
    }

  point = bsearch (GUINT_TO_POINTER (ch), rd_pinyin_points, G_N_ELEMENTS (rd_pinyin_points),
                   sizeof rd_pinyin_points[0], compare_point);

  return point != NULL ? point->letter : 0;
}

static char *
initials (const char *text,
          gboolean    as_name)
{
  GString *out;
  gboolean first = TRUE;

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup ("");

  out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar ch = g_utf8_get_char (p);
      char letter = 0;

      if (ch < 0x80)
        {
          if (g_ascii_isalnum (ch))
            letter = g_ascii_tolower (ch);
        }
      else
        {
          if (as_name && first)
            {
              for (guint i = 0; i < G_N_ELEMENTS (surname_readings); i++)
                {
                  if (surname_readings[i].ch == ch)
                    letter = surname_readings[i].letter;
                }
            }

          if (letter == 0)
            letter = rd_pinyin_initial (ch);
        }

      if (!g_unichar_isspace (ch))
        first = FALSE;

      if (letter != 0)
        g_string_append_c (out, letter);
    }

  return g_string_free (out, FALSE);
}

char *
rd_pinyin_initials (const char *text)
{
  return initials (text, FALSE);
}

char *
rd_pinyin_name_initials (const char *name)
{
  return initials (name, TRUE);
}
