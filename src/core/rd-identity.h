/* rd-identity.h: identity documents and phone numbers, checked as a clerk would
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RD_VALIDATION_ERROR (rd_validation_error_quark ())

/* Each code is one thing a clerk can fix in one field. */
typedef enum
{
  RD_VALIDATION_ERROR_EMPTY,
  RD_VALIDATION_ERROR_LENGTH,
  RD_VALIDATION_ERROR_CHARACTERS,
  RD_VALIDATION_ERROR_CHECKSUM,
  RD_VALIDATION_ERROR_DATE,
  RD_VALIDATION_ERROR_REGION,
  RD_VALIDATION_ERROR_MISMATCH,
} RdValidationError;

GQuark rd_validation_error_quark (void);

/* The database spells these 'resident_id', 'passport', 'hk_macau_permit',
 * 'taiwan_permit', 'foreign_permanent', 'none'. */
typedef enum
{
  RD_ID_TYPE_RESIDENT_ID,
  RD_ID_TYPE_PASSPORT,
  RD_ID_TYPE_HK_MACAU_PERMIT,
  RD_ID_TYPE_TAIWAN_PERMIT,
  RD_ID_TYPE_FOREIGN_PERMANENT,
  RD_ID_TYPE_NONE,
} RdIdType;

const char  *rd_id_type_to_db              (RdIdType     type);
int          rd_id_type_from_db            (const char  *text);
const char  *rd_id_type_to_string          (RdIdType     type);

/* The GB 11643 check character ('0'..'9' or 'X') of the first 17 digits,
 * or 0 when @first17 is not 17 digits. */
char         rd_resident_id_check_char     (const char  *first17);

/* Checks an 18-character resident ID (a lower-case x is accepted): digits,
 * region, birth date (a real day, not in the future, not before 1900) and
 * check character. On success sets @birth_date (a GDate you free) and @sex
 * ('M' odd sequence, 'F' even) when non-NULL. */
gboolean     rd_resident_id_parse          (const char  *id,
                                            GDate      **birth_date,
                                            char        *sex,
                                            GError     **error);

/* Checks @number as a document of @type and returns it normalised (trimmed,
 * upper case) in @normalized. */
gboolean     rd_id_number_validate         (RdIdType     type,
                                            const char  *number,
                                            char       **normalized,
                                            GError     **error);

/* A mainland mobile number: 11 digits starting 13-19, optionally written with
 * +86/0086, spaces or dashes. @normalized gets the 11 digits. */
gboolean     rd_mobile_validate            (const char  *phone,
                                            char       **normalized,
                                            GError     **error);

/* "110105********0015": the first six and last four characters of an ID
 * stay, the rest is masked (slips, screens seen by others). */
char        *rd_id_number_mask             (const char  *number);

G_END_DECLS
