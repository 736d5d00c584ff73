// The registry: every score function attn knows, in one explicit table (see registry.h).
//
// To add a variant: write its header in scores/, #include it below, and add one line to the
// table. Nothing registers itself: a static library drops translation units nobody references,
// so self-registering variants would silently vanish from some binaries.
#include "nn/attention/registry.h"

#include "nn/attention/scores/additive.h"
#include "nn/attention/scores/alibi.h"
#include "nn/attention/scores/cosine.h"
#include "nn/attention/scores/dot.h"
#include "nn/attention/scores/general.h"
#include "nn/attention/scores/learned_temperature.h"
#include "nn/attention/scores/location.h"
#include "nn/attention/scores/location_aware.h"
#include "nn/attention/scores/scaled_dot.h"
#include "tensor/error.h"

namespace attn {

namespace {

template <typename Score>
std::unique_ptr<ScoreFunction> make(const ScoreSpec& spec) {
  return std::make_unique<Score>(spec);
}

}  // namespace

const std::vector<ScoreEntry>& score_functions() {
  static const std::vector<ScoreEntry> table = {
      {"dot", "e = q.k   (Luong et al. 2015)", make<DotScore>},
      {"scaled_dot", "e = q.k / sqrt(d_k)   (Vaswani et al. 2017)", make<ScaledDotScore>},
      {"general", "e = q^T W k   (Luong et al. 2015)", make<GeneralScore>},
      {"additive", "e = v^T tanh(W_q q + W_k k)   (Bahdanau et al. 2014)", make<AdditiveScore>},
      {"cosine", "e = beta * cos(q, k)   (Graves et al. 2014)", make<CosineScore>},
      {"location", "e = (W_a q)[s], keys unused   (Luong et al. 2015)", make<LocationScore>},
      {"learned_temperature", "e = q.k / tau, tau learned   (after Vaswani et al. 2017)",
       make<LearnedTemperatureScore>},
      {"alibi", "e = q.k / sqrt(d_k) - m_h |i - j|   (Press et al. 2022)", make<AlibiScore>},
      {"location_aware", "e = w^T tanh(W q + V k + U (F * a_prev))   (Chorowski et al. 2015)",
       make<LocationAwareScore>},
  };
  return table;
}

void check_no_settings(const ScoreSpec& spec, const std::string& owner) {
  check(spec.settings.empty(), owner,
        [&] { return "takes no settings, got '" + spec.settings + "'"; });
}

std::unique_ptr<ScoreFunction> make_score_function(const std::string& name, ScoreSpec spec) {
  const size_t colon = name.find(':');
  const std::string base = name.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string own = name.substr(colon + 1);
    spec.settings += (spec.settings.empty() || own.empty() ? "" : ",") + own;
  }
  std::string known;
  for (const ScoreEntry& entry : score_functions()) {
    if (entry.name == base) return entry.make(spec);
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw Error("make_score_function: unknown score function '" + base + "'; known: " + known);
}

void check_score_name(const std::string& name) {
  ScoreSpec spec;
  spec.query_dim = spec.key_dim = 4;
  make_score_function(name, spec);
}

Setting score_setting(std::string& field, const std::string& help) {
  return custom_setting(
      "score", SettingKind::text, help, [&field] { return field; },
      [&field](const std::string& text) {
        check_score_name(text);
        field = text;
      });
}

}  // namespace attn
