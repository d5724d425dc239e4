/* rd-crypto.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gnutls/abstract.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "rd-crypto.h"
#include "rd-gateway-error.h"

#define MIN_RSA_BITS      2048
#define MAX_KEY_FILE_SIZE (1024 * 1024)
#define GCM_TAG_LEN       16
#define GCM_NONCE_LEN     12
#define MAX_SERIAL_DIGITS 40

struct _RdRsaKey
{
  gatomicrefcount   ref_count;
  /* GnuTLS promises nothing about concurrent use of one key. */
  GMutex            mutex;
  gnutls_privkey_t  privkey;
};

struct _RdRsaPublicKey
{
  gatomicrefcount   ref_count;
  GMutex            mutex;
  gnutls_pubkey_t   pubkey;
  char             *serial;
  GDateTime        *not_after;
};

G_DEFINE_BOXED_TYPE (RdRsaKey, rd_rsa_key, rd_rsa_key_ref, rd_rsa_key_unref)
G_DEFINE_BOXED_TYPE (RdRsaPublicKey, rd_rsa_public_key,
                     rd_rsa_public_key_ref, rd_rsa_public_key_unref)

static const char base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char nonce_alphabet[] =
  "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static gboolean
data_has_pem_label (const char *data,
                    gsize       len,
                    const char *label)
{
  g_autofree char *marker = g_strdup_printf ("-----BEGIN %s-----", label);

  return g_strstr_len (data, len, marker) != NULL;
}

/* Decodes bare base64 DER, tolerating the line breaks and spaces of text
 * pasted from a vendor's console. The copy may hold a private key: cleared. */
static GBytes *
decode_bare_base64 (const char  *data,
                    gsize        len,
                    GError     **error)
{
  g_autoptr(GString) compact = g_string_sized_new (len + 1);
  GBytes *bytes;

  for (gsize i = 0; i < len && data[i] != '\0'; i++)
    {
      if (!g_ascii_isspace (data[i]))
        g_string_append_c (compact, data[i]);
    }

  bytes = rd_base64_decode (compact->str, error);
  rd_crypto_clear (compact->str, compact->len);

  return bytes;
}

static void
clear_bytes (GBytes *bytes)
{
  gsize len;
  gconstpointer data = g_bytes_get_data (bytes, &len);

  /* GBytes hides its memory behind const; these buffers are ours alone. */
  rd_crypto_clear ((gpointer) data, len);
}

static char *
datum_to_string (gnutls_datum_t *datum,
                 gboolean        secret)
{
  char *str = g_strndup ((const char *) datum->data, datum->size);

  if (secret)
    gnutls_memset (datum->data, 0, datum->size);
  gnutls_free (datum->data);
  datum->data = NULL;
  datum->size = 0;

  return str;
}

static gboolean
read_private_file (const char  *path,
                   GBytes     **out,
                   GError     **error)
{
  struct stat st;
  g_autofree guint8 *buffer = NULL;
  gsize filled = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot open the key file “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  /* Checked on the open descriptor, so the file cannot change in between. */
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The key file “%s” is not a regular file"), path);
      close (fd);
      return FALSE;
    }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The key file “%s” may be read by other users; "
                     "allow only its owner (chmod 600)"), path);
      close (fd);
      return FALSE;
    }
  if (st.st_size > MAX_KEY_FILE_SIZE)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The key file “%s” is too large"), path);
      close (fd);
      return FALSE;
    }

  buffer = g_malloc (MAX_KEY_FILE_SIZE);
  for (;;)
    {
      gssize n = read (fd, buffer + filled, MAX_KEY_FILE_SIZE - filled);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved_errno = errno;

          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                       _("Cannot read the key file “%s”: %s"), path, g_strerror (saved_errno));
          rd_crypto_clear (buffer, filled);
          close (fd);
          return FALSE;
        }
      if (n == 0)
        break;
      filled += n;
      if (filled == MAX_KEY_FILE_SIZE)
        {
          /* It grew after fstat(). */
          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                       _("The key file “%s” is too large"), path);
          rd_crypto_clear (buffer, filled);
          close (fd);
          return FALSE;
        }
    }
  close (fd);

  *out = g_bytes_new (buffer, filled);
  rd_crypto_clear (buffer, filled);

  return TRUE;
}

static RdRsaKey *
rsa_key_new_take (gnutls_privkey_t   privkey,
                  GError           **error)
{
  RdRsaKey *key;
  unsigned int bits = 0;
  int algorithm = gnutls_privkey_get_pk_algorithm (privkey, &bits);

  /* RSA-PSS keys would not give PKCS#1 v1.5 signatures. */
  if (algorithm != GNUTLS_PK_RSA)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The private key is not an RSA key"));
      gnutls_privkey_deinit (privkey);
      return NULL;
    }
  if (bits < MIN_RSA_BITS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The RSA key has %u bits; at least %u are required"),
                   bits, MIN_RSA_BITS);
      gnutls_privkey_deinit (privkey);
      return NULL;
    }

  key = g_new0 (RdRsaKey, 1);
  g_atomic_ref_count_init (&key->ref_count);
  g_mutex_init (&key->mutex);
  key->privkey = privkey;

  return key;
}

static RdRsaPublicKey *
rsa_public_key_new_take (gnutls_pubkey_t    pubkey,
                         gnutls_x509_crt_t  crt,
                         GError           **error)
{
  RdRsaPublicKey *key;
  unsigned int bits = 0;

  if (gnutls_pubkey_get_pk_algorithm (pubkey, &bits) != GNUTLS_PK_RSA)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The public key is not an RSA key"));
      gnutls_pubkey_deinit (pubkey);
      return NULL;
    }

  key = g_new0 (RdRsaPublicKey, 1);
  g_atomic_ref_count_init (&key->ref_count);
  g_mutex_init (&key->mutex);
  key->pubkey = pubkey;

  if (crt != NULL)
    {
      guint8 serial[64];
      size_t serial_len = sizeof serial;
      g_autofree char *hex = NULL;
      gsize skip = 0;
      time_t expires;

      if (gnutls_x509_crt_get_serial (crt, serial, &serial_len) != GNUTLS_E_SUCCESS
          || serial_len == 0)
        {
          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                       _("The certificate has no readable serial number"));
          rd_rsa_public_key_unref (key);
          return NULL;
        }

      /* DER prepends 00 to a serial whose top bit is set; the gateways (and
       * openssl x509 -serial) show the number without it. */
      while (skip + 1 < serial_len && serial[skip] == 0)
        skip++;

      hex = rd_hex_encode (serial + skip, serial_len - skip);
      key->serial = g_ascii_strup (hex, -1);

      expires = gnutls_x509_crt_get_expiration_time (crt);
      if (expires != (time_t) -1)
        key->not_after = g_date_time_new_from_unix_utc (expires);
    }

  return key;
}

static void
rd_rsa_key_free (RdRsaKey *key)
{
  gnutls_privkey_deinit (key->privkey);
  g_mutex_clear (&key->mutex);
  g_free (key);
}

static void
rd_rsa_public_key_free (RdRsaPublicKey *key)
{
  gnutls_pubkey_deinit (key->pubkey);
  g_clear_pointer (&key->not_after, g_date_time_unref);
  g_free (key->serial);
  g_mutex_clear (&key->mutex);
  g_free (key);
}

RdRsaKey *
rd_rsa_key_new_from_pem (const char  *data,
                         gssize       len,
                         GError     **error)
{
  g_autoptr(GBytes) der = NULL;
  gnutls_privkey_t privkey = NULL;
  gnutls_datum_t datum;
  gnutls_x509_crt_fmt_t format;
  gsize size;
  int ret;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = len < 0 ? strlen (data) : (gsize) len;

  if (data_has_pem_label (data, size, "ENCRYPTED PRIVATE KEY"))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The private key is protected by a password; "
                     "store it without one in a file only its owner can read"));
      return NULL;
    }

  if (g_strstr_len (data, size, "-----BEGIN") != NULL)
    {
      datum.data = (unsigned char *) data;
      datum.size = size;
      format = GNUTLS_X509_FMT_PEM;
    }
  else
    {
      g_autoptr(GError) local_error = NULL;

      der = decode_bare_base64 (data, size, &local_error);
      if (der == NULL)
        {
          g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                       _("The private key is neither PEM nor base64"));
          return NULL;
        }
      datum.data = (unsigned char *) g_bytes_get_data (der, &size);
      datum.size = size;
      format = GNUTLS_X509_FMT_DER;
    }

  ret = gnutls_privkey_init (&privkey);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_privkey_import_x509_raw (privkey, &datum, format, NULL, 0);

  if (der != NULL)
    clear_bytes (der);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot read the private key: %s"), gnutls_strerror (ret));
      if (privkey != NULL)
        gnutls_privkey_deinit (privkey);
      return NULL;
    }

  return rsa_key_new_take (privkey, error);
}

RdRsaKey *
rd_rsa_key_new_from_file (const char  *path,
                          GError     **error)
{
  g_autoptr(GBytes) contents = NULL;
  RdRsaKey *key;
  gconstpointer data;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_private_file (path, &contents, error))
    return NULL;

  data = g_bytes_get_data (contents, &len);
  key = rd_rsa_key_new_from_pem (data != NULL ? data : "", len, error);
  clear_bytes (contents);

  return key;
}

RdRsaKey *
rd_rsa_key_generate (guint    bits,
                     GError **error)
{
  gnutls_privkey_t privkey = NULL;
  int ret;

  g_return_val_if_fail (bits >= MIN_RSA_BITS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ret = gnutls_privkey_init (&privkey);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_privkey_generate (privkey, GNUTLS_PK_RSA, bits, 0);
  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot generate an RSA key: %s"), gnutls_strerror (ret));
      if (privkey != NULL)
        gnutls_privkey_deinit (privkey);
      return NULL;
    }

  return rsa_key_new_take (privkey, error);
}

RdRsaKey *
rd_rsa_key_ref (RdRsaKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  g_atomic_ref_count_inc (&key->ref_count);

  return key;
}

void
rd_rsa_key_unref (RdRsaKey *key)
{
  g_return_if_fail (key != NULL);

  if (g_atomic_ref_count_dec (&key->ref_count))
    rd_rsa_key_free (key);
}

guint
rd_rsa_key_get_bits (RdRsaKey *key)
{
  unsigned int bits = 0;

  g_return_val_if_fail (key != NULL, 0);

  gnutls_privkey_get_pk_algorithm (key->privkey, &bits);

  return bits;
}

RdRsaPublicKey *
rd_rsa_key_get_public_key (RdRsaKey *key)
{
  gnutls_pubkey_t pubkey = NULL;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);

  ret = gnutls_pubkey_init (&pubkey);
  if (ret == GNUTLS_E_SUCCESS)
    {
      g_mutex_lock (&key->mutex);
      ret = gnutls_pubkey_import_privkey (pubkey, key->privkey, 0, 0);
      g_mutex_unlock (&key->mutex);
    }

  /* Only allocation can fail for a key that was already accepted. */
  if (ret != GNUTLS_E_SUCCESS)
    g_error ("Cannot derive a public key: %s", gnutls_strerror (ret));

  return rsa_public_key_new_take (pubkey, NULL, NULL);
}

char *
rd_rsa_key_to_pem (RdRsaKey  *key,
                   GError   **error)
{
  gnutls_x509_privkey_t x509 = NULL;
  gnutls_datum_t out = { NULL, 0 };
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&key->mutex);
  ret = gnutls_privkey_export_x509 (key->privkey, &x509);
  g_mutex_unlock (&key->mutex);

  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_privkey_export2_pkcs8 (x509, GNUTLS_X509_FMT_PEM, NULL,
                                             GNUTLS_PKCS_PLAIN, &out);
  if (x509 != NULL)
    gnutls_x509_privkey_deinit (x509);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot export the private key: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return datum_to_string (&out, TRUE);
}

static gboolean
parse_serial_hex (const char  *hex,
                  guint8      *out,
                  gsize       *out_len)
{
  gsize digits = strlen (hex);
  gsize pos = 0;
  gsize i = 0;

  if (digits == 0 || digits > MAX_SERIAL_DIGITS)
    return FALSE;

  /* A positive DER INTEGER: a leading 00 when the top bit would be set. */
  if (g_ascii_xdigit_value (hex[0]) >= 8 && digits % 2 == 0)
    out[pos++] = 0;
  if (digits % 2 == 1)
    {
      if (!g_ascii_isxdigit (hex[0]))
        return FALSE;
      out[pos++] = g_ascii_xdigit_value (hex[0]);
      i = 1;
    }

  for (; i < digits; i += 2)
    {
      if (!g_ascii_isxdigit (hex[i]) || !g_ascii_isxdigit (hex[i + 1]))
        return FALSE;
      out[pos++] = g_ascii_xdigit_value (hex[i]) << 4 | g_ascii_xdigit_value (hex[i + 1]);
    }

  *out_len = pos;

  return TRUE;
}

char *
rd_rsa_key_create_certificate (RdRsaKey    *key,
                               const char  *serial_hex,
                               const char  *common_name,
                               GDateTime   *not_before,
                               GDateTime   *not_after,
                               GError     **error)
{
  g_autoptr(RdRsaPublicKey) public_key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t out = { NULL, 0 };
  guint8 serial[MAX_SERIAL_DIGITS / 2 + 1];
  gsize serial_len = 0;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (serial_hex != NULL, NULL);
  g_return_val_if_fail (common_name != NULL, NULL);
  g_return_val_if_fail (not_before != NULL, NULL);
  g_return_val_if_fail (not_after != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_serial_hex (serial_hex, serial, &serial_len))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("“%s” is not a certificate serial number"), serial_hex);
      return NULL;
    }

  public_key = rd_rsa_key_get_public_key (key);

  ret = gnutls_x509_crt_init (&crt);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_version (crt, 3);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_serial (crt, serial, serial_len);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_activation_time (crt, g_date_time_to_unix (not_before));
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_expiration_time (crt, g_date_time_to_unix (not_after));
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_dn_by_oid (crt, GNUTLS_OID_X520_COMMON_NAME, 0,
                                         common_name, strlen (common_name));
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_pubkey (crt, public_key->pubkey);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_basic_constraints (crt, 0, -1);
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE);
  if (ret == GNUTLS_E_SUCCESS)
    {
      g_mutex_lock (&key->mutex);
      ret = gnutls_x509_crt_privkey_sign (crt, crt, key->privkey, GNUTLS_DIG_SHA256, 0);
      g_mutex_unlock (&key->mutex);
    }
  if (ret == GNUTLS_E_SUCCESS)
    ret = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &out);

  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot create a certificate: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return datum_to_string (&out, FALSE);
}

char *
rd_rsa_sign_sha256_base64 (RdRsaKey      *key,
                           const guint8  *data,
                           gsize          len,
                           GError       **error)
{
  gnutls_datum_t message = { (unsigned char *) data, len };
  gnutls_datum_t signature = { NULL, 0 };
  char *encoded;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&key->mutex);
  ret = gnutls_privkey_sign_data2 (key->privkey, GNUTLS_SIGN_RSA_SHA256, 0,
                                   &message, &signature);
  g_mutex_unlock (&key->mutex);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot sign with the private key: %s"), gnutls_strerror (ret));
      return NULL;
    }

  encoded = g_base64_encode (signature.data, signature.size);
  gnutls_free (signature.data);

  return encoded;
}

RdRsaPublicKey *
rd_rsa_public_key_new_from_pem (const char  *data,
                                gssize       len,
                                GError     **error)
{
  g_autoptr(GBytes) der = NULL;
  gnutls_pubkey_t pubkey = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t datum;
  RdRsaPublicKey *key;
  gsize size;
  int ret;

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  size = len < 0 ? strlen (data) : (gsize) len;

  ret = gnutls_pubkey_init (&pubkey);
  if (ret != GNUTLS_E_SUCCESS)
    goto failed;

  if (data_has_pem_label (data, size, "CERTIFICATE"))
    {
      datum.data = (unsigned char *) data;
      datum.size = size;
      ret = gnutls_x509_crt_init (&crt);
      if (ret == GNUTLS_E_SUCCESS)
        ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_PEM);
      if (ret == GNUTLS_E_SUCCESS)
        ret = gnutls_pubkey_import_x509 (pubkey, crt, 0);
    }
  else if (g_strstr_len (data, size, "-----BEGIN") != NULL)
    {
      datum.data = (unsigned char *) data;
      datum.size = size;
      ret = gnutls_pubkey_import (pubkey, &datum, GNUTLS_X509_FMT_PEM);
    }
  else
    {
      der = decode_bare_base64 (data, size, NULL);
      if (der == NULL)
        {
          ret = GNUTLS_E_BASE64_DECODING_ERROR;
          goto failed;
        }
      datum.data = (unsigned char *) g_bytes_get_data (der, &size);
      datum.size = size;

      /* Alipay's console shows a SubjectPublicKeyInfo; a certificate's DER
       * works too. */
      ret = gnutls_pubkey_import (pubkey, &datum, GNUTLS_X509_FMT_DER);
      if (ret != GNUTLS_E_SUCCESS)
        {
          ret = gnutls_x509_crt_init (&crt);
          if (ret == GNUTLS_E_SUCCESS)
            ret = gnutls_x509_crt_import (crt, &datum, GNUTLS_X509_FMT_DER);
          if (ret == GNUTLS_E_SUCCESS)
            ret = gnutls_pubkey_import_x509 (pubkey, crt, 0);
        }
    }

  if (ret != GNUTLS_E_SUCCESS)
    goto failed;

  key = rsa_public_key_new_take (pubkey, crt, error);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);

  return key;

failed:
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
               _("Cannot read the public key or certificate: %s"), gnutls_strerror (ret));
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (pubkey != NULL)
    gnutls_pubkey_deinit (pubkey);

  return NULL;
}

RdRsaPublicKey *
rd_rsa_public_key_new_from_file (const char  *path,
                                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot read the certificate file: %s"), local_error->message);
      return NULL;
    }

  return rd_rsa_public_key_new_from_pem (contents, len, error);
}

RdRsaPublicKey *
rd_rsa_public_key_ref (RdRsaPublicKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  g_atomic_ref_count_inc (&key->ref_count);

  return key;
}

void
rd_rsa_public_key_unref (RdRsaPublicKey *key)
{
  g_return_if_fail (key != NULL);

  if (g_atomic_ref_count_dec (&key->ref_count))
    rd_rsa_public_key_free (key);
}

const char *
rd_rsa_public_key_get_serial (RdRsaPublicKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->serial;
}

GDateTime *
rd_rsa_public_key_get_not_after (RdRsaPublicKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key->not_after;
}

char *
rd_rsa_public_key_to_pem (RdRsaPublicKey  *key,
                          GError         **error)
{
  gnutls_datum_t out = { NULL, 0 };
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&key->mutex);
  ret = gnutls_pubkey_export2 (key->pubkey, GNUTLS_X509_FMT_PEM, &out);
  g_mutex_unlock (&key->mutex);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot export the public key: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return datum_to_string (&out, FALSE);
}

gboolean
rd_rsa_verify_sha256_base64 (RdRsaPublicKey  *key,
                             const guint8    *data,
                             gsize            len,
                             const char      *signature_b64,
                             GError         **error)
{
  g_autoptr(GBytes) signature = NULL;
  gnutls_datum_t message = { (unsigned char *) data, len };
  gnutls_datum_t sig;
  gsize sig_len;
  int ret;

  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (signature_b64 != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  signature = rd_base64_decode (signature_b64, NULL);
  if (signature == NULL || g_bytes_get_size (signature) == 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The signature is not valid base64"));
      return FALSE;
    }

  sig.data = (unsigned char *) g_bytes_get_data (signature, &sig_len);
  sig.size = sig_len;

  g_mutex_lock (&key->mutex);
  ret = gnutls_pubkey_verify_data2 (key->pubkey, GNUTLS_SIGN_RSA_SHA256, 0, &message, &sig);
  g_mutex_unlock (&key->mutex);

  if (ret < 0)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The signature does not match: %s"), gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

static gboolean
aead_open (gnutls_aead_cipher_hd_t  *handle,
           const guint8             *key,
           gsize                     key_len,
           const char               *nonce,
           GError                  **error)
{
  gnutls_datum_t key_datum = { (unsigned char *) key, key_len };
  gnutls_cipher_algorithm_t algorithm;
  int ret;

  if (key_len == 16)
    algorithm = GNUTLS_CIPHER_AES_128_GCM;
  else if (key_len == 32)
    algorithm = GNUTLS_CIPHER_AES_256_GCM;
  else
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("An AES-GCM key has 16 or 32 bytes, not %lu"), (unsigned long) key_len);
      return FALSE;
    }

  if (strlen (nonce) != GCM_NONCE_LEN)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("An AES-GCM nonce has %d bytes"), GCM_NONCE_LEN);
      return FALSE;
    }

  ret = gnutls_aead_cipher_init (handle, algorithm, &key_datum);
  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot set up AES-GCM: %s"), gnutls_strerror (ret));
      return FALSE;
    }

  return TRUE;
}

GBytes *
rd_aead_aes_gcm_decrypt (const guint8  *key,
                         gsize          key_len,
                         const char    *nonce,
                         const char    *aad,
                         const char    *ciphertext_b64,
                         GError       **error)
{
  g_autoptr(GBytes) ciphertext = NULL;
  gnutls_aead_cipher_hd_t handle = NULL;
  g_autofree guint8 *plaintext = NULL;
  size_t plaintext_len;
  gconstpointer ctext;
  gsize ctext_len;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (ciphertext_b64 != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ciphertext = rd_base64_decode (ciphertext_b64, error);
  if (ciphertext == NULL)
    return NULL;

  ctext = g_bytes_get_data (ciphertext, &ctext_len);
  if (ctext_len < GCM_TAG_LEN)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("The ciphertext is shorter than its authentication tag"));
      return NULL;
    }

  if (!aead_open (&handle, key, key_len, nonce, error))
    return NULL;

  plaintext_len = ctext_len;
  plaintext = g_malloc (plaintext_len + 1);
  ret = gnutls_aead_cipher_decrypt (handle, nonce, GCM_NONCE_LEN,
                                    aad, aad != NULL ? strlen (aad) : 0,
                                    GCM_TAG_LEN, ctext, ctext_len,
                                    plaintext, &plaintext_len);
  gnutls_aead_cipher_deinit (handle);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_SIGNATURE,
                   _("The encrypted data does not authenticate: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return g_bytes_new_take (g_steal_pointer (&plaintext), plaintext_len);
}

char *
rd_aead_aes_gcm_encrypt (const guint8  *key,
                         gsize          key_len,
                         const char    *nonce,
                         const char    *aad,
                         const guint8  *plaintext,
                         gsize          len,
                         GError       **error)
{
  gnutls_aead_cipher_hd_t handle = NULL;
  g_autofree guint8 *ciphertext = NULL;
  size_t ciphertext_len = len + GCM_TAG_LEN;
  int ret;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (nonce != NULL, NULL);
  g_return_val_if_fail (plaintext != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!aead_open (&handle, key, key_len, nonce, error))
    return NULL;

  ciphertext = g_malloc (ciphertext_len);
  ret = gnutls_aead_cipher_encrypt (handle, nonce, GCM_NONCE_LEN,
                                    aad, aad != NULL ? strlen (aad) : 0,
                                    GCM_TAG_LEN, plaintext, len,
                                    ciphertext, &ciphertext_len);
  gnutls_aead_cipher_deinit (handle);

  if (ret != GNUTLS_E_SUCCESS)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_FAILED,
                   _("Cannot encrypt: %s"), gnutls_strerror (ret));
      return NULL;
    }

  return g_base64_encode (ciphertext, ciphertext_len);
}

static char *
checksum_hex (GChecksumType  type,
              const guint8  *data,
              gsize          len)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (type);

  /* g_checksum_update() takes a gssize and stops at NUL for -1: feed it in
   * slices so any length works. */
  while (len > 0)
    {
      gsize chunk = MIN (len, (gsize) G_MAXSSIZE);

      g_checksum_update (checksum, data, chunk);
      data += chunk;
      len -= chunk;
    }

  return g_strdup (g_checksum_get_string (checksum));
}

char *
rd_sha1_hex (const guint8 *data,
             gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  return checksum_hex (G_CHECKSUM_SHA1, data, len);
}

char *
rd_sha256_hex (const guint8 *data,
               gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  return checksum_hex (G_CHECKSUM_SHA256, data, len);
}

void
rd_sha256 (const guint8 *data,
           gsize         len,
           guint8        out[RD_SHA256_LEN])
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize out_len = RD_SHA256_LEN;

  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  if (len > 0)
    g_checksum_update (checksum, data, len);
  g_checksum_get_digest (checksum, out, &out_len);
  g_assert (out_len == RD_SHA256_LEN);
}

static void
hmac_raw (GChecksumType  type,
          const guint8  *key,
          gsize          key_len,
          const guint8  *data,
          gsize          len,
          guint8        *out,
          gsize          out_len)
{
  g_autoptr(GHmac) hmac = g_hmac_new (type, key, key_len);
  gsize digest_len = out_len;

  if (len > 0)
    g_hmac_update (hmac, data, len);
  g_hmac_get_digest (hmac, out, &digest_len);
  g_assert (digest_len == out_len);
}

void
rd_hmac_sha1 (const guint8 *key,
              gsize         key_len,
              const guint8 *data,
              gsize         len,
              guint8        out[RD_SHA1_LEN])
{
  g_return_if_fail (key != NULL || key_len == 0);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  hmac_raw (G_CHECKSUM_SHA1, key, key_len, data, len, out, RD_SHA1_LEN);
}

void
rd_hmac_sha256 (const guint8 *key,
                gsize         key_len,
                const guint8 *data,
                gsize         len,
                guint8        out[RD_SHA256_LEN])
{
  g_return_if_fail (key != NULL || key_len == 0);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (out != NULL);

  hmac_raw (G_CHECKSUM_SHA256, key, key_len, data, len, out, RD_SHA256_LEN);
}

char *
rd_hex_encode (const guint8 *data,
               gsize         len)
{
  static const char digits[] = "0123456789abcdef";
  char *hex;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  hex = g_malloc (len * 2 + 1);
  for (gsize i = 0; i < len; i++)
    {
      hex[2 * i] = digits[data[i] >> 4];
      hex[2 * i + 1] = digits[data[i] & 0xf];
    }
  hex[len * 2] = '\0';

  return hex;
}

char *
rd_base64_encode (const guint8 *data,
                  gsize         len)
{
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  return g_base64_encode (data, len);
}

GBytes *
rd_base64_decode (const char  *text,
                  GError     **error)
{
  gsize len;
  gsize padding = 0;
  gsize out_len;
  guchar *out;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  len = strlen (text);
  if (len % 4 != 0)
    goto invalid;

  if (len > 0 && text[len - 1] == '=')
    padding++;
  if (len > 1 && text[len - 2] == '=')
    padding++;

  for (gsize i = 0; i < len - padding; i++)
    {
      if (text[i] == '\0' || strchr (base64_alphabet, text[i]) == NULL)
        goto invalid;
    }

  if (len == 0)
    return g_bytes_new (NULL, 0);

  out = g_base64_decode (text, &out_len);

  return g_bytes_new_take (out, out_len);

invalid:
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
               _("The data is not valid base64"));
  return NULL;
}

char *
rd_crypto_nonce (void)
{
  char *nonce = g_malloc (RD_NONCE_LEN + 1);
  gsize filled = 0;

  while (filled < RD_NONCE_LEN)
    {
      guint8 random[RD_NONCE_LEN];
      int ret = gnutls_rnd (GNUTLS_RND_NONCE, random, sizeof random);

      /* Only a library that failed its self-tests says no; nothing signed
       * with predictable nonces may leave this process. */
      if (ret != GNUTLS_E_SUCCESS)
        g_error ("The random number generator failed: %s", gnutls_strerror (ret));

      /* 248 = 4 * 62: dropping larger bytes keeps every character equally likely. */
      for (gsize i = 0; i < sizeof random && filled < RD_NONCE_LEN; i++)
        {
          if (random[i] < 248)
            nonce[filled++] = nonce_alphabet[random[i] % 62];
        }
    }
  nonce[RD_NONCE_LEN] = '\0';

  return nonce;
}

gboolean
rd_crypto_str_equal (const char *a,
                     const char *b)
{
  gsize a_len;
  gsize b_len;
  guint8 diff;

  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  a_len = strlen (a);
  b_len = strlen (b);
  diff = a_len != b_len;

  for (gsize i = 0; i < a_len; i++)
    diff |= (guint8) a[i] ^ (guint8) b[i % MAX (b_len, 1)];

  return diff == 0;
}

void
rd_crypto_clear (gpointer data,
                 gsize    len)
{
  if (data != NULL && len > 0)
    gnutls_memset (data, 0, len);
}

void
rd_crypto_free_secret (char *secret)
{
  if (secret == NULL)
    return;

  rd_crypto_clear (secret, strlen (secret));
  g_free (secret);
}

GBytes *
rd_crypto_read_private_file (const char  *path,
                             GError     **error)
{
  GBytes *contents = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!read_private_file (path, &contents, error))
    return NULL;

  return contents;
}
