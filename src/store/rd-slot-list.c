/* rd-slot-list.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include "rd-enums.h"
#include "rd-roster.h"
#include "rd-slot.h"
#include "rd-slot-list.h"

static const char slots_sql[] =
  "SELECT seq, starts_at, ends_at, channel, status, held_until, appointment_id,"
  "       patient_label, queue_no, order_no, order_amount, order_status"
  "  FROM api.session_slots ($1::bigint)";

struct _RdSlotList
{
  GObject       parent_instance;

  RdDb         *db;
  gulong        notification_handler;
  gulong        state_handler;

  /* The session asked for, and the one the slots belong to (0: none). */
  gint64        session_id;
  gint64        loaded_session_id;

  GPtrArray    *slots;
  GHashTable   *by_seq;

  GCancellable *cancellable;
  guint         generation;
  guint         query_source;

  guint         in_flight : 1;
  guint         dirty : 1;
  guint         loading : 1;
  guint         reload_on_connect : 1;
};

static void rd_slot_list_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdSlotList, rd_slot_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      rd_slot_list_list_model_iface_init))

enum {
  PROP_0,
  PROP_DB,
  PROP_SESSION_ID,
  PROP_LOADING,
  N_PROPS
};

enum {
  UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  RdSlotList *self;
  guint       generation;
  gint64      session_id;
} QueryData;

typedef struct
{
  int seq;
  int starts_at;
  int ends_at;
  int channel;
  int status;
  int held_until;
  int appointment_id;
  int patient_label;
  int queue_no;
  int order_no;
  int order_amount;
  int order_status;
} Columns;

static void schedule_query (RdSlotList *self);

static void
query_data_free (QueryData *data)
{
  g_clear_object (&data->self);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QueryData, query_data_free)

static void
columns_init (Columns  *cols,
              RdResult *result)
{
  cols->seq = rd_result_get_column (result, "seq");
  cols->starts_at = rd_result_get_column (result, "starts_at");
  cols->ends_at = rd_result_get_column (result, "ends_at");
  cols->channel = rd_result_get_column (result, "channel");
  cols->status = rd_result_get_column (result, "status");
  cols->held_until = rd_result_get_column (result, "held_until");
  cols->appointment_id = rd_result_get_column (result, "appointment_id");
  cols->patient_label = rd_result_get_column (result, "patient_label");
  cols->queue_no = rd_result_get_column (result, "queue_no");
  cols->order_no = rd_result_get_column (result, "order_no");
  cols->order_amount = rd_result_get_column (result, "order_amount");
  cols->order_status = rd_result_get_column (result, "order_status");
}

static RdSlot *
slot_from_row (RdResult      *result,
               guint          row,
               const Columns *cols)
{
  int seq = (int) CLAMP (rd_result_get_int64 (result, row, cols->seq), 0, G_MAXINT);
  RdSlot *slot = rd_slot_new (seq);
  int channel = rd_channel_from_db (rd_result_get_string (result, row, cols->channel));
  int status = rd_slot_status_from_db (rd_result_get_string (result, row, cols->status));

  rd_slot_set_starts_at (slot, rd_result_get_string (result, row, cols->starts_at));
  rd_slot_set_ends_at (slot, rd_result_get_string (result, row, cols->ends_at));
  if (channel >= 0)
    rd_slot_set_channel (slot, channel);
  /* A state a newer schema added must not look bookable. */
  rd_slot_set_status (slot, status >= 0 ? status : RD_SLOT_STATUS_LOCKED);
  rd_slot_set_held_until (slot, rd_result_get_string (result, row, cols->held_until));
  if (!rd_result_is_null (result, row, cols->appointment_id))
    rd_slot_set_appointment_id (slot,
                                MAX (0, rd_result_get_int64 (result, row,
                                                             cols->appointment_id)));
  rd_slot_set_patient_label (slot, rd_result_get_string (result, row, cols->patient_label));
  if (!rd_result_is_null (result, row, cols->queue_no))
    rd_slot_set_queue_number (slot,
                              (int) CLAMP (rd_result_get_int64 (result, row, cols->queue_no),
                                           0, G_MAXINT));
  rd_slot_set_order (slot, rd_result_get_string (result, row, cols->order_no),
                     MAX (0, rd_result_get_int64 (result, row, cols->order_amount)),
                     rd_result_get_string (result, row, cols->order_status));

  return slot;
}

static void
set_loading (RdSlotList *self,
             gboolean    loading)
{
  loading = !!loading;

  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
rebuild_index (RdSlotList *self)
{
  g_hash_table_remove_all (self->by_seq);
  for (guint i = 0; i < self->slots->len; i++)
    {
      RdSlot *slot = g_ptr_array_index (self->slots, i);

      g_hash_table_insert (self->by_seq, GINT_TO_POINTER (rd_slot_get_seq (slot)), slot);
    }
}

/* Swaps in @slots (which reuses the objects still shown) and announces the
 * one range that differs, if any. */
static void
replace_slots (RdSlotList *self,
               GPtrArray  *slots)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->slots);
  guint prefix = 0;
  guint suffix = 0;

  self->slots = g_ptr_array_ref (slots);
  rebuild_index (self);

  while (prefix < old->len && prefix < slots->len
         && old->pdata[prefix] == slots->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < slots->len - prefix
         && old->pdata[old->len - 1 - suffix] == slots->pdata[slots->len - 1 - suffix])
    suffix++;

  if (prefix + suffix < old->len || prefix + suffix < slots->len)
    g_list_model_items_changed (G_LIST_MODEL (self),
                                prefix,
                                old->len - prefix - suffix,
                                slots->len - prefix - suffix);
}

static void
apply_rows (RdSlotList *self,
            RdResult   *rows,
            gboolean    same_session)
{
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  Columns cols;

  columns_init (&cols, rows);

  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      g_autoptr(RdSlot) slot = slot_from_row (rows, i, &cols);
      RdSlot *shown = NULL;

      if (same_session)
        shown = g_hash_table_lookup (self->by_seq, GINT_TO_POINTER (rd_slot_get_seq (slot)));

      if (shown != NULL)
        {
          rd_slot_update_from (shown, slot);
          g_ptr_array_add (fresh, g_object_ref (shown));
        }
      else
        {
          g_ptr_array_add (fresh, g_steal_pointer (&slot));
        }
    }

  replace_slots (self, fresh);
}

static void
clear_slots (RdSlotList *self)
{
  g_autoptr(GPtrArray) empty = g_ptr_array_new_with_free_func (g_object_unref);

  self->loaded_session_id = 0;
  replace_slots (self, empty);
}

static void
query_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(QueryData) data = user_data;
  RdSlotList *self = data->self;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  gboolean same_session;

  rows = rd_db_query_finish (RD_DB (object), result, &error);

  /* Another session was chosen meanwhile, or the list went away. */
  if (data->generation != self->generation
      || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->in_flight = FALSE;

  if (error != NULL)
    {
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION))
        {
          g_debug ("Slots of session %" G_GINT64_FORMAT " wait for the connection: %s",
                   data->session_id, error->message);
          self->reload_on_connect = TRUE;
          if (rd_db_get_state (self->db) == RD_DB_STATE_CONNECTED)
            schedule_query (self);
        }
      else
        {
          g_message ("Could not load the slots of session %" G_GINT64_FORMAT ": %s",
                     data->session_id, error->message);
        }
      set_loading (self, FALSE);
      if (self->dirty)
        schedule_query (self);
      return;
    }

  same_session = self->loaded_session_id == data->session_id;
  apply_rows (self, rows, same_session);
  self->loaded_session_id = data->session_id;
  set_loading (self, FALSE);

  g_signal_emit (self, signals[UPDATED], 0);

  /* Notified while the query ran: what it read may already be stale. */
  if (self->dirty)
    schedule_query (self);
}

static void
start_query (RdSlotList *self)
{
  g_autofree char *session = NULL;
  const char *params[1];
  QueryData *data;

  g_assert (RD_IS_SLOT_LIST (self));

  g_clear_handle_id (&self->query_source, g_source_remove);

  if (self->session_id == 0)
    return;

  if (self->in_flight)
    {
      self->dirty = TRUE;
      return;
    }

  if (rd_db_get_state (self->db) != RD_DB_STATE_CONNECTED)
    {
      self->reload_on_connect = TRUE;
      set_loading (self, FALSE);
      return;
    }

  if (self->cancellable == NULL)
    self->cancellable = g_cancellable_new ();

  self->in_flight = TRUE;
  self->dirty = FALSE;
  self->reload_on_connect = FALSE;

  data = g_new0 (QueryData, 1);
  data->self = g_object_ref (self);
  data->generation = self->generation;
  data->session_id = self->session_id;

  session = g_strdup_printf ("%" G_GINT64_FORMAT, self->session_id);
  params[0] = session;

  set_loading (self, self->loaded_session_id != self->session_id);
  rd_db_query_async (self->db, slots_sql, 1, params, self->cancellable, query_cb, data);
}

static gboolean
query_source_cb (gpointer user_data)
{
  RdSlotList *self = user_data;

  self->query_source = 0;
  start_query (self);

  return G_SOURCE_REMOVE;
}

/* Notifications delivered together (one read from the socket) make one
 * query: the source runs once the current dispatch is over. */
static void
schedule_query (RdSlotList *self)
{
  if (self->in_flight)
    {
      self->dirty = TRUE;
      return;
    }

  if (self->query_source != 0)
    return;

  self->query_source = g_idle_add_full (G_PRIORITY_DEFAULT, query_source_cb, self, NULL);
  g_source_set_name_by_id (self->query_source, "[regdesk] slot list query");
}

static gboolean
parse_id (const char *text,
          gint64     *id)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return FALSE;

  *id = (gint64) value;

  return TRUE;
}

static void
on_notification (RdDb       *db,
                 const char *channel,
                 const char *payload,
                 RdSlotList *self)
{
  g_auto(GStrv) parts = NULL;
  gint64 hospital_id;
  gint64 session_id;

  if (self->session_id == 0 || g_strcmp0 (channel, RD_CHANGE_CHANNEL) != 0 || payload == NULL)
    return;

  /* Session ids are unique across hospitals: the id alone names ours. */
  if (!g_str_has_prefix (payload, "session:"))
    return;

  parts = g_strsplit (payload, ":", 3);
  if (g_strv_length (parts) != 3
      || !parse_id (parts[1], &hospital_id)
      || !parse_id (parts[2], &session_id)
      || session_id != self->session_id)
    return;

  schedule_query (self);
}

static void
on_state_changed (RdDb       *db,
                  GParamSpec *pspec,
                  RdSlotList *self)
{
  if (rd_db_get_state (db) != RD_DB_STATE_CONNECTED)
    {
      self->reload_on_connect = TRUE;
      return;
    }

  /* Notifications sent while the connection was down are lost. */
  if (self->reload_on_connect)
    schedule_query (self);
}

static GType
rd_slot_list_get_item_type (GListModel *model)
{
  return RD_TYPE_SLOT;
}

static guint
rd_slot_list_get_n_items (GListModel *model)
{
  RdSlotList *self = RD_SLOT_LIST (model);

  return self->slots->len;
}

static gpointer
rd_slot_list_get_item (GListModel *model,
                       guint       position)
{
  RdSlotList *self = RD_SLOT_LIST (model);

  if (position >= self->slots->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->slots, position));
}

static void
rd_slot_list_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = rd_slot_list_get_item_type;
  iface->get_n_items = rd_slot_list_get_n_items;
  iface->get_item = rd_slot_list_get_item;
}

static void
rd_slot_list_constructed (GObject *object)
{
  RdSlotList *self = RD_SLOT_LIST (object);

  G_OBJECT_CLASS (rd_slot_list_parent_class)->constructed (object);

  g_assert (RD_IS_DB (self->db));

  self->notification_handler =
    g_signal_connect_object (self->db, "notification",
                             G_CALLBACK (on_notification), self, G_CONNECT_DEFAULT);
  self->state_handler =
    g_signal_connect_object (self->db, "notify::state",
                             G_CALLBACK (on_state_changed), self, G_CONNECT_DEFAULT);
  rd_db_listen (self->db, RD_CHANGE_CHANNEL);

  start_query (self);
}

static void
rd_slot_list_dispose (GObject *object)
{
  RdSlotList *self = RD_SLOT_LIST (object);

  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->query_source, g_source_remove);

  if (self->db != NULL)
    {
      g_clear_signal_handler (&self->notification_handler, self->db);
      g_clear_signal_handler (&self->state_handler, self->db);
      g_clear_object (&self->db);
    }

  G_OBJECT_CLASS (rd_slot_list_parent_class)->dispose (object);
}

static void
rd_slot_list_finalize (GObject *object)
{
  RdSlotList *self = RD_SLOT_LIST (object);

  g_clear_pointer (&self->by_seq, g_hash_table_unref);
  g_clear_pointer (&self->slots, g_ptr_array_unref);

  G_OBJECT_CLASS (rd_slot_list_parent_class)->finalize (object);
}

static void
rd_slot_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RdSlotList *self = RD_SLOT_LIST (object);

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;
    case PROP_SESSION_ID:
      g_value_set_int64 (value, self->session_id);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_slot_list_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  RdSlotList *self = RD_SLOT_LIST (object);

  switch (prop_id)
    {
    case PROP_DB:
      self->db = g_value_dup_object (value);
      break;
    case PROP_SESSION_ID:
      rd_slot_list_set_session_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_slot_list_class_init (RdSlotListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = rd_slot_list_constructed;
  object_class->dispose = rd_slot_list_dispose;
  object_class->finalize = rd_slot_list_finalize;
  object_class->get_property = rd_slot_list_get_property;
  object_class->set_property = rd_slot_list_set_property;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL,
                         RD_TYPE_DB,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION_ID] =
    g_param_spec_int64 ("session-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[UPDATED] =
    g_signal_new ("updated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 0);
}

static void
rd_slot_list_init (RdSlotList *self)
{
  self->slots = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_seq = g_hash_table_new (NULL, NULL);
}

RdSlotList *
rd_slot_list_new (RdDb   *db,
                  gint64  session_id)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);
  g_return_val_if_fail (session_id >= 0, NULL);

  return g_object_new (RD_TYPE_SLOT_LIST,
                       "db", db,
                       "session-id", session_id,
                       NULL);
}

gint64
rd_slot_list_get_session_id (RdSlotList *self)
{
  g_return_val_if_fail (RD_IS_SLOT_LIST (self), 0);

  return self->session_id;
}

void
rd_slot_list_set_session_id (RdSlotList *self,
                             gint64      session_id)
{
  g_return_if_fail (RD_IS_SLOT_LIST (self));
  g_return_if_fail (session_id >= 0);

  if (self->session_id == session_id)
    return;

  self->session_id = session_id;

  /* Whatever runs is for the other session: drop it, and never show one
   * session's slots under another's name. */
  self->generation++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->query_source, g_source_remove);
  self->in_flight = FALSE;
  self->dirty = FALSE;
  clear_slots (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION_ID]);

  /* Before construction ends there is no db yet; constructed() loads. */
  if (self->db != NULL)
    start_query (self);
  if (session_id == 0)
    set_loading (self, FALSE);
}

gboolean
rd_slot_list_get_loading (RdSlotList *self)
{
  g_return_val_if_fail (RD_IS_SLOT_LIST (self), FALSE);

  return self->loading;
}

void
rd_slot_list_reload (RdSlotList *self)
{
  g_return_if_fail (RD_IS_SLOT_LIST (self));

  schedule_query (self);
}

gpointer
rd_slot_list_lookup (RdSlotList *self,
                     int         seq)
{
  g_return_val_if_fail (RD_IS_SLOT_LIST (self), NULL);

  return g_hash_table_lookup (self->by_seq, GINT_TO_POINTER (seq));
}
