/* rd-zip.h: the little of the zip format that gateway bills need
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* No bill comes near this; a bigger entry is refused rather than inflated. */
#define RD_ZIP_MAX_ENTRY_SIZE (256 * 1024 * 1024)

typedef struct
{
  char   *name;   /* the raw name bytes, NUL-terminated (Alipay's are GBK) */
  GBytes *data;
} RdZipEntry;

void        rd_zip_entry_free (RdZipEntry *entry);

/* Reads a zip archive by its local headers, inflating each entry with zlib
 * (stored and deflated entries; sizes that follow the data in a data
 * descriptor too) and checking its CRC-32 and size. The archive must end
 * in its central directory, so a truncated download is an error
 * (RD_GATEWAY_ERROR_BAD_RESPONSE), never a shorter list. Returns a
 * GPtrArray of RdZipEntry. */
GPtrArray  *rd_zip_read       (GBytes      *archive,
                               GError     **error);

/* Writes entries (a GPtrArray of RdZipEntry) as a zip archive, deflated;
 * with data_descriptor the sizes follow each entry's data, the way Java's
 * ZipOutputStream writes them. For the simulator and the tests. */
GBytes     *rd_zip_write      (GPtrArray   *entries,
                               gboolean     data_descriptor);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdZipEntry, rd_zip_entry_free)

G_END_DECLS
