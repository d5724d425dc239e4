/* rd-gateway-credentials.h: merchant ids and keys from a key file that only
 * its owner may read
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "rd-crypto.h"

G_BEGIN_DECLS

#define RD_TYPE_GATEWAY_CREDENTIALS (rd_gateway_credentials_get_type ())

G_DECLARE_FINAL_TYPE (RdGatewayCredentials, rd_gateway_credentials, RD, GATEWAY_CREDENTIALS,
                      GObject)

#define RD_WECHATPAY_DEFAULT_BASE_URL "https://api.mch.weixin.qq.com"
#define RD_ALIPAY_DEFAULT_GATEWAY_URL "https://openapi.alipay.com/gateway.do"
#define RD_GATEWAY_DEFAULT_TIMEOUT_MS 10000

/* Group [wechatpay]. */
typedef struct
{
  char           *base_url;      /* base_url, default RD_WECHATPAY_DEFAULT_BASE_URL */
  char           *mchid;         /* mchid */
  char           *appid;         /* appid */
  char           *serial_no;     /* serial_no: the merchant API certificate's serial */
  RdRsaKey       *merchant_key;  /* private_key (PEM, "\n" escaped) or private_key_file */
  char           *apiv3_key;     /* apiv3_key: 32 characters */
  RdRsaPublicKey *platform_key;  /* platform_certificate or platform_public_key (or _file) */
  char           *platform_serial; /* platform_serial: PUB_KEY_ID_… or the certificate's */
  char           *notify_url;    /* notify_url */
  guint           timeout_ms;    /* timeout (seconds, may be fractional) */
} RdWechatpayConfig;

/* Group [alipay]. */
typedef struct
{
  char           *gateway_url;   /* gateway_url, default RD_ALIPAY_DEFAULT_GATEWAY_URL */
  char           *app_id;        /* app_id */
  RdRsaKey       *app_key;       /* private_key or private_key_file */
  RdRsaPublicKey *alipay_key;    /* alipay_public_key or alipay_public_key_file */
  char           *notify_url;    /* notify_url */
  guint           timeout_ms;    /* timeout */
} RdAlipayConfig;

/* Group [aliyun-sms]. */
typedef struct
{
  char  *base_url;               /* base_url, default https://dysmsapi.aliyuncs.com */
  char  *access_key_id;
  char  *access_key_secret;
  char  *sign_name;
  guint  timeout_ms;
} RdAliyunSmsConfig;

/* Group [tencent-sms]. */
typedef struct
{
  char  *base_url;               /* base_url, default https://sms.tencentcloudapi.com */
  char  *secret_id;
  char  *secret_key;
  char  *sdk_app_id;
  char  *sign_name;
  guint  timeout_ms;
} RdTencentSmsConfig;

/* Reads the key file at path, refusing it (RD_GATEWAY_ERROR_KEY) unless it
 * is a regular file that neither its group nor others may read or write,
 * like ssh does with its keys. Every group is optional, but a group that is
 * there must be complete. Relative *_file paths are relative to the key
 * file's folder and get the same check. */
RdGatewayCredentials    *rd_gateway_credentials_new_from_file      (const char  *path,
                                                                     GError     **error);
/* The same from a key file already read (the permission check is the
 * caller's); base_dir resolves relative *_file paths. */
RdGatewayCredentials    *rd_gateway_credentials_new_from_key_file  (GKeyFile    *key_file,
                                                                     const char  *base_dir,
                                                                     GError     **error);
/* NULL when the file has no such group. */
const RdWechatpayConfig *rd_gateway_credentials_get_wechatpay      (RdGatewayCredentials *self);
const RdAlipayConfig    *rd_gateway_credentials_get_alipay         (RdGatewayCredentials *self);
const RdAliyunSmsConfig *rd_gateway_credentials_get_aliyun_sms     (RdGatewayCredentials *self);
const RdTencentSmsConfig *rd_gateway_credentials_get_tencent_sms   (RdGatewayCredentials *self);

/* Writes a key file with mode 0600 (created so, never widened in between),
 * replacing path atomically. For the simulator and setup tools. */
gboolean                 rd_gateway_credentials_write_key_file     (GKeyFile    *key_file,
                                                                     const char  *path,
                                                                     GError     **error);

G_END_DECLS
