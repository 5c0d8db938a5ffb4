// The closed loop: metrics sources, forecast, provisioning, shaping, detectors.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "plan_builder.hpp"

namespace lp::plan {

void PlanBuilder::read_sources(const Entry& e) {
  const std::vector<Node>* items = read_.list(e.value, "sources");
  if (items == nullptr) {
    sources_broken_ = true;
    return;
  }
  IdSet ids("source type");
  for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
    const Node& item = (*items)[i];
    MapReader m(diag_, item, index_path("sources", i), "sources[]");
    if (!m.ok()) {
      sources_broken_ = true;
      continue;
    }
    SourceSpec source;
    const Node* type_node = m.require("source", "a source plugin type, e.g. prometheus");
    std::optional<std::string> type;
    if (type_node) type = components_.type(LP_KIND_SOURCE, *type_node, m.child("source"));
    if (type) source.source = *type;
    if (auto id = element_id(m, type, type_node ? *type_node : item, ids)) {
      source.id = *id;
      sources_.emplace(*id, m.path());
    } else {
      sources_broken_ = true;
    }
    if (type) {
      source.config =
          components_.config(LP_KIND_SOURCE, *type, m.get("config"), item, m.child("config"));
    }
    plan_.sources.push_back(std::move(source));
  }
}

void PlanBuilder::read_forecast(const Node& n) {
  MapReader m(diag_, n, "forecast", "forecast");
  if (!m.ok()) return;
  ForecastSpec f;
  std::optional<std::string> type;
  if (const Node* v = m.require("model", "a forecaster plugin type, e.g. prophet")) {
    type = components_.type(LP_KIND_FORECASTER, *v, m.child("model"));
    if (type) f.model = *type;
  }
  if (const Node* h = m.require("history", "a CSV file, or a source query, to fit the model on")) {
    if (h->is_map()) {
      MapReader q(diag_, *h, m.child("history"), "forecast.history");
      if (const Node* v = q.require("source", "a sources[] id")) {
        if (auto s = read_.string(*v, q.child("source"))) {
          f.history.source = *s;
          if (!sources_.count(*s) && !sources_broken_) {
            std::vector<std::string> known;
            for (const auto& [id, p] : sources_) known.push_back(id);
            std::string hint = suggestion(*s, known, "defined sources are");
            if (known.empty()) hint = "; no sources are defined";
            read_.error(
                *v, q.child("source"),
                fmt::format("references source {} which is not defined{}", quote(*s), hint));
          }
        }
      }
      if (const Node* v = q.require("query")) {
        if (auto s = read_.string(*v, q.child("query"))) f.history.query = *s;
      }
      if (const Node* v = q.require("range", "how much history, e.g. 28d")) {
        if (auto d = read_.duration(*v, q.child("range"))) {
          if (d->count() <= 0) {
            read_.error(*v, q.child("range"), "must be longer than 0s");
          } else {
            f.history.range = *d;
          }
        }
      }
    } else if (auto s = read_.string(*h, m.child("history"))) {
      const auto full = resolve(*h, *s);
      std::error_code ec;
      if (!std::filesystem::is_regular_file(full, ec)) {
        read_.error(*h, m.child("history"),
                    fmt::format("history file {} does not exist", quote(*s)));
      }
      f.history.file = full;
    }
  }
  auto positive_duration = [&](const char* key, Duration& out) {
    const Node* v = m.get(key);
    if (v == nullptr) return;
    if (auto d = read_.duration(*v, m.child(key))) {
      if (d->count() <= 0) {
        read_.error(*v, m.child(key), "must be longer than 0s");
      } else {
        out = *d;
      }
    }
  };
  positive_duration("horizon", f.horizon);
  positive_duration("step", f.step);
  if (f.step > f.horizon) {
    const Node* v = m.get("step") ? m.get("step") : m.get("horizon");
    read_.error(*v, m.get("step") ? m.child("step") : m.child("horizon"),
                fmt::format("step ({}) is longer than the horizon ({})", format_duration(f.step),
                            format_duration(f.horizon)));
  }
  if (const Node* v = m.get("quantiles")) {
    const std::vector<Node>* qs = read_.list(*v, m.child("quantiles"));
    if (qs == nullptr) quantiles_complete_ = false;
    if (qs != nullptr) {
      if (qs->empty()) read_.error(*v, m.child("quantiles"), "needs at least one quantile");
      f.quantiles.clear();
      std::optional<double> previous;
      for (std::size_t i = 0; i < qs->size() && !diag_.full(); ++i) {
        const std::string path = index_path(m.child("quantiles"), i);
        auto q = read_.number((*qs)[i], path);
        if (!q) {
          quantiles_complete_ = false;
          continue;
        }
        if (*q <= 0 || *q >= 1) {
          read_.error((*qs)[i], path, fmt::format("must be in (0, 1), found {}", (*qs)[i].text));
          quantiles_complete_ = false;
          continue;
        }
        if (previous && *q <= *previous) {
          read_.error((*qs)[i], path,
                      fmt::format("quantiles must be sorted and distinct: {} follows {}",
                                  format_number(*q), format_number(*previous)));
        }
        previous = q;
        f.quantiles.push_back(*q);
      }
    }
  }
  if (const Node* v = m.get("events")) {
    if (const std::vector<Node>* events = read_.list(*v, m.child("events"))) {
      for (std::size_t i = 0; i < events->size() && !diag_.full(); ++i) {
        MapReader ev(diag_, (*events)[i], index_path(m.child("events"), i), "forecast.events[]");
        if (!ev.ok()) continue;
        ForecastEvent event;
        if (const Node* x = ev.require("at", "an RFC 3339 timestamp")) {
          if (auto t = read_.timestamp(*x, ev.child("at"))) event.at = *t;
        }
        if (const Node* x = ev.require("name")) {
          if (auto s = read_.string(*x, ev.child("name"))) event.name = *s;
        }
        if (const Node* x = ev.get("duration")) {
          if (auto d = read_.duration(*x, ev.child("duration"))) {
            if (d->count() <= 0) {
              read_.error(*x, ev.child("duration"), "must be longer than 0s");
            } else {
              event.duration = d;
            }
          }
        }
        if (const Node* x = ev.get("multiplier")) {
          if (auto k = read_.number(*x, ev.child("multiplier"))) {
            if (*k <= 0) {
              read_.error(*x, ev.child("multiplier"),
                          fmt::format("must be > 0, found {}", x->text));
            } else {
              event.multiplier = *k;
            }
          }
        }
        f.events.push_back(std::move(event));
      }
    }
  }
  if (type)
    f.config = components_.config(LP_KIND_FORECASTER, *type, m.get("config"), n, m.child("config"));
  plan_.forecast = std::move(f);
}

void PlanBuilder::read_provision(const Node& n) {
  MapReader m(diag_, n, "provision", "provision");
  if (!m.ok()) return;
  ProvisionSpec p;
  std::optional<std::string> type;
  if (const Node* v = m.require("provider", "a provider plugin type, e.g. local")) {
    type = components_.type(LP_KIND_PROVIDER, *v, m.child("provider"));
    if (type) p.provider = *type;
  }
  std::optional<std::int64_t> min;
  std::optional<std::int64_t> max;
  if (const Node* v = m.get("min_instances")) {
    min = read_.integer(*v, m.child("min_instances"), 0, 100000);
    if (min) p.min_instances = static_cast<int>(*min);
  }
  if (const Node* v = m.require("max_instances", "the hard cap on load generators")) {
    max = read_.integer(*v, m.child("max_instances"), 1, 100000);
    if (max) p.max_instances = static_cast<int>(*max);
  }
  if (max && *max < p.min_instances) {
    read_.error(*m.get("max_instances"), m.child("max_instances"),
                fmt::format("must be >= min_instances ({}), found {}", p.min_instances, *max));
  }
  if (const Node* v = m.get("baseline")) {
    const std::string path = m.child("baseline");
    const ScalarType t = scalar_type(*v);
    if (t == ScalarType::kInt) {
      if (auto count = read_.integer(*v, path, 0, 100000)) {
        p.baseline_instances = static_cast<int>(*count);
        if (max && (*count < p.min_instances || *count > p.max_instances)) {
          read_.error(
              *v, path,
              fmt::format("must be between min_instances ({}) and max_instances ({}), found {}",
                          p.min_instances, p.max_instances, *count));
        }
      }
    } else if (v->is_scalar() && t == ScalarType::kString && v->text.size() >= 2 &&
               v->text.size() <= 3 && v->text[0] == 'p' &&
               std::all_of(v->text.begin() + 1, v->text.end(),
                           [](char c) { return c >= '0' && c <= '9'; }) &&
               v->text[1] != '0') {
      const double q = std::stoi(v->text.substr(1)) / 100.0;
      p.baseline_quantile = q;
      if (!plan_.forecast) {
        if (!forecast_given_) {
          read_.error(
              *v, path,
              fmt::format("{} is a forecast quantile, but the plan has no forecast", v->text));
        }
      } else if (quantiles_complete_ &&
                 std::none_of(plan_.forecast->quantiles.begin(), plan_.forecast->quantiles.end(),
                              [&](double x) { return std::abs(x - q) < 1e-9; })) {
        std::vector<std::string> qs;
        for (double x : plan_.forecast->quantiles) qs.push_back(format_number(x));
        read_.error(*v, path,
                    fmt::format("{} needs quantile {} in forecast.quantiles [{}]", v->text,
                                format_number(q), join(qs, ", ")));
      }
    } else if (!v->broken) {
      read_.type_error(*v, path, "a forecast quantile like p10, or an instance count");
    }
  }
  if (const Node* v = m.get("instance_types")) {
    if (const std::vector<Node>* types = read_.list(*v, m.child("instance_types"))) {
      for (std::size_t i = 0; i < types->size() && !diag_.full(); ++i) {
        if (auto s = read_.string((*types)[i], index_path(m.child("instance_types"), i))) {
          p.instance_types.push_back(*s);
        }
      }
    }
  }
  if (const Node* s = m.get("scaling")) {
    MapReader sc(diag_, *s, m.child("scaling"), "provision.scaling");
    if (sc.ok()) {
      if (const Node* prop = sc.get("proportional")) {
        MapReader pr(diag_, *prop, sc.child("proportional"), "provision.scaling.proportional");
        if (const Node* g = pr.require("gain")) {
          if (auto x = read_.number(*g, pr.child("gain"))) {
            if (*x <= 0) {
              read_.error(*g, pr.child("gain"), fmt::format("must be > 0, found {}", g->text));
            } else {
              p.scaling.proportional_gain = x;
            }
          }
        }
      }
      if (const Node* th = sc.get("thresholds")) {
        MapReader t(diag_, *th, sc.child("thresholds"), "provision.scaling.thresholds");
        if (const Node* cpu = t.get("generator_cpu")) {
          const std::string path = t.child("generator_cpu");
          if (const std::vector<Node>* pair = read_.list(*cpu, path)) {
            if (pair->size() != 2) {
              read_.error(*cpu, path,
                          fmt::format("expected [low, high] (two fractions), found {} values",
                                      pair->size()));
            } else {
              auto low = read_.fraction((*pair)[0], index_path(path, 0));
              auto high = read_.fraction((*pair)[1], index_path(path, 1));
              if (low && high && *low >= *high) {
                read_.error((*pair)[1], index_path(path, 1),
                            fmt::format("high ({}) must be above low ({})", format_number(*high),
                                        format_number(*low)));
              } else if (low && high) {
                p.scaling.thresholds.generator_cpu = std::make_pair(*low, *high);
              }
            }
          }
        }
        if (const Node* v = t.get("p99_ms")) {
          if (auto x = read_.number(*v, t.child("p99_ms"))) {
            if (*x <= 0) {
              read_.error(*v, t.child("p99_ms"), fmt::format("must be > 0, found {}", v->text));
            } else {
              p.scaling.thresholds.p99_ms = x;
            }
          }
        }
        if (const Node* v = t.get("error_rate")) {
          if (auto x = read_.fraction(*v, t.child("error_rate"))) {
            if (*x <= 0) {
              read_.error(*v, t.child("error_rate"),
                          fmt::format("must be in (0, 1], found {}", v->text));
            } else {
              p.scaling.thresholds.error_rate = x;
            }
          }
        }
      }
      if (const Node* v = sc.get("cooldown")) {
        if (auto d = read_.duration(*v, sc.child("cooldown"))) p.scaling.cooldown = *d;
      }
    }
  }
  if (type)
    p.config = components_.config(LP_KIND_PROVIDER, *type, m.get("config"), n, m.child("config"));
  plan_.provision = std::move(p);
}

void PlanBuilder::read_shaping(const Node& n) {
  MapReader m(diag_, n, "shaping", "shaping");
  if (!m.ok()) return;
  ShapingSpec s;
  if (const Node* env = m.get("envelope")) {
    MapReader e(diag_, *env, m.child("envelope"), "shaping.envelope");
    auto limit = [&](const char* key, bool fraction) -> std::optional<double> {
      const Node* v = e.get(key);
      if (v == nullptr) return std::nullopt;
      auto x = fraction ? read_.fraction(*v, e.child(key)) : read_.number(*v, e.child(key));
      if (x && *x <= 0) {
        read_.error(*v, e.child(key),
                    fraction ? fmt::format("must be in (0, 1], found {}", v->text)
                             : fmt::format("must be > 0, found {}", v->text));
        return std::nullopt;
      }
      return x;
    };
    s.envelope.target_cpu = limit("target_cpu", true);
    s.envelope.p99_ms = limit("p99_ms", false);
    s.envelope.error_rate = limit("error_rate", true);
    if (e.ok() && env->entries.empty()) {
      read_.error(*env, e.path(), "give at least one of target_cpu, p99_ms, error_rate");
    }
  }
  if (const Node* v = m.get("strategies")) {
    static const std::vector<std::string> kNames = {"rate_limit", "distribution", "prioritization",
                                                    "presoak", "chaos"};
    if (const std::vector<Node>* items = read_.list(*v, m.child("strategies"))) {
      std::set<std::size_t> seen;
      for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
        const std::string path = index_path(m.child("strategies"), i);
        auto k = read_.choice((*items)[i], path, kNames);
        if (!k) continue;
        if (!seen.insert(*k).second) {
          read_.error((*items)[i], path, fmt::format("{} is listed twice", quote(kNames[*k])));
          continue;
        }
        s.strategies.push_back(static_cast<ShapingStrategy>(*k));
      }
    }
  }
  if (const Node* v = m.get("presoak")) {
    MapReader p(diag_, *v, m.child("presoak"), "shaping.presoak");
    if (p.ok()) {
      Presoak presoak;
      if (const Node* r = p.get("rate")) {
        if (auto x = read_.fraction(*r, p.child("rate"))) {
          if (*x <= 0) {
            read_.error(*r, p.child("rate"), fmt::format("must be in (0, 1], found {}", r->text));
          } else {
            presoak.rate = *x;
          }
        }
      }
      if (const Node* d = p.get("duration")) {
        if (auto x = read_.duration(*d, p.child("duration"))) {
          if (x->count() <= 0) {
            read_.error(*d, p.child("duration"), "must be longer than 0s");
          } else {
            presoak.duration = *x;
          }
        }
      }
      s.presoak = presoak;
    }
  }
  plan_.shaping = std::move(s);
}

void PlanBuilder::read_detect(const Entry& e) {
  const std::vector<Node>* items = read_.list(e.value, "detect");
  if (items == nullptr) return;
  IdSet ids("detector type");
  static const std::vector<std::string> kActions = {"log", "stop", "backoff"};
  for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
    const Node& item = (*items)[i];
    MapReader m(diag_, item, index_path("detect", i), "detect[]");
    if (!m.ok()) continue;
    DetectorSpec d;
    const Node* type_node = m.require("detector", "a detector plugin type, e.g. ewma");
    std::optional<std::string> type;
    if (type_node) type = components_.type(LP_KIND_DETECTOR, *type_node, m.child("detector"));
    if (type) d.detector = *type;
    if (auto id = element_id(m, type, type_node ? *type_node : item, ids)) d.id = *id;
    if (const Node* v = m.require("metrics", "the KPIs to watch, e.g. [p99_ms, error_rate]")) {
      if (const std::vector<Node>* metrics = read_.list(*v, m.child("metrics"))) {
        if (metrics->empty()) read_.error(*v, m.child("metrics"), "needs at least one metric");
        for (std::size_t j = 0; j < metrics->size() && !diag_.full(); ++j) {
          const std::string path = index_path(m.child("metrics"), j);
          auto name = read_.string((*metrics)[j], path);
          if (name && check_metric(*name, (*metrics)[j].loc, path, "metric")) {
            d.metrics.push_back(*name);
          }
        }
      }
    }
    if (const Node* v = m.get("on_alert")) {
      if (const std::vector<Node>* actions = read_.list(*v, m.child("on_alert"))) {
        d.on_alert.clear();
        std::set<std::size_t> seen;
        for (std::size_t j = 0; j < actions->size() && !diag_.full(); ++j) {
          const std::string path = index_path(m.child("on_alert"), j);
          auto k = read_.choice((*actions)[j], path, kActions);
          if (!k) continue;
          if (!seen.insert(*k).second) {
            read_.error((*actions)[j], path,
                        fmt::format("{} is listed twice", quote(kActions[*k])));
            continue;
          }
          d.on_alert.push_back(static_cast<AlertAction>(*k));
        }
      }
    }
    if (const Node* v = m.get("webhook")) {
      if (auto url = read_.url(*v, m.child("webhook"))) d.webhook = *url;
    }
    if (const Node* v = m.get("forecaster")) {
      if (auto f = components_.type(LP_KIND_FORECASTER, *v, m.child("forecaster")))
        d.forecaster = *f;
    }
    if (const Node* v = m.get("interval")) {
      if (auto x = read_.fraction(*v, m.child("interval"))) {
        if (*x <= 0 || *x >= 1) {
          read_.error(*v, m.child("interval"),
                      fmt::format("must be between 0 and 1, found {}", v->text));
        } else {
          d.interval = *x;
        }
      }
    }
    if (type)
      d.config =
          components_.config(LP_KIND_DETECTOR, *type, m.get("config"), item, m.child("config"));
    plan_.detect.push_back(std::move(d));
  }
}

}  // namespace lp::plan
