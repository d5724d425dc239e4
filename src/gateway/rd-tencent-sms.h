/* rd-tencent-sms.h: Tencent Cloud SMS (API 3.0 SendSms) as an RdSmsProvider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "rd-gateway-credentials.h"
#include "rd-sms-provider.h"

G_BEGIN_DECLS

#define RD_TENCENT_SMS_VERSION      "2021-01-11"
#define RD_TENCENT_SMS_REGION       "ap-guangzhou"
#define RD_TENCENT_SMS_CONTENT_TYPE "application/json; charset=utf-8"

#define RD_TYPE_TENCENT_SMS (rd_tencent_sms_get_type ())

G_DECLARE_FINAL_TYPE (RdTencentSms, rd_tencent_sms, RD, TENCENT_SMS, GObject)

/* Signs every request with credentials' [tencent-sms] SecretId and
 * SecretKey (TC3-HMAC-SHA256, service "sms"); RD_GATEWAY_ERROR_KEY when
 * that group is missing. */
RdTencentSms *rd_tencent_sms_new           (SoupSession           *session,
                                            RdGatewayCredentials  *credentials,
                                            GError               **error);

/* The request, piece by piece (for the tests and the simulator). */

/* E.164: 11 mainland digits get "+86". */
char         *rd_tencent_sms_phone_number  (const char            *phone);
/* The JSON body: PhoneNumberSet, SmsSdkAppId, SignName, TemplateId,
 * TemplateParamSet (the values in order) and SessionContext (out_id, when
 * there is one), in that order. */
char         *rd_tencent_sms_build_payload (const char            *sdk_app_id,
                                            const char            *sign_name,
                                            const RdSmsRequest    *request);
/* "host" or "host:port" as the Host header carries it for uri. */
char         *rd_tencent_sms_host          (GUri                  *uri);
/* Sets the X-TC-* headers, Content-Type and Authorization of a POST of
 * payload to host at timestamp on headers. */
void          rd_tencent_sms_sign_headers  (SoupMessageHeaders    *headers,
                                            const char            *secret_id,
                                            const char            *secret_key,
                                            const char            *host,
                                            gint64                 timestamp,
                                            const char            *payload);

G_END_DECLS
