/* rd-zip.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <zlib.h>

#include "rd-gateway-error.h"
#include "rd-zip.h"

#define LOCAL_HEADER_SIG   0x04034b50
#define CENTRAL_HEADER_SIG 0x02014b50
#define END_RECORD_SIG     0x06054b50
#define DESCRIPTOR_SIG     0x08074b50
#define LOCAL_HEADER_LEN   30
#define FLAG_ENCRYPTED     0x0001
#define FLAG_DESCRIPTOR    0x0008
#define METHOD_STORED      0
#define METHOD_DEFLATED    8

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

void
rd_zip_entry_free (RdZipEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->name);
  g_clear_pointer (&entry->data, g_bytes_unref);
  g_free (entry);
}

static gboolean
read_u16 (Reader  *r,
          guint32 *out)
{
  if (r->len - r->pos < 2)
    return FALSE;
  *out = r->data[r->pos] | (r->data[r->pos + 1] << 8);
  r->pos += 2;
  return TRUE;
}

static gboolean
read_u32 (Reader  *r,
          guint32 *out)
{
  if (r->len - r->pos < 4)
    return FALSE;
  *out = (guint32) r->data[r->pos] | ((guint32) r->data[r->pos + 1] << 8)
         | ((guint32) r->data[r->pos + 2] << 16) | ((guint32) r->data[r->pos + 3] << 24);
  r->pos += 4;
  return TRUE;
}

static gboolean
peek_u32 (Reader  *r,
          guint32 *out)
{
  gsize pos = r->pos;
  gboolean ok = read_u32 (r, out);

  r->pos = pos;
  return ok;
}

static gboolean
set_bad (GError     **error,
         const char  *what)
{
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
               _("The zip archive is damaged or incomplete (%s)"), what);
  return FALSE;
}

/* Inflates raw deflate data that starts at r->pos; stops at the end of the
 * deflate stream, which is how entries whose sizes come after their data
 * are read. */
static GBytes *
inflate_entry (Reader   *r,
               gsize     expected_size,
               gboolean  size_known,
               GError  **error)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  z_stream zs = { 0 };
  guint8 buffer[16384];
  int ret;

  if (inflateInit2 (&zs, -MAX_WBITS) != Z_OK)
    {
      set_bad (error, "inflateInit2");
      return NULL;
    }

  zs.next_in = (Bytef *) r->data + r->pos;
  zs.avail_in = (uInt) MIN (r->len - r->pos, (gsize) G_MAXUINT);

  do
    {
      zs.next_out = buffer;
      zs.avail_out = sizeof buffer;
      ret = inflate (&zs, Z_NO_FLUSH);
      if (ret != Z_OK && ret != Z_STREAM_END)
        {
          inflateEnd (&zs);
          set_bad (error, ret == Z_BUF_ERROR ? "truncated data" : "bad deflate data");
          return NULL;
        }
      g_byte_array_append (out, buffer, sizeof buffer - zs.avail_out);
      if (out->len > RD_ZIP_MAX_ENTRY_SIZE || (size_known && out->len > expected_size))
        {
          inflateEnd (&zs);
          set_bad (error, "entry larger than announced");
          return NULL;
        }
    }
  while (ret != Z_STREAM_END);

  r->pos += zs.total_in;
  inflateEnd (&zs);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* The end record closes the archive (after at most a 64 KiB comment) and
 * counts its entries: a download cut anywhere after the last entry's data
 * still fails here. */
static gboolean
check_end_record (Reader *r,
                  guint   n_entries)
{
  gsize min_pos = r->len > 22 + 0xffff ? r->len - 22 - 0xffff : 0;

  if (r->len < 22)
    return FALSE;

  for (gsize pos = r->len - 22;; pos--)
    {
      Reader end = { r->data, r->len, pos };
      guint32 sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len;

      if (read_u32 (&end, &sig) && sig == END_RECORD_SIG
          && read_u16 (&end, &disk) && read_u16 (&end, &cd_disk) && read_u16 (&end, &n_disk)
          && read_u16 (&end, &n_total) && read_u32 (&end, &cd_size)
          && read_u32 (&end, &cd_offset) && read_u16 (&end, &comment_len)
          && end.pos + comment_len == r->len)
        return n_total == n_entries && cd_offset == r->pos
               && (gsize) cd_offset + cd_size == pos;

      if (pos == min_pos)
        return FALSE;
    }
}

GPtrArray *
rd_zip_read (GBytes  *archive,
             GError **error)
{
  g_autoptr(GPtrArray) entries = NULL;
  Reader r = { 0 };

  g_return_val_if_fail (archive != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.data = g_bytes_get_data (archive, &r.len);
  entries = g_ptr_array_new_with_free_func ((GDestroyNotify) rd_zip_entry_free);

  for (;;)
    {
      g_autoptr(RdZipEntry) entry = NULL;
      guint32 sig, version, flags, method, mtime, mdate, crc, csize, usize, name_len, extra_len;
      gboolean descriptor;

      if (!peek_u32 (&r, &sig))
        {
          set_bad (error, "no central directory");
          return NULL;
        }
      if (sig == CENTRAL_HEADER_SIG || sig == END_RECORD_SIG)
        break;
      if (sig != LOCAL_HEADER_SIG)
        {
          set_bad (error, "not a zip entry");
          return NULL;
        }

      r.pos += 4;
      if (!read_u16 (&r, &version) || !read_u16 (&r, &flags) || !read_u16 (&r, &method)
          || !read_u16 (&r, &mtime) || !read_u16 (&r, &mdate) || !read_u32 (&r, &crc)
          || !read_u32 (&r, &csize) || !read_u32 (&r, &usize) || !read_u16 (&r, &name_len)
          || !read_u16 (&r, &extra_len) || r.len - r.pos < (gsize) name_len + extra_len)
        {
          set_bad (error, "truncated header");
          return NULL;
        }
      if ((flags & FLAG_ENCRYPTED) != 0)
        {
          set_bad (error, "encrypted entry");
          return NULL;
        }

      entry = g_new0 (RdZipEntry, 1);
      entry->name = g_strndup ((const char *) r.data + r.pos, name_len);
      r.pos += name_len + extra_len;
      descriptor = (flags & FLAG_DESCRIPTOR) != 0;

      if (method == METHOD_DEFLATED)
        {
          gsize start = r.pos;

          entry->data = inflate_entry (&r, usize, !descriptor, error);
          if (entry->data == NULL)
            return NULL;
          if (!descriptor && r.pos - start != csize)
            {
              set_bad (error, "compressed size");
              return NULL;
            }
          csize = r.pos - start;
        }
      else if (method == METHOD_STORED && !descriptor)
        {
          if (usize != csize || r.len - r.pos < csize)
            {
              set_bad (error, "truncated data");
              return NULL;
            }
          entry->data = g_bytes_new (r.data + r.pos, csize);
          r.pos += csize;
        }
      else
        {
          set_bad (error, "unsupported compression");
          return NULL;
        }

      if (descriptor)
        {
          guint32 d_csize;

          if (peek_u32 (&r, &sig) && sig == DESCRIPTOR_SIG)
            r.pos += 4;
          if (!read_u32 (&r, &crc) || !read_u32 (&r, &d_csize) || !read_u32 (&r, &usize))
            {
              set_bad (error, "truncated data descriptor");
              return NULL;
            }
          if (d_csize != csize)
            {
              set_bad (error, "compressed size");
              return NULL;
            }
        }

      if (g_bytes_get_size (entry->data) != usize)
        {
          set_bad (error, "size");
          return NULL;
        }
      if (crc32 (0L, g_bytes_get_data (entry->data, NULL),
                 (uInt) g_bytes_get_size (entry->data)) != crc)
        {
          set_bad (error, "CRC-32");
          return NULL;
        }

      g_ptr_array_add (entries, g_steal_pointer (&entry));
    }

  if (!check_end_record (&r, entries->len))
    {
      set_bad (error, "no end of central directory");
      return NULL;
    }

  return g_steal_pointer (&entries);
}

static void
put_u16 (GByteArray *out,
         guint32     value)
{
  guint8 b[2] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (out, b, 2);
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint8 b[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >> 24) & 0xff };

  g_byte_array_append (out, b, 4);
}

static GBytes *
deflate_bytes (GBytes *data)
{
  g_autofree guint8 *buffer = NULL;
  const guint8 *in;
  z_stream zs = { 0 };
  gsize len;
  uLong bound;
  int ret;

  in = g_bytes_get_data (data, &len);
  ret = deflateInit2 (&zs, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  g_assert (ret == Z_OK);

  bound = deflateBound (&zs, len);
  buffer = g_malloc (bound);
  zs.next_in = (Bytef *) in;
  zs.avail_in = len;
  zs.next_out = buffer;
  zs.avail_out = bound;
  ret = deflate (&zs, Z_FINISH);
  g_assert (ret == Z_STREAM_END);
  len = zs.total_out;
  deflateEnd (&zs);

  return g_bytes_new_take (g_steal_pointer (&buffer), len);
}

GBytes *
rd_zip_write (GPtrArray *entries,
              gboolean   data_descriptor)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) central = g_byte_array_new ();
  guint32 flags = data_descriptor ? FLAG_DESCRIPTOR : 0;
  /* 2024-01-01 00:00, DOS format: bills need no real file times. */
  const guint32 dos_time = 0;
  const guint32 dos_date = ((2024 - 1980) << 9) | (1 << 5) | 1;

  g_return_val_if_fail (entries != NULL, NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      RdZipEntry *entry = g_ptr_array_index (entries, i);
      g_autoptr(GBytes) compressed = deflate_bytes (entry->data);
      gsize usize = g_bytes_get_size (entry->data);
      gsize csize = g_bytes_get_size (compressed);
      gsize name_len = strlen (entry->name);
      guint32 offset = out->len;
      guint32 crc = crc32 (0L, g_bytes_get_data (entry->data, NULL), (uInt) usize);

      put_u32 (out, LOCAL_HEADER_SIG);
      put_u16 (out, 20);
      put_u16 (out, flags);
      put_u16 (out, METHOD_DEFLATED);
      put_u16 (out, dos_time);
      put_u16 (out, dos_date);
      put_u32 (out, data_descriptor ? 0 : crc);
      put_u32 (out, data_descriptor ? 0 : csize);
      put_u32 (out, data_descriptor ? 0 : usize);
      put_u16 (out, name_len);
      put_u16 (out, 0);
      g_byte_array_append (out, (const guint8 *) entry->name, name_len);
      g_byte_array_append (out, g_bytes_get_data (compressed, NULL), csize);
      if (data_descriptor)
        {
          put_u32 (out, DESCRIPTOR_SIG);
          put_u32 (out, crc);
          put_u32 (out, csize);
          put_u32 (out, usize);
        }

      put_u32 (central, CENTRAL_HEADER_SIG);
      put_u16 (central, 20);
      put_u16 (central, 20);
      put_u16 (central, flags);
      put_u16 (central, METHOD_DEFLATED);
      put_u16 (central, dos_time);
      put_u16 (central, dos_date);
      put_u32 (central, crc);
      put_u32 (central, csize);
      put_u32 (central, usize);
      put_u16 (central, name_len);
      put_u16 (central, 0);
      put_u16 (central, 0);
      put_u16 (central, 0);
      put_u16 (central, 0);
      put_u32 (central, 0);
      put_u32 (central, offset);
      g_byte_array_append (central, (const guint8 *) entry->name, name_len);
    }

  {
    guint32 central_offset = out->len;

    g_byte_array_append (out, central->data, central->len);
    put_u32 (out, END_RECORD_SIG);
    put_u16 (out, 0);
    put_u16 (out, 0);
    put_u16 (out, entries->len);
    put_u16 (out, entries->len);
    put_u32 (out, central->len);
    put_u32 (out, central_offset);
    put_u16 (out, 0);
  }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
