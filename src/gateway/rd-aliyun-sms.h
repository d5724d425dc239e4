/* rd-aliyun-sms.h: Alibaba Cloud SMS (dysmsapi SendSms) as an RdSmsProvider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rd-gateway-credentials.h"
#include "rd-sms-provider.h"

G_BEGIN_DECLS

#define RD_ALIYUN_SMS_VERSION "2017-05-25"

#define RD_TYPE_ALIYUN_SMS (rd_aliyun_sms_get_type ())

G_DECLARE_FINAL_TYPE (RdAliyunSms, rd_aliyun_sms, RD, ALIYUN_SMS, GObject)

/* Signs every request with credentials' [aliyun-sms] AccessKey (RPC
 * signature v1, HMAC-SHA1); RD_GATEWAY_ERROR_KEY when that group is
 * missing. */
RdAliyunSms *rd_aliyun_sms_new              (SoupSession           *session,
                                             RdGatewayCredentials  *credentials,
                                             GError               **error);

/* The request, piece by piece (for the tests and the simulator). */

/* PhoneNumbers: mainland numbers as 11 digits ("+86" dropped), others as
 * 00 + country code + number. */
char        *rd_aliyun_sms_phone_number     (const char            *phone);
/* TemplateParam: a JSON object of the names and values, in that order. */
char        *rd_aliyun_sms_template_param   (const char * const    *names,
                                             const char * const    *values);
/* Every SendSms parameter but Signature: the common ones (AccessKeyId,
 * Action=SendSms, Format=JSON, RegionId=cn-hangzhou, SignatureMethod,
 * SignatureNonce, SignatureVersion=1.0, Timestamp in UTC, Version) and
 * PhoneNumbers, SignName, TemplateCode, TemplateParam and OutId (when
 * request has one). */
GHashTable  *rd_aliyun_sms_build_params     (const char            *access_key_id,
                                             const char            *sign_name,
                                             const RdSmsRequest    *request,
                                             const char            *nonce,
                                             GDateTime             *timestamp);
/* The form body (or query string) as sent: the canonical query of params
 * followed by &Signature=<encoded signature> for method. */
char        *rd_aliyun_sms_signed_query     (GHashTable            *params,
                                             const char            *access_key_secret,
                                             const char            *method);

G_END_DECLS
