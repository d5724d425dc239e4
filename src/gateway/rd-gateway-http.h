/* rd-gateway-http.h: one request to a gateway over the shared SoupSession,
 * with its own deadline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
} RdHttpResponse;

void            rd_http_response_free        (RdHttpResponse *response);

/* The session every gateway shares: keep-alive connections, our user agent,
 * no session-wide timeout (each request has its own). */
SoupSession    *rd_gateway_session_new       (void);

/* Sends msg and reads the whole answer. The request is abandoned after
 * timeout_ms: that is RD_GATEWAY_ERROR_TIMEOUT (the gateway may still act
 * on it); a connection that fails is RD_GATEWAY_ERROR_NETWORK; cancelling
 * is G_IO_ERROR_CANCELLED. Any HTTP status is a response. */
void            rd_gateway_http_send_async   (SoupSession         *session,
                                              SoupMessage         *msg,
                                              guint                timeout_ms,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
RdHttpResponse *rd_gateway_http_send_finish  (GAsyncResult        *result,
                                              GError             **error);

/* The request path and query as they go on the wire ("/v3/x?mchid=1"). */
char           *rd_gateway_http_path_and_query (GUri              *uri);

/* A JSON object document; anything else is RD_GATEWAY_ERROR_BAD_RESPONSE. */
JsonObject     *rd_gateway_json_parse_object (const char          *data,
                                              gsize                len,
                                              GError             **error);
/* A member's string value, or NULL when absent or not a string. */
const char     *rd_gateway_json_get_string   (JsonObject          *object,
                                              const char          *member);
/* A member's integer value, or fallback when absent or not an integer. */
gint64          rd_gateway_json_get_int      (JsonObject          *object,
                                              const char          *member,
                                              gint64               fallback);
/* Compact JSON text of a builder's root. */
char           *rd_gateway_json_to_string    (JsonBuilder         *builder);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RdHttpResponse, rd_http_response_free)

/* Makes @server close every connection after its answer. libsoup 3.2's
 * server never closes an idle connection its client has closed (fixed in
 * 3.3, GNOME/libsoup commit d20c6601): clients that give up on late
 * answers would otherwise leave a descriptor behind each time. */
void         rd_gateway_http_server_one_request_per_connection (SoupServer *server);

G_END_DECLS
