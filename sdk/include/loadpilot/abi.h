/*
 * loadpilot plugin ABI: the contract between the host and every plugin.
 *
 * Pure C (C99), only <stdint.h> and <stddef.h>. Plugins written in C include
 * this file; C++ plugins include <loadpilot/sdk.hpp>, which wraps it.
 *
 * COMPATIBILITY
 *   The host accepts a plugin when its ABI major equals the host's and its
 *   minor is <= the host's (on equal minor, its patch <= the host's).
 *   Every struct here starts with `uint32_t struct_size` set by whoever fills
 *   it. Structs are APPEND-ONLY: new members are only ever added at the end,
 *   with a minor bump. A reader uses a member only when it lies entirely
 *   within the struct_size the writer declared, and (for function pointers)
 *   when it is non-null. Members of ABI 1.0 are the minimum: a smaller
 *   struct_size is refused.
 *
 * WHAT CROSSES
 *   Fixed-width integers, doubles, pointer+length strings (lp_str) and
 *   arrays, opaque handles and int32_t enums. No C++ types, no exceptions:
 *   every fallible call returns an lp_status, and on failure passes a message
 *   through the lp_error it was given (the host copies it at once).
 *
 * OWNERSHIP AND LIFETIME
 *   - Inputs (arguments) are owned by the caller and live for the call only.
 *   - Outputs a plugin returns (arrays, strings) are owned by the plugin and
 *     stay valid until the next call on the same instance, or destroy().
 *   - The descriptor, factories and their strings are static: they live as
 *     long as the library, and the host never unloads a library.
 *   - Host services (lp_host_services) outlive every instance they are
 *     given to.
 *
 * THREADING
 *   The host never calls one instance concurrently; it may call different
 *   instances from different threads. A plugin may call host services from
 *   any thread it owns.
 *
 * NAMING
 *   lp_plugin_describe is the one symbol a plugin exports. Members named for
 *   what the host asks (validate, create, fit, poll...) are implemented by the
 *   plugin; members of lp_host_services are implemented by the host.
 */
#ifndef LOADPILOT_ABI_H
#define LOADPILOT_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LP_ABI_VERSION_MAJOR 1
#define LP_ABI_VERSION_MINOR 0
#define LP_ABI_VERSION_PATCH 0

/* The entry symbol every plugin library exports. */
#define LP_PLUGIN_ENTRY_SYMBOL "lp_plugin_describe"

#if defined(_WIN32)
#define LP_EXPORT __declspec(dllexport)
#else
#define LP_EXPORT __attribute__((visibility("default")))
#endif

/* ---------------------------------------------------------------- basics */

/* True when `member` of the struct at `ptr` lies within the size its writer
 * declared. Use it (and a non-null check for functions) before every read. */
#define LP_MEMBER_WITHIN(ptr, type, member) \
  (offsetof(type, member) + sizeof(((type*)0)->member) <= (size_t)(ptr)->struct_size)

/* A borrowed string: not NUL-terminated unless said so. */
typedef struct lp_str {
  const char* ptr;
  size_t len;
} lp_str;

typedef int32_t lp_status;
enum {
  LP_OK = 0,
  LP_ERR_FAILED = 1,        /* generic failure; see the message */
  LP_ERR_INVALID_CONFIG = 2,
  LP_ERR_INVALID_ARGUMENT = 3,
  LP_ERR_UNSUPPORTED = 4,   /* the component does not do this */
  LP_ERR_STATE = 5          /* called in the wrong state (e.g. poll before start) */
};

typedef int32_t lp_kind;
enum {
  LP_KIND_TOOL = 1,
  LP_KIND_PROVIDER = 2,
  LP_KIND_FORECASTER = 3,
  LP_KIND_DETECTOR = 4,
  LP_KIND_SOURCE = 5,
  LP_KIND_SINK = 6
};

typedef int32_t lp_log_level;
enum {
  LP_LOG_TRACE = 0,
  LP_LOG_DEBUG = 1,
  LP_LOG_INFO = 2,
  LP_LOG_WARN = 3,
  LP_LOG_ERROR = 4
};

/* Where a failing call puts its message. The host's set() copies it at once. */
typedef struct lp_error {
  void* host_ctx;
  void (*set)(void* host_ctx, lp_str message);
} lp_error;

/* A component instance, opaque to the host. */
typedef struct lp_instance lp_instance;

typedef struct lp_label {
  lp_str key;
  lp_str value;
} lp_label;

/* ---------------------------------------------------------- host services */

/* Services the host gives each instance at create(). */
typedef struct lp_host_services {
  uint32_t struct_size;
  void* host_ctx; /* pass back as the first argument of every member */
  void (*log)(void* host_ctx, lp_log_level level, lp_str message);
  int64_t (*monotonic_ns)(void* host_ctx);  /* steady clock, for durations */
  int64_t (*wall_ns)(void* host_ctx);       /* unix epoch, nanoseconds */
  void (*emit_metric)(void* host_ctx, lp_str name, double value, int64_t wall_ns,
                      const lp_label* labels, size_t label_count);
  /* An error outside any call (e.g. in a plugin's own thread). */
  void (*report_error)(void* host_ctx, lp_str message);
} lp_host_services;

/* ------------------------------------------------------------ kind: tool */

/* How a request ended. */
typedef int32_t lp_outcome;
enum {
  LP_OUTCOME_OK = 0,              /* a response that counts as success */
  LP_OUTCOME_HTTP_ERROR = 1,      /* a response the tool judged failed (status, assertion) */
  LP_OUTCOME_TIMEOUT = 2,
  LP_OUTCOME_CONNECT_ERROR = 3,
  LP_OUTCOME_OTHER_ERROR = 4
};

/* One request. Arrays of samples carry a stride so members can be appended. */
typedef struct lp_sample {
  int64_t intended_ns;   /* wall time the schedule meant it to leave */
  int64_t start_ns;      /* wall time it actually left */
  int64_t latency_ns;    /* from intended_ns to the end of the response */
  int64_t service_ns;    /* from start_ns to the end of the response */
  uint64_t bytes_received;
  uint32_t request_type; /* index into the tool's request types */
  lp_outcome outcome;
  int32_t status_code;   /* protocol status, 0 when none */
  uint32_t generator;    /* which generator/worker sent it, 0 when one */
} lp_sample;

typedef struct lp_sample_batch {
  uint32_t struct_size;
  const void* samples;  /* `count` records of `stride` bytes, each an lp_sample prefix */
  size_t count;
  size_t stride;        /* >= offsetof(lp_sample, generator) + 4 */
} lp_sample_batch;

typedef int32_t lp_tool_state;
enum {
  LP_TOOL_IDLE = 0,
  LP_TOOL_RUNNING = 1,
  LP_TOOL_FINISHED = 2, /* the suite ran to its end */
  LP_TOOL_FAILED = 3    /* the tool crashed or stopped on its own; see poll's error */
};

/* What the host asks the tool to do; a negative value means "leave as is". */
typedef struct lp_tool_target {
  uint32_t struct_size;
  double rate_per_s;       /* open model: offered arrival rate */
  int64_t concurrency;     /* closed model: virtual users / threads */
  double spawn_rate_per_s; /* how fast to add users, where the tool has it */
  const double* mix;       /* weights per request type, or NULL to leave as is */
  size_t mix_count;
} lp_tool_target;

typedef struct lp_tool_status {
  uint32_t struct_size;
  lp_tool_state state;
  int64_t active_users;
  double offered_rate_per_s;
  lp_str message; /* why it finished or failed; empty otherwise */
} lp_tool_status;

typedef struct lp_tool_ops {
  uint32_t struct_size;
  /* Load and check the suite named in the config; no load is sent. */
  lp_status (*prepare)(lp_instance* self, lp_error* err);
  /* Names of the request types (labels) known after prepare(). */
  lp_status (*request_types)(lp_instance* self, const lp_str** names, size_t* count,
                             lp_error* err);
  lp_status (*start)(lp_instance* self, const lp_tool_target* initial, lp_error* err);
  lp_status (*set_target)(lp_instance* self, const lp_tool_target* target, lp_error* err);
  /* Samples completed since the last poll, and the tool's state. */
  lp_status (*poll)(lp_instance* self, lp_sample_batch* samples, lp_tool_status* status,
                    lp_error* err);
  /* Stop sending; wait up to grace_ns for requests in flight. */
  lp_status (*stop)(lp_instance* self, int64_t grace_ns, lp_error* err);
} lp_tool_ops;

/* -------------------------------------------------------- kind: provider */

typedef struct lp_instance_type {
  lp_str name;
  double vcpus;
  double memory_gib;
  double price_per_hour; /* in the provider's currency; 0 for local */
} lp_instance_type;

typedef int32_t lp_generator_state;
enum {
  LP_GENERATOR_PENDING = 0,
  LP_GENERATOR_READY = 1,
  LP_GENERATOR_STOPPING = 2,
  LP_GENERATOR_FAILED = 3
};

typedef struct lp_generator {
  lp_str id;
  lp_str address;        /* where a tool reaches it (host or host:port) */
  lp_str instance_type;
  lp_generator_state state;
} lp_generator;

typedef struct lp_provider_ops {
  uint32_t struct_size;
  lp_status (*instance_types)(lp_instance* self, const lp_instance_type** types, size_t* count,
                              lp_error* err);
  /* Make the number of generators of this type equal `count`. */
  lp_status (*scale_to)(lp_instance* self, lp_str instance_type, uint32_t count, lp_error* err);
  lp_status (*list)(lp_instance* self, const lp_generator** generators, size_t* count,
                    lp_error* err);
  /* Remove everything this instance made. */
  lp_status (*teardown)(lp_instance* self, lp_error* err);
} lp_provider_ops;

/* ------------------------------------------------------ kind: forecaster */

/* A regular series. valid[i] == 0 marks a gap or masked outage. */
typedef struct lp_series {
  int64_t start_ns; /* wall time of values[0] */
  int64_t step_ns;
  const double* values;
  const uint8_t* valid; /* NULL: all valid */
  size_t count;
} lp_series;

typedef struct lp_event {
  lp_str name;
  int64_t start_ns;
  int64_t end_ns;
  double multiplier; /* expected load factor while it lasts */
} lp_event;

typedef struct lp_forecast {
  uint32_t struct_size;
  int64_t start_ns;
  int64_t step_ns;
  size_t count;
  const double* mean;      /* count values */
  const double* quantiles; /* count * quantile_count values, row-major by step */
  size_t quantile_count;
} lp_forecast;

typedef struct lp_forecaster_ops {
  uint32_t struct_size;
  lp_status (*fit)(lp_instance* self, const lp_series* history, const lp_event* events,
                   size_t event_count, lp_error* err);
  /* Append new observations and refit incrementally where the model can. */
  lp_status (*update)(lp_instance* self, const lp_series* more, lp_error* err);
  lp_status (*predict)(lp_instance* self, size_t horizon_steps, const double* quantiles,
                       size_t quantile_count, const lp_event* events, size_t event_count,
                       lp_forecast* out, lp_error* err);
  lp_status (*save)(lp_instance* self, lp_str* state, lp_error* err);
  lp_status (*load)(lp_instance* self, lp_str state, lp_error* err);
} lp_forecaster_ops;

/* -------------------------------------------------------- kind: detector */

typedef struct lp_detection {
  uint32_t struct_size;
  double score;         /* 0 (normal) .. 1 (anomalous) */
  int32_t flag;         /* non-zero: anomalous */
  double expected_low;  /* expected range of the first dimension; NaN if none */
  double expected_high;
} lp_detection;

typedef struct lp_detector_ops {
  uint32_t struct_size;
  /* Points needed before scores mean anything. */
  uint64_t (*warmup)(lp_instance* self);
  lp_status (*observe)(lp_instance* self, int64_t wall_ns, const double* values, size_t dim,
                       lp_detection* out, lp_error* err);
} lp_detector_ops;

/* ---------------------------------------------------------- kind: source */

typedef struct lp_metric_point {
  lp_str name;
  const lp_label* labels;
  size_t label_count;
  double value;
  int64_t wall_ns;
} lp_metric_point;

typedef struct lp_source_ops {
  uint32_t struct_size;
  /* Current values of the metrics the source watches. */
  lp_status (*poll)(lp_instance* self, const lp_metric_point** points, size_t* count,
                    lp_error* err);
  /* History of one query, for forecasting; optional (NULL or LP_ERR_UNSUPPORTED). */
  lp_status (*query_range)(lp_instance* self, lp_str query, int64_t start_ns, int64_t end_ns,
                           int64_t step_ns, lp_series* out, lp_error* err);
} lp_source_ops;

/* ------------------------------------------------------------ kind: sink */

typedef struct lp_sink_ops {
  uint32_t struct_size;
  lp_status (*write)(lp_instance* self, const lp_metric_point* points, size_t count,
                     lp_error* err);
  lp_status (*flush)(lp_instance* self, lp_error* err);
} lp_sink_ops;

/* ------------------------------------------------------ factory, plugin */

typedef struct lp_component_factory {
  uint32_t struct_size;
  lp_kind kind;
  const char* type_name;     /* NUL-terminated, unique within its kind */
  const char* description;   /* one line */
  const char* config_schema; /* JSON Schema (draft-07) of the config object */
  /* Deeper checks than the schema can express. Optional. */
  lp_status (*validate)(lp_str config_json, lp_error* err);
  lp_status (*create)(const lp_host_services* host, lp_str config_json, lp_instance** out,
                      lp_error* err);
  void (*destroy)(lp_instance* self);
  const void* ops; /* the kind's table: lp_tool_ops, lp_provider_ops, ... */
} lp_component_factory;

typedef struct lp_plugin_descriptor {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t abi_patch;
  const char* name;        /* NUL-terminated */
  const char* version;     /* the plugin's own version, independent of the ABI */
  const char* description;
  const lp_component_factory* const* factories;
  size_t factory_count;
} lp_plugin_descriptor;

/* The entry point: side-effect free, returns a static descriptor. */
typedef const lp_plugin_descriptor* (*lp_plugin_describe_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* LOADPILOT_ABI_H */
