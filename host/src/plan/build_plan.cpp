// The run itself: name, timing, target, tools, load, profile, chaos, store, criteria.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "plan_builder.hpp"

namespace lp::plan {
namespace {

using namespace std::chrono_literals;

bool valid_plan_name(const std::string& s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

PlanBuilder::PlanBuilder(Diagnostics& diag, const PlanContext& ctx, const PlanFiles& files)
    : diag_(diag), ctx_(ctx), files_(files), read_(diag), components_(diag, ctx.catalog) {}

void PlanBuilder::IdSet::add(Diagnostics& diag, const Node& at, const std::string& id,
                             const std::string& path, bool defaulted) {
  auto [it, inserted] = first_.emplace(id, path);
  if (inserted) return;
  std::string message = fmt::format("duplicate id {} (also used by {})", quote(id), it->second);
  if (defaulted) {
    message += fmt::format("; the id defaults to the {}, so give each one an \"id\"", type_key_);
  }
  diag.error(at.loc, defaulted ? path : join_path(path, "id"), std::move(message));
}

std::filesystem::path PlanBuilder::resolve(const Node& n, const std::string& written) const {
  const std::filesystem::path p(written);
  if (p.is_absolute()) return p.lexically_normal();
  return (files_.file(n.loc.file).dir / p).lexically_normal();
}

TestPlan PlanBuilder::build(const Node& root) {
  plan_ = TestPlan{};
  if (!files_.files().empty()) plan_.file = files_.file(0).label;
  for (std::size_t i = 1; i < files_.files().size(); ++i) {
    plan_.includes.push_back(files_.files()[i].label);
  }
  if (root.is_null()) {
    diag_.error(Loc{0, 1, 1}, "",
                "the plan is empty; it needs at least name, target, tools and load");
    return plan_;
  }
  MapReader top(diag_, root, "", "");
  if (!top.ok()) return plan_;
  read_top(top);
  return plan_;
}

void PlanBuilder::read_top(MapReader& top) {
  if (const Node* n = top.require("name")) {
    if (auto s = read_.string(*n, "name")) {
      if (valid_plan_name(*s)) {
        plan_.name = *s;
      } else {
        read_.error(
            *n, "name",
            fmt::format("expected lowercase letters, digits, \".\", \"_\" or \"-\", found {}",
                        quote(*s)));
      }
    }
  }
  if (const Node* n = top.get("description")) {
    if (auto s = read_.string(*n, "description")) plan_.description = *s;
  }
  if (const Node* n = top.get("duration")) {
    if (auto d = read_.duration(*n, "duration")) {
      if (d->count() <= 0) {
        read_.error(*n, "duration", "must be longer than 0s");
      } else {
        plan_.duration = d;
      }
    }
  }
  if (const Node* n = top.get("tick")) {
    if (auto d = read_.duration(*n, "tick")) {
      if (*d < 100ms || *d > 10s) {
        read_.error(*n, "tick",
                    fmt::format("must be between 100ms and 10s, found {}", format_duration(*d)));
      } else {
        plan_.tick = *d;
      }
    }
  }
  if (const Node* n = top.require("target")) read_target(*n);
  if (const Node* n = top.get("vectors")) {
    MapReader m(diag_, *n, "vectors", "vectors");
    if (const Node* dir = m.get("dir")) {
      vectors_dir_node_ = dir;
      if (!read_.string(*dir, "vectors.dir")) vectors_dir_invalid_ = true;
    }
    if (!m.ok()) vectors_dir_invalid_ = true;
  }
  // Sources first: detectors, criteria and forecast.history refer to them.
  if (const Entry* e = top.entry("sources")) read_sources(*e);
  if (const Entry* e = top.entry("tools")) {
    read_tools(*e);
  } else {
    top.require("tools");
  }
  if (const Node* n = top.require("load", "the offered load and its hard cap")) read_load(*n);
  forecast_given_ = top.get("forecast") != nullptr;
  if (const Node* n = top.get("forecast")) read_forecast(*n);
  if (const Node* n = top.get("provision")) read_provision(*n);
  if (const Node* n = top.get("shaping")) read_shaping(*n);
  if (const Node* n = top.get("profile")) read_profile(*n);
  if (const Entry* e = top.entry("detect")) read_detect(*e);
  if (const Entry* e = top.entry("chaos")) read_chaos(*e);
  if (const Node* n = top.get("store")) read_store(*n);
  if (const Entry* e = top.entry("criteria")) read_criteria(*e);

  const bool has_sequence = top.get("profile") != nullptr;
  if (!top.get("duration") && !has_sequence) {
    top.require("duration", "or a profile whose vectors set it");
  }
}

void PlanBuilder::read_target(const Node& n) {
  MapReader m(diag_, n, "target", "target");
  if (const Node* u = m.require("base_url")) {
    if (auto url = read_.url(*u, m.child("base_url"))) plan_.target.base_url = *url;
  }
  const Node* demo_node = m.get("demo");
  if (demo_node == nullptr) return;
  MapReader d(diag_, *demo_node, "target.demo", "target.demo");
  if (!d.ok()) return;
  DemoTarget demo;
  if (const Node* v = d.get("start"))
    demo.start = read_.boolean(*v, d.child("start")).value_or(true);
  if (const Node* v = d.get("port")) {
    demo.port = static_cast<int>(read_.integer(*v, d.child("port"), 0, 65535).value_or(demo.port));
  }
  if (const Node* v = d.get("workers")) {
    demo.workers =
        static_cast<int>(read_.integer(*v, d.child("workers"), 1, 1024).value_or(demo.workers));
  }
  if (const Node* v = d.get("service_time_ms")) {
    if (auto x = read_.number(*v, d.child("service_time_ms"))) {
      if (*x < 0) {
        read_.error(*v, d.child("service_time_ms"), fmt::format("must be >= 0, found {}", v->text));
      } else {
        demo.service_time_ms = *x;
      }
    }
  }
  if (const Node* v = d.get("queue")) {
    demo.queue =
        static_cast<int>(read_.integer(*v, d.child("queue"), 0, 1000000).value_or(demo.queue));
  }
  if (const Node* v = d.get("fail_rate")) {
    demo.fail_rate = read_.fraction(*v, d.child("fail_rate")).value_or(demo.fail_rate);
  }
  plan_.target.demo = demo;
}

const VectorIndex* PlanBuilder::vector_index(const Node& first_reference, const std::string& path) {
  if (vectors_) return &*vectors_;
  if (vectors_dir_invalid_) return nullptr;
  std::error_code ec;
  if (vectors_dir_node_ != nullptr) {
    const auto dir = resolve(*vectors_dir_node_, vectors_dir_node_->text);
    if (!std::filesystem::is_directory(dir, ec)) {
      read_.error(*vectors_dir_node_, "vectors.dir",
                  fmt::format("directory {} does not exist", quote(vectors_dir_node_->text)));
      vectors_dir_invalid_ = true;
      return nullptr;
    }
    vectors_ = scan_vectors(dir);
  } else {
    const auto beside = files_.file(0).dir / "vectors";
    const auto in_repo = ctx_.repo_dir / "vectors";
    if (std::filesystem::is_directory(beside, ec)) {
      vectors_ = scan_vectors(beside);
    } else if (!ctx_.repo_dir.empty() && std::filesystem::is_directory(in_repo, ec)) {
      vectors_ = scan_vectors(in_repo);
    } else {
      if (!reported_missing_vector_dir_) {
        read_.error(first_reference, path,
                    "no Load Vector directory: set vectors.dir, or add vectors/ beside the plan");
        reported_missing_vector_dir_ = true;
      }
      return nullptr;
    }
  }
  plan_.vector_dir = vectors_->dir;
  for (const std::string& problem : vectors_->problems) {
    const Loc loc = vectors_dir_node_ ? vectors_dir_node_->loc : first_reference.loc;
    diag_.warning(loc, vectors_dir_node_ ? "vectors.dir" : path, problem);
  }
  return &*vectors_;
}

bool PlanBuilder::check_vector(const Node& n, const std::string& path) {
  auto id = read_.string(n, path);
  if (!id) return false;
  const VectorIndex* index = vector_index(n, path);
  if (index == nullptr) return false;
  auto it = index->files.find(*id);
  if (it != index->files.end()) {
    plan_.vector_files[*id] = it->second;
    return true;
  }
  const std::vector<std::string> ids = index->ids();
  std::string hint = suggestion(*id, ids, "defined vectors are");
  if (ids.empty()) hint = "; the vector directory has none";
  read_.error(n, path,
              fmt::format("references vector {} which is not defined{}", quote(*id), hint));
  return false;
}

std::optional<std::string> PlanBuilder::element_id(MapReader& m,
                                                   const std::optional<std::string>& type,
                                                   const Node& type_node, IdSet& ids) {
  if (const Node* n = m.get("id")) {
    auto id = read_.id(*n, m.child("id"));
    if (id) ids.add(diag_, *n, *id, m.path(), false);
    return id;
  }
  // An unknown type still names the element, so its other errors read well.
  std::string fallback = type ? *type : (type_node.is_scalar() ? type_node.text : std::string());
  if (fallback.empty()) return std::nullopt;
  ids.add(diag_, m.node(), fallback, m.path(), true);
  return fallback;
}

void PlanBuilder::read_tools(const Entry& e) {
  const std::vector<Node>* items = read_.list(e.value, "tools");
  if (items == nullptr) return;
  if (items->empty()) {
    read_.error(e.value, "tools", "needs at least one tool");
    return;
  }
  IdSet ids("tool type");
  std::vector<std::optional<double>> shares;
  bool shares_valid = true;
  for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
    const Node& item = (*items)[i];
    MapReader m(diag_, item, index_path("tools", i), "tools[]");
    if (!m.ok()) {
      shares_valid = false;
      continue;
    }
    ToolSpec tool;
    const Node* type_node = m.require("tool", "a tool plugin type, e.g. native or locust");
    std::optional<std::string> type;
    if (type_node) type = components_.type(LP_KIND_TOOL, *type_node, m.child("tool"));
    if (type) tool.tool = *type;
    if (auto id = element_id(m, type, type_node ? *type_node : item, ids)) tool.id = *id;
    const Node* suite = m.get("suite");
    const Node* vectors = m.get("vectors");
    if (suite && vectors) {
      read_.error(*vectors, m.child("vectors"), "give either \"suite\" or \"vectors\", not both");
    } else if (!suite && !vectors) {
      read_.error(item, m.path(),
                  "needs a \"suite\" (a load-test suite file) or \"vectors\" (Load Vector ids)");
    }
    if (suite) {
      if (auto s = read_.string(*suite, m.child("suite"))) {
        const auto full = resolve(*suite, *s);
        std::error_code ec;
        if (!std::filesystem::exists(full, ec)) {
          read_.error(*suite, m.child("suite"), fmt::format("suite {} does not exist", quote(*s)));
        }
        tool.suite = full;
      }
    }
    if (vectors) {
      if (const std::vector<Node>* refs = read_.list(*vectors, m.child("vectors"))) {
        if (refs->empty())
          read_.error(*vectors, m.child("vectors"), "needs at least one vector id");
        for (std::size_t j = 0; j < refs->size() && !diag_.full(); ++j) {
          const std::string path = index_path(m.child("vectors"), j);
          check_vector((*refs)[j], path);
          if ((*refs)[j].is_scalar()) tool.vectors.push_back((*refs)[j].text);
        }
      }
    }
    std::optional<double> share;
    if (const Node* s = m.get("share")) {
      share = read_.fraction(*s, m.child("share"));
      if (share && *share <= 0) {
        read_.error(*s, m.child("share"), fmt::format("must be in (0, 1], found {}", s->text));
        share.reset();
      }
      if (!share) shares_valid = false;
    }
    shares.push_back(share);
    if (type)
      tool.config =
          components_.config(LP_KIND_TOOL, *type, m.get("config"), item, m.child("config"));
    plan_.tools.push_back(std::move(tool));
  }

  // Shares: all or none; all of them add up to 1.
  const auto given =
      std::count_if(shares.begin(), shares.end(), [](auto& s) { return s.has_value(); });
  if (!shares_valid || shares.size() != plan_.tools.size()) return;
  if (given == 0) {
    for (ToolSpec& t : plan_.tools) t.share = 1.0 / static_cast<double>(plan_.tools.size());
    return;
  }
  if (static_cast<std::size_t>(given) != shares.size()) {
    for (std::size_t i = 0; i < shares.size(); ++i) {
      if (!shares[i]) {
        read_.error((*items)[i], index_path("tools", i),
                    "has no \"share\" while other tools do; give every tool a share, or none for "
                    "an equal split");
      }
    }
    return;
  }
  double sum = 0;
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < shares.size(); ++i) {
    sum += *shares[i];
    plan_.tools[i].share = *shares[i];
    parts.push_back(
        fmt::format("{} {}", plan_.tools[i].id.empty() ? index_path("tools", i) : plan_.tools[i].id,
                    format_number(*shares[i])));
  }
  if (std::abs(sum - 1.0) > 1e-6) {
    diag_.error(e.key_loc, "tools",
                fmt::format("shares add up to {:.10g}, not 1 ({})", sum, join(parts, " + ")));
  }
}

void PlanBuilder::read_load(const Node& n) {
  MapReader m(diag_, n, "load", "load");
  if (!m.ok()) return;
  LoadSpec load;
  if (const Node* v = m.get("model")) {
    if (auto i = read_.choice(*v, m.child("model"), {"open", "closed"})) {
      load.model = *i == 0 ? LoadModel::kOpen : LoadModel::kClosed;
    }
  }
  auto positive = [&](const char* key) -> std::optional<double> {
    const Node* v = m.get(key);
    if (v == nullptr) return std::nullopt;
    auto x = read_.number(*v, m.child(key));
    if (x && *x <= 0) {
      read_.error(*v, m.child(key), fmt::format("must be > 0, found {}", v->text));
      return std::nullopt;
    }
    return x;
  };
  load.rate = positive("rate");
  load.max_rate = positive("max_rate");
  if (const Node* v = m.get("concurrency")) {
    auto c = read_.integer(*v, m.child("concurrency"), 1, 10000000);
    if (c) load.concurrency = static_cast<int>(*c);
  }
  if (load.model == LoadModel::kOpen && m.get("max_rate") == nullptr) {
    m.require("max_rate", "the hard cap on offered requests/s; required when model is open");
  }
  if (load.model == LoadModel::kClosed && m.get("concurrency") == nullptr) {
    m.require("concurrency", "the number of users; required when model is closed");
  }
  if (load.rate && load.max_rate && *load.rate > *load.max_rate) {
    read_.error(*m.get("rate"), m.child("rate"),
                fmt::format("{} exceeds max_rate ({})", format_number(*load.rate),
                            format_number(*load.max_rate)));
  }
  plan_.load = load;
}

void PlanBuilder::read_profile(const Node& n) {
  MapReader m(diag_, n, "profile", "profile");
  if (!m.ok()) return;
  ProfileSpec p;
  if (const Node* v = m.get("start_time"))
    p.start_time = read_.timestamp(*v, m.child("start_time"));
  if (const Node* v = m.require("vector_sequence", "the Load Vector ids to run in order")) {
    if (const std::vector<Node>* refs = read_.list(*v, m.child("vector_sequence"))) {
      if (refs->empty())
        read_.error(*v, m.child("vector_sequence"), "needs at least one vector id");
      for (std::size_t j = 0; j < refs->size() && !diag_.full(); ++j) {
        const std::string at = index_path(m.child("vector_sequence"), j);
        if (check_vector((*refs)[j], at)) check_carried((*refs)[j], at);
        if ((*refs)[j].is_scalar()) p.vector_sequence.push_back((*refs)[j].text);
      }
    }
  }
  if (const Node* v = m.get("transition_delay_sec")) {
    if (auto x = read_.number(*v, m.child("transition_delay_sec"))) {
      if (*x < 0 || *x > 86400) {
        read_.error(*v, m.child("transition_delay_sec"),
                    fmt::format("must be between 0 and 86400 seconds, found {}", v->text));
      } else {
        p.transition_delay = Duration(static_cast<std::int64_t>(std::llround(*x * 1000)));
      }
    }
  }
  if (const Node* v = m.get("skip_on_error_rate")) {
    p.skip_on_error_rate = read_.fraction(*v, m.child("skip_on_error_rate"));
  }
  if (const Node* v = m.get("on_high_error")) {
    if (auto i = read_.choice(*v, m.child("on_high_error"), {"skip", "shorten"})) {
      p.on_high_error = *i == 0 ? OnHighError::kSkip : OnHighError::kShorten;
    }
  }
  plan_.profile = std::move(p);
}

// A profile vector must be carried by some tool: one that lists it, or a
// suite-driven tool, which follows every step's rate with its suite's own mix.
void PlanBuilder::check_carried(const Node& n, const std::string& path) {
  if (plan_.tools.empty()) return;  // "tools" is reported missing on its own
  std::vector<std::string> listed;
  for (const auto& t : plan_.tools) {
    if (t.vectors.empty()) return;  // a suite-driven tool carries every step
    if (std::find(t.vectors.begin(), t.vectors.end(), n.text) != t.vectors.end()) return;
    listed.push_back(fmt::format("{} has [{}]", t.id, fmt::join(t.vectors, ", ")));
  }
  read_.error(n, path,
              fmt::format("vector \"{}\" is sent by no tool: add it to a tool's vectors ({})",
                          n.text, fmt::join(listed, "; ")));
}

void PlanBuilder::read_chaos(const Entry& e) {
  const std::vector<Node>* items = read_.list(e.value, "chaos");
  if (items == nullptr) return;
  static const std::vector<std::string> kKinds = {"latency", "errors", "kill_generator", "cpu_hog"};
  // Which of the kind-specific keys each kind takes.
  static const std::map<std::string, std::set<std::string>> kAllowed = {
      {"latency", {"duration", "ms"}},
      {"errors", {"duration", "rate"}},
      {"kill_generator", {"count"}},
      {"cpu_hog", {"duration", "load"}},
  };
  static const std::vector<std::string> kSpecific = {"duration", "ms", "rate", "load", "count"};
  for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
    const Node& item = (*items)[i];
    MapReader m(diag_, item, index_path("chaos", i), "chaos[]");
    if (!m.ok()) continue;
    ChaosSpec c;
    bool ok = true;
    if (const Node* v = m.require("at", "when, from the start of the run")) {
      if (auto d = read_.duration(*v, m.child("at"))) {
        c.at = *d;
        if (plan_.duration && *d >= *plan_.duration) {
          read_.error(*v, m.child("at"),
                      fmt::format("{} is not before the end of the run (duration {})",
                                  format_duration(*d), format_duration(*plan_.duration)));
        }
      }
    }
    const Node* kind_node = m.require("kind", "latency, errors, kill_generator or cpu_hog");
    std::optional<std::size_t> kind;
    if (kind_node) kind = read_.choice(*kind_node, m.child("kind"), kKinds);
    if (!kind) ok = false;
    if (ok) {
      c.kind = static_cast<ChaosKind>(*kind);
      const std::string& name = kKinds[*kind];
      const std::set<std::string>& allowed = kAllowed.at(name);
      for (const std::string& key : kSpecific) {
        const Entry* k = m.entry(key);
        if (k != nullptr && allowed.count(key) == 0) {
          diag_.error(k->key_loc, m.path(),
                      fmt::format("{} does not apply to kind {}", quote(key), name));
        }
      }
      if (allowed.count("duration")) {
        if (const Node* v = m.require("duration", "how long the fault lasts")) {
          if (auto d = read_.duration(*v, m.child("duration"))) {
            if (d->count() <= 0) {
              read_.error(*v, m.child("duration"), "must be longer than 0s");
            } else {
              c.duration = d;
            }
          }
        }
      }
      if (name == "latency") {
        if (const Node* v = m.require("ms", "the latency added, in milliseconds")) {
          if (auto x = read_.number(*v, m.child("ms"))) {
            if (*x <= 0) {
              read_.error(*v, m.child("ms"), fmt::format("must be > 0, found {}", v->text));
            } else {
              c.ms = x;
            }
          }
        }
      } else if (name == "errors") {
        if (const Node* v = m.require("rate", "the fraction of requests that fail")) {
          c.rate = read_.fraction(*v, m.child("rate"));
        }
      } else if (name == "cpu_hog") {
        if (const Node* v = m.get("load")) c.load = read_.fraction(*v, m.child("load"));
      } else if (name == "kill_generator") {
        if (const Node* v = m.get("count")) {
          if (auto x = read_.integer(*v, m.child("count"), 1, 1000)) c.count = static_cast<int>(*x);
        }
      }
    }
    plan_.chaos.push_back(c);
  }
}

void PlanBuilder::read_store(const Node& n) {
  MapReader m(diag_, n, "store", "store");
  if (!m.ok()) return;
  if (const Node* v = m.get("dir")) {
    if (auto s = read_.string(*v, m.child("dir"))) plan_.store.dir = resolve(*v, *s);
  }
  const Node* sinks = m.get("sinks");
  if (sinks == nullptr) return;
  const std::vector<Node>* items = read_.list(*sinks, m.child("sinks"));
  if (items == nullptr) return;
  IdSet ids("sink type");
  for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
    const Node& item = (*items)[i];
    MapReader s(diag_, item, index_path("store.sinks", i), "store.sinks[]");
    if (!s.ok()) continue;
    SinkSpec sink;
    const Node* type_node = s.require("sink", "a sink plugin type, e.g. influx");
    std::optional<std::string> type;
    if (type_node) type = components_.type(LP_KIND_SINK, *type_node, s.child("sink"));
    if (type) sink.sink = *type;
    if (auto id = element_id(s, type, type_node ? *type_node : item, ids)) sink.id = *id;
    if (type)
      sink.config =
          components_.config(LP_KIND_SINK, *type, s.get("config"), item, s.child("config"));
    plan_.store.sinks.push_back(std::move(sink));
  }
}

bool PlanBuilder::check_metric(std::string_view name, const Loc& loc, const std::string& path,
                               std::string_view what) {
  const std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) {
    const auto& kpis = kpi_names();
    if (std::find(kpis.begin(), kpis.end(), name) != kpis.end()) return true;
    diag_.error(loc, path,
                fmt::format("unknown {} {}{}", what, quote(name),
                            suggestion(name, kpis, "known KPIs are") +
                                (closest(name, kpis) ? "" : ", or <source id>.<metric>")));
    return false;
  }
  const std::string source(name.substr(0, dot));
  if (sources_.count(source) || sources_broken_) return true;
  std::vector<std::string> ids;
  for (const auto& [id, p] : sources_) ids.push_back(id);
  std::string hint = suggestion(source, ids, "defined sources are");
  if (ids.empty()) hint = "; no sources are defined";
  diag_.error(loc, path,
              fmt::format("{} {} references source {} which is not defined{}", what, quote(name),
                          quote(source), hint));
  return false;
}

void PlanBuilder::read_criteria(const Entry& e) {
  const std::vector<Node>* items = read_.list(e.value, "criteria");
  if (items == nullptr) return;
  for (std::size_t i = 0; i < items->size() && !diag_.full(); ++i) {
    const Node& item = (*items)[i];
    const std::string path = index_path("criteria", i);
    auto text = read_.string(item, path);
    if (!text) continue;
    // Columns inside the expression; exact for single-line scalars.
    auto at = [&](std::size_t offset) {
      Loc loc = item.loc;
      if (text->find('\n') == std::string::npos) {
        loc.column +=
            static_cast<int>(std::min<std::size_t>(offset, 100000)) + (item.plain ? 0 : 1);
      }
      return loc;
    };
    auto parsed = Criterion::parse(*text);
    if (auto* err = std::get_if<CriterionSyntaxError>(&parsed)) {
      diag_.error(at(err->offset), path, err->message);
      continue;
    }
    Criterion& c = std::get<Criterion>(parsed);
    bool ok = true;
    for (const Criterion::Identifier& id : c.identifiers()) {
      ok = check_metric(id.name, at(id.offset), path, "KPI") && ok;
    }
    if (ok) plan_.criteria.push_back(std::move(c));
  }
}

}  // namespace lp::plan
