/* rd-gateway-credentials.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rd-gateway-credentials.h"
#include "rd-gateway-error.h"
#include "rd-wechatpay-sign.h"

#define ALIYUN_SMS_DEFAULT_BASE_URL  "https://dysmsapi.aliyuncs.com"
#define TENCENT_SMS_DEFAULT_BASE_URL "https://sms.tencentcloudapi.com"

struct _RdGatewayCredentials
{
  GObject             parent_instance;

  RdWechatpayConfig  *wechatpay;
  RdAlipayConfig     *alipay;
  RdAliyunSmsConfig  *aliyun_sms;
  RdTencentSmsConfig *tencent_sms;
};

G_DEFINE_FINAL_TYPE (RdGatewayCredentials, rd_gateway_credentials, G_TYPE_OBJECT)

static void
wechatpay_config_free (RdWechatpayConfig *config)
{
  g_free (config->base_url);
  g_free (config->mchid);
  g_free (config->appid);
  g_free (config->serial_no);
  g_clear_pointer (&config->merchant_key, rd_rsa_key_unref);
  rd_crypto_free_secret (config->apiv3_key);
  g_clear_pointer (&config->platform_key, rd_rsa_public_key_unref);
  g_free (config->platform_serial);
  g_free (config->notify_url);
  g_free (config);
}

static void
alipay_config_free (RdAlipayConfig *config)
{
  g_free (config->gateway_url);
  g_free (config->app_id);
  g_clear_pointer (&config->app_key, rd_rsa_key_unref);
  g_clear_pointer (&config->alipay_key, rd_rsa_public_key_unref);
  g_free (config->notify_url);
  g_free (config);
}

static void
aliyun_sms_config_free (RdAliyunSmsConfig *config)
{
  g_free (config->base_url);
  g_free (config->access_key_id);
  rd_crypto_free_secret (config->access_key_secret);
  g_free (config->sign_name);
  g_free (config);
}

static void
tencent_sms_config_free (RdTencentSmsConfig *config)
{
  g_free (config->base_url);
  g_free (config->secret_id);
  rd_crypto_free_secret (config->secret_key);
  g_free (config->sdk_app_id);
  g_free (config->sign_name);
  g_free (config);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdWechatpayConfig, wechatpay_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdAlipayConfig, alipay_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdAliyunSmsConfig, aliyun_sms_config_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdTencentSmsConfig, tencent_sms_config_free)

static gboolean
missing (const char  *group,
         const char  *key,
         GError     **error)
{
  g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
               _("The credentials’ group [%s] lacks “%s”"), group, key);
  return FALSE;
}

/* A string value, NULL when absent or empty. */
static char *
get_string (GKeyFile   *key_file,
            const char *group,
            const char *key)
{
  g_autofree char *value = g_key_file_get_string (key_file, group, key, NULL);

  if (value == NULL || *g_strstrip (value) == '\0')
    return NULL;

  return g_steal_pointer (&value);
}

static gboolean
require_string (GKeyFile    *key_file,
                const char  *group,
                const char  *key,
                char       **out,
                GError     **error)
{
  *out = get_string (key_file, group, key);

  return *out != NULL || missing (group, key, error);
}

static char *
resolve_path (const char *base_dir,
              const char *path)
{
  if (g_path_is_absolute (path) || base_dir == NULL)
    return g_strdup (path);

  return g_build_filename (base_dir, path, NULL);
}

static guint
get_timeout_ms (GKeyFile   *key_file,
                const char *group)
{
  g_autoptr(GError) local_error = NULL;
  double seconds = g_key_file_get_double (key_file, group, "timeout", &local_error);

  if (local_error != NULL || seconds <= 0 || seconds > 3600)
    return RD_GATEWAY_DEFAULT_TIMEOUT_MS;

  return (guint) (seconds * 1000);
}

/* private_key holds the key itself (PEM with "\n" escapes, or bare base64),
 * private_key_file names a file that gets the owner-only check too. */
static RdRsaKey *
load_private_key (GKeyFile    *key_file,
                  const char  *group,
                  const char  *base_dir,
                  GError     **error)
{
  g_autofree char *path = NULL;
  char *pem;

  pem = g_key_file_get_string (key_file, group, "private_key", NULL);
  if (pem != NULL)
    {
      RdRsaKey *key = rd_rsa_key_new_from_pem (pem, -1, error);

      rd_crypto_free_secret (pem);
      if (key == NULL)
        g_prefix_error (error, "[%s] private_key: ", group);
      return key;
    }

  path = get_string (key_file, group, "private_key_file");
  if (path != NULL)
    {
      g_autofree char *full = resolve_path (base_dir, path);

      return rd_rsa_key_new_from_file (full, error);
    }

  missing (group, "private_key", error);
  return NULL;
}

static RdRsaPublicKey *
load_public_key (GKeyFile    *key_file,
                 const char  *group,
                 const char  *base_dir,
                 const char  *key,
                 GError     **error)
{
  g_autofree char *file_key = g_strconcat (key, "_file", NULL);
  g_autofree char *pem = get_string (key_file, group, key);
  g_autofree char *path = NULL;
  RdRsaPublicKey *public_key;

  if (pem != NULL)
    {
      public_key = rd_rsa_public_key_new_from_pem (pem, -1, error);
      if (public_key == NULL)
        g_prefix_error (error, "[%s] %s: ", group, key);
      return public_key;
    }

  path = get_string (key_file, group, file_key);
  if (path != NULL)
    {
      g_autofree char *full = resolve_path (base_dir, path);

      return rd_rsa_public_key_new_from_file (full, error);
    }

  return NULL;
}

static RdWechatpayConfig *
load_wechatpay (GKeyFile    *key_file,
                const char  *base_dir,
                GError     **error)
{
  const char *group = "wechatpay";
  g_autoptr(RdWechatpayConfig) config = g_new0 (RdWechatpayConfig, 1);
  g_autoptr(GError) local_error = NULL;

  if (!require_string (key_file, group, "mchid", &config->mchid, error)
      || !require_string (key_file, group, "appid", &config->appid, error)
      || !require_string (key_file, group, "serial_no", &config->serial_no, error))
    return NULL;

  config->base_url = get_string (key_file, group, "base_url");
  if (config->base_url == NULL)
    config->base_url = g_strdup (RD_WECHATPAY_DEFAULT_BASE_URL);
  config->notify_url = get_string (key_file, group, "notify_url");
  config->platform_serial = get_string (key_file, group, "platform_serial");
  config->timeout_ms = get_timeout_ms (key_file, group);

  config->merchant_key = load_private_key (key_file, group, base_dir, error);
  if (config->merchant_key == NULL)
    return NULL;

  config->apiv3_key = g_key_file_get_string (key_file, group, "apiv3_key", NULL);
  if (config->apiv3_key != NULL && strlen (config->apiv3_key) != RD_WECHATPAY_APIV3_KEY_LEN)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The WeChat Pay APIv3 key must have %d characters"),
                   RD_WECHATPAY_APIV3_KEY_LEN);
      return NULL;
    }

  config->platform_key = load_public_key (key_file, group, base_dir, "platform_certificate",
                                          &local_error);
  if (config->platform_key == NULL && local_error == NULL)
    config->platform_key = load_public_key (key_file, group, base_dir, "platform_public_key",
                                            &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (config->platform_key == NULL)
    {
      missing (group, "platform_certificate", error);
      return NULL;
    }
  if (config->platform_serial == NULL && rd_rsa_public_key_get_serial (config->platform_key))
    config->platform_serial = g_strdup (rd_rsa_public_key_get_serial (config->platform_key));
  if (config->platform_serial == NULL)
    {
      missing (group, "platform_serial", error);
      return NULL;
    }

  return g_steal_pointer (&config);
}

static RdAlipayConfig *
load_alipay (GKeyFile    *key_file,
             const char  *base_dir,
             GError     **error)
{
  const char *group = "alipay";
  g_autoptr(RdAlipayConfig) config = g_new0 (RdAlipayConfig, 1);
  g_autoptr(GError) local_error = NULL;

  if (!require_string (key_file, group, "app_id", &config->app_id, error))
    return NULL;

  config->gateway_url = get_string (key_file, group, "gateway_url");
  if (config->gateway_url == NULL)
    config->gateway_url = g_strdup (RD_ALIPAY_DEFAULT_GATEWAY_URL);
  config->notify_url = get_string (key_file, group, "notify_url");
  config->timeout_ms = get_timeout_ms (key_file, group);

  config->app_key = load_private_key (key_file, group, base_dir, error);
  if (config->app_key == NULL)
    return NULL;

  config->alipay_key = load_public_key (key_file, group, base_dir, "alipay_public_key",
                                        &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (config->alipay_key == NULL)
    {
      missing (group, "alipay_public_key", error);
      return NULL;
    }

  return g_steal_pointer (&config);
}

static RdAliyunSmsConfig *
load_aliyun_sms (GKeyFile  *key_file,
                 GError   **error)
{
  const char *group = "aliyun-sms";
  g_autoptr(RdAliyunSmsConfig) config = g_new0 (RdAliyunSmsConfig, 1);

  if (!require_string (key_file, group, "access_key_id", &config->access_key_id, error)
      || !require_string (key_file, group, "access_key_secret", &config->access_key_secret,
                          error)
      || !require_string (key_file, group, "sign_name", &config->sign_name, error))
    return NULL;

  config->base_url = get_string (key_file, group, "base_url");
  if (config->base_url == NULL)
    config->base_url = g_strdup (ALIYUN_SMS_DEFAULT_BASE_URL);
  config->timeout_ms = get_timeout_ms (key_file, group);

  return g_steal_pointer (&config);
}

static RdTencentSmsConfig *
load_tencent_sms (GKeyFile  *key_file,
                  GError   **error)
{
  const char *group = "tencent-sms";
  g_autoptr(RdTencentSmsConfig) config = g_new0 (RdTencentSmsConfig, 1);

  if (!require_string (key_file, group, "secret_id", &config->secret_id, error)
      || !require_string (key_file, group, "secret_key", &config->secret_key, error)
      || !require_string (key_file, group, "sdk_app_id", &config->sdk_app_id, error)
      || !require_string (key_file, group, "sign_name", &config->sign_name, error))
    return NULL;

  config->base_url = get_string (key_file, group, "base_url");
  if (config->base_url == NULL)
    config->base_url = g_strdup (TENCENT_SMS_DEFAULT_BASE_URL);
  config->timeout_ms = get_timeout_ms (key_file, group);

  return g_steal_pointer (&config);
}

static void
rd_gateway_credentials_finalize (GObject *object)
{
  RdGatewayCredentials *self = (RdGatewayCredentials *) object;

  g_clear_pointer (&self->wechatpay, wechatpay_config_free);
  g_clear_pointer (&self->alipay, alipay_config_free);
  g_clear_pointer (&self->aliyun_sms, aliyun_sms_config_free);
  g_clear_pointer (&self->tencent_sms, tencent_sms_config_free);

  G_OBJECT_CLASS (rd_gateway_credentials_parent_class)->finalize (object);
}

static void
rd_gateway_credentials_class_init (RdGatewayCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rd_gateway_credentials_finalize;
}

static void
rd_gateway_credentials_init (RdGatewayCredentials *self)
{
}

RdGatewayCredentials *
rd_gateway_credentials_new_from_key_file (GKeyFile    *key_file,
                                          const char  *base_dir,
                                          GError     **error)
{
  g_autoptr(RdGatewayCredentials) self = NULL;

  g_return_val_if_fail (key_file != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (RD_TYPE_GATEWAY_CREDENTIALS, NULL);

  if (g_key_file_has_group (key_file, "wechatpay")
      && (self->wechatpay = load_wechatpay (key_file, base_dir, error)) == NULL)
    return NULL;
  if (g_key_file_has_group (key_file, "alipay")
      && (self->alipay = load_alipay (key_file, base_dir, error)) == NULL)
    return NULL;
  if (g_key_file_has_group (key_file, "aliyun-sms")
      && (self->aliyun_sms = load_aliyun_sms (key_file, error)) == NULL)
    return NULL;
  if (g_key_file_has_group (key_file, "tencent-sms")
      && (self->tencent_sms = load_tencent_sms (key_file, error)) == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

RdGatewayCredentials *
rd_gateway_credentials_new_from_file (const char  *path,
                                      GError     **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GBytes) contents = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *base_dir = NULL;
  RdGatewayCredentials *self;
  gsize len;
  const char *data;
  gboolean ok;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  contents = rd_crypto_read_private_file (path, error);
  if (contents == NULL)
    return NULL;

  data = g_bytes_get_data (contents, &len);
  ok = g_key_file_load_from_data (key_file, data != NULL ? data : "", len,
                                  G_KEY_FILE_NONE, &local_error);
  rd_crypto_clear ((gpointer) data, len);
  if (!ok)
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("The credentials file “%s” cannot be read: %s"), path,
                   local_error->message);
      return NULL;
    }

  base_dir = g_path_get_dirname (path);
  self = rd_gateway_credentials_new_from_key_file (key_file, base_dir, error);
  if (self == NULL)
    g_prefix_error (error, "%s: ", path);

  return self;
}

const RdWechatpayConfig *
rd_gateway_credentials_get_wechatpay (RdGatewayCredentials *self)
{
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (self), NULL);

  return self->wechatpay;
}

const RdAlipayConfig *
rd_gateway_credentials_get_alipay (RdGatewayCredentials *self)
{
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (self), NULL);

  return self->alipay;
}

const RdAliyunSmsConfig *
rd_gateway_credentials_get_aliyun_sms (RdGatewayCredentials *self)
{
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (self), NULL);

  return self->aliyun_sms;
}

const RdTencentSmsConfig *
rd_gateway_credentials_get_tencent_sms (RdGatewayCredentials *self)
{
  g_return_val_if_fail (RD_IS_GATEWAY_CREDENTIALS (self), NULL);

  return self->tencent_sms;
}

gboolean
rd_gateway_credentials_write_key_file (GKeyFile    *key_file,
                                       const char  *path,
                                       GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  g_return_val_if_fail (key_file != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_key_file_to_data (key_file, &len, NULL);
  /* The temporary file is created 0600 already, then renamed over path. */
  if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                 &local_error))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_KEY,
                   _("Cannot write the credentials file “%s”: %s"), path,
                   local_error->message);
      rd_crypto_clear (data, len);
      return FALSE;
    }
  rd_crypto_clear (data, len);

  return TRUE;
}
