/* rd-gateway-http.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-gateway"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "rd-gateway-error.h"
#include "rd-gateway-http.h"

typedef struct
{
  SoupMessage  *msg;
  GCancellable *inner;
  GCancellable *outer;
  gulong        outer_handler;
  GSource      *timeout_source;
  guint         timeout_ms;
  gboolean      timed_out;
} SendData;

static void
send_data_free (SendData *data)
{
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_source_unref (data->timeout_source);
    }
  if (data->outer_handler != 0)
    g_cancellable_disconnect (data->outer, data->outer_handler);
  g_clear_object (&data->outer);
  g_clear_object (&data->inner);
  g_clear_object (&data->msg);
  g_free (data);
}

void
rd_http_response_free (RdHttpResponse *response)
{
  if (response == NULL)
    return;

  g_clear_pointer (&response->headers, soup_message_headers_unref);
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

SoupSession *
rd_gateway_session_new (void)
{
  return soup_session_new_with_options ("user-agent", PACKAGE_NAME "/" PACKAGE_VERSION,
                                        "max-conns-per-host", 4,
                                        "timeout", 0,
                                        "idle-timeout", 30,
                                        NULL);
}

char *
rd_gateway_http_path_and_query (GUri *uri)
{
  const char *path = g_uri_get_path (uri);
  const char *query = g_uri_get_query (uri);

  if (path == NULL || *path == '\0')
    path = "/";

  return query != NULL ? g_strconcat (path, "?", query, NULL) : g_strdup (path);
}

static gboolean
on_timeout (gpointer user_data)
{
  SendData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->inner);

  return G_SOURCE_REMOVE;
}

static void
on_outer_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  GCancellable *inner = user_data;

  g_cancellable_cancel (inner);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  RdHttpResponse *response;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (data->outer != NULL && g_cancellable_is_cancelled (data->outer))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                                 _("The request was cancelled"));
      else if (data->timed_out)
        g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_TIMEOUT,
                                 _("The gateway did not answer within %.1f s"),
                                 data->timeout_ms / 1000.0);
      else
        g_task_return_new_error (task, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_NETWORK,
                                 _("The gateway cannot be reached: %s"), error->message);
      return;
    }

  response = g_new0 (RdHttpResponse, 1);
  response->status = soup_message_get_status (data->msg);
  response->headers = soup_message_headers_ref (soup_message_get_response_headers (data->msg));
  response->body = g_steal_pointer (&body);

  g_task_return_pointer (task, response, (GDestroyNotify) rd_http_response_free);
}

void
rd_gateway_http_send_async (SoupSession         *session,
                            SoupMessage         *msg,
                            guint                timeout_ms,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *data;

  g_return_if_fail (SOUP_IS_SESSION (session));
  g_return_if_fail (SOUP_IS_MESSAGE (msg));
  g_return_if_fail (timeout_ms > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (session, cancellable, callback, user_data);
  g_task_set_source_tag (task, rd_gateway_http_send_async);
  /* The answer, even a late one, is read by send_cb: never by a GTask that
   * returned early on cancellation. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (SendData, 1);
  data->msg = g_object_ref (msg);
  data->inner = g_cancellable_new ();
  data->timeout_ms = timeout_ms;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  if (cancellable != NULL)
    {
      data->outer = g_object_ref (cancellable);
      data->outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                                   data->inner, NULL);
    }

  data->timeout_source = g_timeout_source_new (timeout_ms);
  g_source_set_callback (data->timeout_source, on_timeout, data, NULL);
  g_source_set_static_name (data->timeout_source, "[regdesk] gateway request timeout");
  g_source_attach (data->timeout_source, g_task_get_context (task));

  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, data->inner,
                                    send_cb, g_steal_pointer (&task));
}

RdHttpResponse *
rd_gateway_http_send_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == rd_gateway_http_send_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonObject *
rd_gateway_json_parse_object (const char  *data,
                              gsize        len,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (len > G_MAXSSIZE || !json_parser_load_from_data (parser, data != NULL ? data : "", len,
                                                       &local_error))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("The gateway’s answer is not JSON: %s"),
                   local_error != NULL ? local_error->message : "");
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, RD_GATEWAY_ERROR, RD_GATEWAY_ERROR_BAD_RESPONSE,
                   _("The gateway’s answer is not a JSON object"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

const char *
rd_gateway_json_get_string (JsonObject *object,
                            const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

gint64
rd_gateway_json_get_int (JsonObject *object,
                         const char *member,
                         gint64      fallback)
{
  JsonNode *node;

  if (object == NULL)
    return fallback;

  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return fallback;

  return json_node_get_int (node);
}

char *
rd_gateway_json_to_string (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static void
on_request_started (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
}

void
rd_gateway_http_server_one_request_per_connection (SoupServer *server)
{
  g_return_if_fail (SOUP_IS_SERVER (server));

  g_signal_connect (server, "request-started", G_CALLBACK (on_request_started), NULL);
}
