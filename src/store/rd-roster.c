/* rd-roster.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "regdesk-store"

#include "config.h"

#include <string.h>

#include "rd-department.h"
#include "rd-enums.h"
#include "rd-roster.h"
#include "rd-session.h"

#define SESSION_COLUMNS \
  "s.id, s.hospital_id, s.department_id, s.department_name, s.department_code, " \
  "s.department_pinyin, s.doctor_id, s.doctor_name, s.doctor_title, s.clinic_type, " \
  "s.fee, s.date::text AS date, s.period::text AS period, " \
  "left(s.starts_at::text, 5) AS starts_at, left(s.ends_at::text, 5) AS ends_at, " \
  "s.status::text AS status, s.policy::text AS policy, s.capacity, " \
  "s.free_window, s.free_online, s.free_phone, s.booked"

/* The hospital and the resolved date come back on every row (and on one
 * row of NULL sessions when the day is empty), so one round trip loads. */
static const char load_sql[] =
  "WITH me AS ("
  "  SELECT w.hospital_id,"
  "         COALESCE($1::date, (now() AT TIME ZONE w.time_zone)::date) AS day"
  "    FROM api.whoami () AS w"
  ")"
  " SELECT me.hospital_id AS roster_hospital_id,"
  "        to_char(me.day, 'YYYY-MM-DD') AS roster_date, " SESSION_COLUMNS
  "   FROM me"
  "   LEFT JOIN api.session_overview AS s"
  "     ON s.hospital_id = me.hospital_id"
  "    AND s.date::text = to_char (me.day, 'YYYY-MM-DD')"
  "  ORDER BY s.department_name,"
  "           array_position (ARRAY['morning', 'afternoon', 'evening'], s.period::text),"
  "           s.starts_at, s.doctor_name, s.id";

static const char refresh_sql[] =
  "SELECT " SESSION_COLUMNS
  "  FROM api.session_overview AS s"
  " WHERE s.id = ANY ($1::bigint[]) AND s.hospital_id = $2::bigint";

struct _RdRoster
{
  GObject       parent_instance;

  RdDb         *db;
  gulong        notification_handler;
  gulong        state_handler;

  /* What the caller asked for (NULL: today) and what the rows are for. */
  char         *date;
  char         *loaded_date;
  gint64        hospital_id;

  GPtrArray    *sessions;
  GHashTable   *by_id;
  GListStore   *departments;

  GCancellable *load_cancellable;
  guint         load_generation;
  GCancellable *refresh_cancellable;

  GHashTable   *pending_ids;
  guint         flush_source;

  guint         loading : 1;
  guint         reload_requested : 1;
  guint         reload_on_connect : 1;
};

static void rd_roster_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RdRoster, rd_roster, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      rd_roster_list_model_iface_init))

enum {
  PROP_0,
  PROP_DB,
  PROP_DATE,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

typedef struct
{
  int id;
  int hospital_id;
  int department_id;
  int department_name;
  int department_code;
  int department_pinyin;
  int doctor_id;
  int doctor_name;
  int doctor_title;
  int clinic_type;
  int fee;
  int date;
  int period;
  int starts_at;
  int ends_at;
  int status;
  int policy;
  int capacity;
  int free_window;
  int free_online;
  int free_phone;
  int booked;
} Columns;

typedef struct
{
  RdRoster *self;
  guint     generation;
} LoadData;

typedef struct
{
  RdRoster *self;
  GStrv     ids;
} RefreshData;

static void schedule_flush (RdRoster *self);
static void start_load     (RdRoster *self);

static gint64 *
int64_dup (gint64 value)
{
  return g_memdup2 (&value, sizeof value);
}

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->self);
  g_free (data);
}

static void
refresh_data_free (RefreshData *data)
{
  g_clear_object (&data->self);
  g_clear_pointer (&data->ids, g_strfreev);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefreshData, refresh_data_free)

static void
columns_init (Columns  *cols,
              RdResult *result)
{
  cols->id = rd_result_get_column (result, "id");
  cols->hospital_id = rd_result_get_column (result, "hospital_id");
  cols->department_id = rd_result_get_column (result, "department_id");
  cols->department_name = rd_result_get_column (result, "department_name");
  cols->department_code = rd_result_get_column (result, "department_code");
  cols->department_pinyin = rd_result_get_column (result, "department_pinyin");
  cols->doctor_id = rd_result_get_column (result, "doctor_id");
  cols->doctor_name = rd_result_get_column (result, "doctor_name");
  cols->doctor_title = rd_result_get_column (result, "doctor_title");
  cols->clinic_type = rd_result_get_column (result, "clinic_type");
  cols->fee = rd_result_get_column (result, "fee");
  cols->date = rd_result_get_column (result, "date");
  cols->period = rd_result_get_column (result, "period");
  cols->starts_at = rd_result_get_column (result, "starts_at");
  cols->ends_at = rd_result_get_column (result, "ends_at");
  cols->status = rd_result_get_column (result, "status");
  cols->policy = rd_result_get_column (result, "policy");
  cols->capacity = rd_result_get_column (result, "capacity");
  cols->free_window = rd_result_get_column (result, "free_window");
  cols->free_online = rd_result_get_column (result, "free_online");
  cols->free_phone = rd_result_get_column (result, "free_phone");
  cols->booked = rd_result_get_column (result, "booked");
}

static int
get_count (RdResult *result,
           guint     row,
           int       column)
{
  return (int) CLAMP (rd_result_get_int64 (result, row, column), 0, G_MAXINT);
}

static RdSession *
session_from_row (RdResult      *result,
                  guint          row,
                  const Columns *cols)
{
  RdSession *session = rd_session_new (rd_result_get_int64 (result, row, cols->id));
  int period = rd_period_from_db (rd_result_get_string (result, row, cols->period));
  int status = rd_session_status_from_db (rd_result_get_string (result, row, cols->status));
  int policy = rd_allocation_policy_from_db (rd_result_get_string (result, row, cols->policy));

  rd_session_set_hospital_id (session, rd_result_get_int64 (result, row, cols->hospital_id));
  rd_session_set_department_id (session, rd_result_get_int64 (result, row, cols->department_id));
  rd_session_set_doctor_id (session, rd_result_get_int64 (result, row, cols->doctor_id));
  rd_session_set_department_name (session,
                                  rd_result_get_string (result, row, cols->department_name));
  rd_session_set_department_code (session,
                                  rd_result_get_string (result, row, cols->department_code));
  rd_session_set_department_pinyin (session,
                                    rd_result_get_string (result, row, cols->department_pinyin));
  rd_session_set_doctor_name (session, rd_result_get_string (result, row, cols->doctor_name));
  rd_session_set_doctor_title (session, rd_result_get_string (result, row, cols->doctor_title));
  rd_session_set_clinic_type (session, rd_result_get_string (result, row, cols->clinic_type));
  rd_session_set_fee (session, MAX (0, rd_result_get_int64 (result, row, cols->fee)));
  rd_session_set_date (session, rd_result_get_string (result, row, cols->date));
  rd_session_set_starts_at (session, rd_result_get_string (result, row, cols->starts_at));
  rd_session_set_ends_at (session, rd_result_get_string (result, row, cols->ends_at));
  rd_session_set_capacity (session, get_count (result, row, cols->capacity));
  rd_session_set_free (session, RD_CHANNEL_WINDOW, get_count (result, row, cols->free_window));
  rd_session_set_free (session, RD_CHANNEL_ONLINE, get_count (result, row, cols->free_online));
  rd_session_set_free (session, RD_CHANNEL_PHONE, get_count (result, row, cols->free_phone));
  rd_session_set_booked (session, get_count (result, row, cols->booked));

  /* A value a newer schema added shows as the default rather than failing
   * the whole day's roster. */
  if (period >= 0)
    rd_session_set_period (session, period);
  if (status >= 0)
    rd_session_set_status (session, status);
  else
    rd_session_set_status (session, RD_SESSION_STATUS_CLOSED);
  if (policy >= 0)
    rd_session_set_policy (session, policy);

  return session;
}

static void
set_loading (RdRoster *self,
             gboolean  loading)
{
  loading = !!loading;

  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void
set_loaded_date (RdRoster   *self,
                 const char *loaded_date)
{
  const char *before = rd_roster_get_date (self);
  gboolean changed;

  changed = g_strcmp0 (before, self->date != NULL ? self->date : loaded_date) != 0;
  if (g_strcmp0 (self->loaded_date, loaded_date) != 0)
    {
      g_free (self->loaded_date);
      self->loaded_date = g_strdup (loaded_date);
    }

  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
}

typedef struct
{
  RdDepartment *department;
  int           n_sessions;
  int           n_free;
} DepartmentCount;

static void
update_departments (RdRoster *self)
{
  g_autoptr(GHashTable) existing = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                          g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                      g_free, g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->departments));
  gboolean same_order;

  for (guint i = 0; i < n_old; i++)
    {
      RdDepartment *department = g_list_model_get_item (G_LIST_MODEL (self->departments), i);

      g_hash_table_insert (existing, int64_dup (rd_department_get_id (department)), department);
      g_object_unref (department);
    }

  /* Sessions come ordered by department name, so departments do too. */
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RdSession *session = g_ptr_array_index (self->sessions, i);
      gint64 department_id = rd_session_get_department_id (session);
      DepartmentCount *count = g_hash_table_lookup (seen, &department_id);

      if (count == NULL)
        {
          RdDepartment *department = g_hash_table_lookup (existing, &department_id);

          department = department != NULL ? g_object_ref (department)
                                          : rd_department_new (department_id);
          count = g_new0 (DepartmentCount, 1);
          count->department = department;
          g_hash_table_insert (seen, int64_dup (department_id), count);
          g_ptr_array_add (order, department);

          rd_department_set_hospital_id (department, rd_session_get_hospital_id (session));
          rd_department_set_name (department, rd_session_get_department_name (session));
          rd_department_set_code (department, rd_session_get_department_code (session));
          rd_department_set_pinyin (department, rd_session_get_department_pinyin (session));
        }

      count->n_sessions++;
      /* Free slots of a suspended or closed session cannot be booked. */
      if (rd_session_get_status (session) == RD_SESSION_STATUS_OPEN)
        count->n_free += rd_session_get_free_total (session);
    }

  for (guint i = 0; i < order->len; i++)
    {
      RdDepartment *department = g_ptr_array_index (order, i);
      gint64 department_id = rd_department_get_id (department);
      DepartmentCount *count = g_hash_table_lookup (seen, &department_id);

      rd_department_set_n_sessions (department, count->n_sessions);
      rd_department_set_n_free (department, count->n_free);
    }

  same_order = order->len == n_old;
  for (guint i = 0; same_order && i < n_old; i++)
    {
      g_autoptr(RdDepartment) department =
        g_list_model_get_item (G_LIST_MODEL (self->departments), i);

      same_order = department == g_ptr_array_index (order, i);
    }

  if (!same_order)
    g_list_store_splice (self->departments, 0, n_old, order->pdata, order->len);
}

static void
rebuild_index (RdRoster *self)
{
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RdSession *session = g_ptr_array_index (self->sessions, i);

      g_hash_table_insert (self->by_id, int64_dup (rd_session_get_id (session)), session);
    }
}

/* Replaces the rows with @fresh: sessions already shown keep their object
 * (updated in place), and one items-changed covers the span that differs. */
static void
apply_sessions (RdRoster  *self,
                GPtrArray *fresh)
{
  g_autoptr(GPtrArray) old = NULL;
  GPtrArray *sessions = g_ptr_array_new_full (fresh->len, g_object_unref);
  guint prefix = 0;
  guint suffix = 0;

  for (guint i = 0; i < fresh->len; i++)
    {
      RdSession *session = g_ptr_array_index (fresh, i);
      gint64 id = rd_session_get_id (session);
      RdSession *shown = g_hash_table_lookup (self->by_id, &id);

      if (shown != NULL)
        {
          rd_session_update (shown, session);
          session = shown;
        }
      g_ptr_array_add (sessions, g_object_ref (session));
    }

  old = g_steal_pointer (&self->sessions);
  self->sessions = sessions;
  rebuild_index (self);

  while (prefix < old->len && prefix < sessions->len
         && old->pdata[prefix] == sessions->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < sessions->len - prefix
         && old->pdata[old->len - 1 - suffix] == sessions->pdata[sessions->len - 1 - suffix])
    suffix++;

  if (prefix + suffix < old->len || prefix + suffix < sessions->len)
    g_list_model_items_changed (G_LIST_MODEL (self),
                                prefix,
                                old->len - prefix - suffix,
                                sessions->len - prefix - suffix);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  LoadData *data = user_data;
  RdRoster *self = data->self;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) fresh = NULL;
  Columns cols;
  int hospital_column;
  int date_column;

  rows = rd_db_query_finish (RD_DB (object), result, &error);

  /* A newer load (another date, a reload) or dispose took over. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || data->generation != self->load_generation)
    {
      load_data_free (data);
      return;
    }

  g_clear_object (&self->load_cancellable);

  if (error != NULL)
    {
      /* A lost connection reloads once it is back (see on_state_changed). */
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION))
        {
          self->reload_on_connect = TRUE;
          g_debug ("Roster load failed, waiting for the connection: %s", error->message);
        }
      else
        {
          g_message ("Could not load the roster: %s", error->message);
        }
      set_loading (self, FALSE);
      load_data_free (data);
      return;
    }

  columns_init (&cols, rows);
  hospital_column = rd_result_get_column (rows, "roster_hospital_id");
  date_column = rd_result_get_column (rows, "roster_date");

  fresh = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      if (i == 0)
        {
          self->hospital_id = rd_result_get_int64 (rows, 0, hospital_column);
          set_loaded_date (self, rd_result_get_string (rows, 0, date_column));
        }
      if (!rd_result_is_null (rows, i, cols.id))
        g_ptr_array_add (fresh, session_from_row (rows, i, &cols));
    }

  apply_sessions (self, fresh);
  update_departments (self);
  set_loading (self, FALSE);

  if (self->reload_requested || g_hash_table_size (self->pending_ids) > 0)
    schedule_flush (self);

  load_data_free (data);
}

static void
start_load (RdRoster *self)
{
  LoadData *data;
  const char *params[1];

  g_assert (RD_IS_ROSTER (self));

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  self->reload_requested = FALSE;
  self->reload_on_connect = FALSE;
  /* The load reads everything committed so far, these included. */
  g_hash_table_remove_all (self->pending_ids);

  if (self->db == NULL || rd_db_get_state (self->db) != RD_DB_STATE_CONNECTED)
    {
      self->load_generation++;
      self->reload_on_connect = TRUE;
      set_loading (self, FALSE);
      return;
    }

  self->load_cancellable = g_cancellable_new ();
  data = g_new0 (LoadData, 1);
  data->self = g_object_ref (self);
  data->generation = ++self->load_generation;
  params[0] = self->date;

  set_loading (self, TRUE);
  rd_db_query_async (self->db, load_sql, 1, params, self->load_cancellable, load_cb, data);
}

static void
refresh_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(RefreshData) data = user_data;
  RdRoster *self = data->self;
  g_autoptr(RdResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) returned = NULL;
  gboolean need_reload = FALSE;
  Columns cols;

  rows = rd_db_query_finish (RD_DB (object), result, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, RD_STORE_ERROR, RD_STORE_ERROR_CONNECTION))
        self->reload_on_connect = TRUE;
      else
        g_message ("Could not refresh roster sessions: %s", error->message);
      return;
    }

  columns_init (&cols, rows);
  returned = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < rd_result_get_n_rows (rows); i++)
    {
      g_autoptr(RdSession) fresh = session_from_row (rows, i, &cols);
      gint64 id = rd_session_get_id (fresh);
      RdSession *shown = g_hash_table_lookup (self->by_id, &id);

      g_hash_table_add (returned, int64_dup (id));
      if (shown == NULL)
        continue;

      /* Moved to another day: the rows themselves change. */
      if (g_strcmp0 (rd_session_get_date (fresh), self->loaded_date) != 0)
        need_reload = TRUE;
      else
        rd_session_update (shown, fresh);
    }

  /* A session we show that is gone (deleted, or no longer visible). */
  for (guint i = 0; data->ids[i] != NULL; i++)
    {
      gint64 id = g_ascii_strtoll (data->ids[i], NULL, 10);

      if (g_hash_table_contains (self->by_id, &id) && !g_hash_table_contains (returned, &id))
        need_reload = TRUE;
    }

  update_departments (self);

  if (need_reload && !self->loading)
    start_load (self);
}

static void
refresh_pending (RdRoster *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) array = g_string_new ("{");
  g_autofree char *hospital = NULL;
  g_auto(GStrv) ids = NULL;
  RefreshData *data;
  GHashTableIter iter;
  gint64 *id;
  const char *params[2];

  g_hash_table_iter_init (&iter, self->pending_ids);
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    {
      if (g_hash_table_contains (self->by_id, id))
        {
          g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, *id);

          if (array->len > 1)
            g_string_append_c (array, ',');
          g_string_append (array, text);
          g_strv_builder_add (builder, text);
        }
    }
  g_string_append_c (array, '}');
  g_hash_table_remove_all (self->pending_ids);

  ids = g_strv_builder_end (builder);
  if (ids[0] == NULL)
    return;

  hospital = g_strdup_printf ("%" G_GINT64_FORMAT, self->hospital_id);
  params[0] = array->str;
  params[1] = hospital;

  if (self->refresh_cancellable == NULL)
    self->refresh_cancellable = g_cancellable_new ();

  data = g_new0 (RefreshData, 1);
  data->self = g_object_ref (self);
  data->ids = g_steal_pointer (&ids);
  rd_db_query_async (self->db, refresh_sql, 2, params, self->refresh_cancellable,
                     refresh_cb, data);
}

static gboolean
flush_cb (gpointer user_data)
{
  RdRoster *self = user_data;

  self->flush_source = 0;

  /* The running load ends by scheduling another flush. */
  if (self->loading)
    return G_SOURCE_REMOVE;

  if (self->reload_requested)
    start_load (self);
  else if (g_hash_table_size (self->pending_ids) > 0)
    refresh_pending (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_flush (RdRoster *self)
{
  if (self->flush_source != 0)
    return;

  /* Notifications collect until the main loop is idle, then one query
   * re-reads their sessions: a transaction's notifications arrive together
   * (a booking touches a session several times), and while a refresh runs
   * a busy hour's bursts from many desks wait for the next one. Waiting
   * for a timer instead would add its delay to every update. */
  self->flush_source = g_idle_add (flush_cb, self);
  g_source_set_name_by_id (self->flush_source, "[regdesk] roster flush");
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

/* "<session>:<free window>:<free online>:<free phone>:<booked>", the
 * counts a booking or 退号 publishes right after its commit
 * (api.publish): shown at once, without a query. The 'session:' of the
 * same change still re-reads the session, so when two desks' counts cross
 * on the way, the re-read's answer is the one that stays. */
static void
apply_counts (RdRoster   *self,
              const char *counts)
{
  g_auto(GStrv) fields = g_strsplit (counts, ":", -1);
  static const RdChannel channels[] = { RD_CHANNEL_WINDOW, RD_CHANNEL_ONLINE,
                                        RD_CHANNEL_PHONE };
  gint64 values[5];
  RdSession *session;

  if (self->loading || g_strv_length (fields) != G_N_ELEMENTS (values))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      guint64 value;

      /* A session id, then counts. */
      if (!g_ascii_string_to_unsigned (fields[i], 10, i == 0 ? 1 : 0,
                                       i == 0 ? G_MAXINT64 : G_MAXINT, &value, NULL))
        return;
      values[i] = (gint64) value;
    }

  session = g_hash_table_lookup (self->by_id, &values[0]);
  if (session == NULL)
    return;

  g_object_freeze_notify (G_OBJECT (session));
  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    rd_session_set_free (session, channels[i], (int) values[i + 1]);
  rd_session_set_booked (session, (int) values[4]);
  g_object_thaw_notify (G_OBJECT (session));
}

static void
on_notification (RdDb       *db,
                 const char *channel,
                 const char *payload,
                 RdRoster   *self)
{
  g_auto(GStrv) parts = NULL;
  gint64 hospital_id;

  if (g_strcmp0 (channel, RD_CHANGE_CHANNEL) != 0 || payload == NULL)
    return;

  parts = g_strsplit (payload, ":", 3);
  if (g_strv_length (parts) != 3 || !parse_id (parts[1], &hospital_id))
    return;

  /* Before the first load the hospital is unknown; the load's own snapshot
   * and the filter on shown ids keep strangers out then. */
  if (self->hospital_id != 0 && hospital_id != self->hospital_id)
    return;

  if (g_str_equal (parts[0], "session"))
    {
      gint64 id;

      if (!parse_id (parts[2], &id))
        return;
      if (!self->loading && !g_hash_table_contains (self->by_id, &id))
        return;

      g_hash_table_add (self->pending_ids, int64_dup (id));
      schedule_flush (self);
    }
  else if (g_str_equal (parts[0], "free"))
    apply_counts (self, parts[2]);
  else if (g_str_equal (parts[0], "roster"))
    {
      const char *shown = self->loading ? self->date : self->loaded_date;

      if (shown != NULL && !g_str_equal (parts[2], shown))
        return;

      self->reload_requested = TRUE;
      schedule_flush (self);
    }
}

static void
on_state_changed (RdDb       *db,
                  GParamSpec *pspec,
                  RdRoster   *self)
{
  if (rd_db_get_state (db) != RD_DB_STATE_CONNECTED)
    {
      self->reload_on_connect = TRUE;
      return;
    }

  /* Notifications sent while the connection was down are lost. */
  if (self->reload_on_connect)
    start_load (self);
}

static GType
rd_roster_get_item_type (GListModel *model)
{
  return RD_TYPE_SESSION;
}

static guint
rd_roster_get_n_items (GListModel *model)
{
  RdRoster *self = RD_ROSTER (model);

  return self->sessions->len;
}

static gpointer
rd_roster_get_item (GListModel *model,
                    guint       position)
{
  RdRoster *self = RD_ROSTER (model);

  if (position >= self->sessions->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->sessions, position));
}

static void
rd_roster_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = rd_roster_get_item_type;
  iface->get_n_items = rd_roster_get_n_items;
  iface->get_item = rd_roster_get_item;
}

static void
rd_roster_constructed (GObject *object)
{
  RdRoster *self = RD_ROSTER (object);

  G_OBJECT_CLASS (rd_roster_parent_class)->constructed (object);

  g_assert (RD_IS_DB (self->db));

  self->notification_handler =
    g_signal_connect_object (self->db, "notification",
                             G_CALLBACK (on_notification), self, G_CONNECT_DEFAULT);
  self->state_handler =
    g_signal_connect_object (self->db, "notify::state",
                             G_CALLBACK (on_state_changed), self, G_CONNECT_DEFAULT);
  rd_db_listen (self->db, RD_CHANGE_CHANNEL);

  start_load (self);
}

static void
rd_roster_dispose (GObject *object)
{
  RdRoster *self = RD_ROSTER (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->refresh_cancellable);
  g_clear_object (&self->refresh_cancellable);
  g_clear_handle_id (&self->flush_source, g_source_remove);

  if (self->db != NULL)
    {
      g_clear_signal_handler (&self->notification_handler, self->db);
      g_clear_signal_handler (&self->state_handler, self->db);
      g_clear_object (&self->db);
    }

  G_OBJECT_CLASS (rd_roster_parent_class)->dispose (object);
}

static void
rd_roster_finalize (GObject *object)
{
  RdRoster *self = RD_ROSTER (object);

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->pending_ids, g_hash_table_unref);
  g_clear_pointer (&self->sessions, g_ptr_array_unref);
  g_clear_object (&self->departments);
  g_clear_pointer (&self->date, g_free);
  g_clear_pointer (&self->loaded_date, g_free);

  G_OBJECT_CLASS (rd_roster_parent_class)->finalize (object);
}

static void
rd_roster_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  RdRoster *self = RD_ROSTER (object);

  switch (prop_id)
    {
    case PROP_DB:
      g_value_set_object (value, self->db);
      break;
    case PROP_DATE:
      g_value_set_string (value, rd_roster_get_date (self));
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_roster_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  RdRoster *self = RD_ROSTER (object);

  switch (prop_id)
    {
    case PROP_DB:
      self->db = g_value_dup_object (value);
      break;
    case PROP_DATE:
      rd_roster_set_date (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
rd_roster_class_init (RdRosterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = rd_roster_constructed;
  object_class->dispose = rd_roster_dispose;
  object_class->finalize = rd_roster_finalize;
  object_class->get_property = rd_roster_get_property;
  object_class->set_property = rd_roster_set_property;

  properties[PROP_DB] =
    g_param_spec_object ("db", NULL, NULL,
                         RD_TYPE_DB,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
rd_roster_init (RdRoster *self)
{
  self->sessions = g_ptr_array_new_with_free_func (g_object_unref);
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->pending_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->departments = g_list_store_new (RD_TYPE_DEPARTMENT);
}

RdRoster *
rd_roster_new (RdDb *db)
{
  g_return_val_if_fail (RD_IS_DB (db), NULL);

  return g_object_new (RD_TYPE_ROSTER, "db", db, NULL);
}

const char *
rd_roster_get_date (RdRoster *self)
{
  g_return_val_if_fail (RD_IS_ROSTER (self), NULL);

  return self->date != NULL ? self->date : self->loaded_date;
}

void
rd_roster_set_date (RdRoster   *self,
                    const char *date)
{
  g_autofree char *before = NULL;

  g_return_if_fail (RD_IS_ROSTER (self));

  before = g_strdup (rd_roster_get_date (self));
  if (g_strcmp0 (self->date, date) != 0)
    {
      g_free (self->date);
      self->date = g_strdup (date);
      /* Until the load says which day today is, today has no name. */
      if (date == NULL)
        g_clear_pointer (&self->loaded_date, g_free);
    }

  if (g_strcmp0 (before, rd_roster_get_date (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);

  /* The constructor loads once the db is set. */
  if (self->db != NULL)
    start_load (self);
}

gboolean
rd_roster_get_loading (RdRoster *self)
{
  g_return_val_if_fail (RD_IS_ROSTER (self), FALSE);

  return self->loading;
}

void
rd_roster_reload (RdRoster *self)
{
  g_return_if_fail (RD_IS_ROSTER (self));

  start_load (self);
}

GListModel *
rd_roster_get_departments (RdRoster *self)
{
  g_return_val_if_fail (RD_IS_ROSTER (self), NULL);

  return G_LIST_MODEL (self->departments);
}

gpointer
rd_roster_lookup (RdRoster *self,
                  gint64    session_id)
{
  g_return_val_if_fail (RD_IS_ROSTER (self), NULL);

  return g_hash_table_lookup (self->by_id, &session_id);
}
