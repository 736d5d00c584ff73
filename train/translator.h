// Translator: a sequence-to-sequence model together with what turns text into its token ids and
// back.
//
//   "Ein Hund läuft."  --source tokenizer-->  Ein Hund läuft .  --vocabulary-->  [57 301 988 4]
//   model: source ids -> target ids (greedy or beam search, models/decoding/)
//   [12 40 77 5 2]  --vocabulary-->  A dog runs . <eos>  --target tokenizer-->  "A dog runs."
//
// The model is any architecture of the model registry (models/registry.h). A model directory
// holds everything needed to use it again:
//   config.json         "model": the architecture and its settings; "source" and "target": each
//                       side's tokenizer and vocabulary; "length_limit": the longest translation
//                       for a source length, learned from the training pairs (length_limit.h);
//                       "training": the run's saved settings
//   model.safetensors   the weights (the best ones seen in training)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"
#include "nn/settings.h"
#include "train/io/json.h"
#include "train/length_limit.h"
#include "train/text/tokenizer.h"
#include "train/text/vocabulary.h"

namespace attn {

// One language's text handling.
struct TextSide {
  std::shared_ptr<const Tokenizer> tokenizer;
  Vocabulary vocabulary;
};

// Where the decoder looked while translating one sentence.
struct AttentionMap {
  Tensor steps;  // [T, layers, heads, S]: the cross-attention that produced each target token
  std::vector<std::string> target_tokens;  // T generated tokens as a reader writes them, <eos> too
  std::vector<std::string> source_tokens;  // S source tokens as a reader writes them
  std::string translation;

  int64_t layers() const { return steps.size(1); }
  int64_t heads() const { return steps.size(2); }
  // One layer's weights [T, S]: head `head`, or the mean over the heads when head < 0. Throws
  // naming the layer or head out of range.
  Tensor weights(int64_t layer, int64_t head = -1) const;
};

struct TranslateOptions {
  int64_t beam_size = 1;        // 1: greedy decoding
  real length_penalty = 0.6;    // alpha of Wu et al. 2016; used by beam search only
  int64_t max_length = 0;       // 0: the model's LengthLimit for each sentence's length
  int64_t batch_size = 32;      // sentences decoded together

  Settings settings();  // for `attn translate`: --beam, --length-penalty, --max-len, --batch
};

class Translator {
 public:
  // `config` is any architecture's; its vocabulary sizes must be the two sides'. `limit`: the
  // longest translations (none learned: the rule of earlier model directories).
  Translator(const ModelConfig& config, TextSide source, TextSide target,
             LengthLimit limit = {});

  // Loads DIR/config.json and the weights file DIR/<weights>; errors name the file and, for a
  // weight that does not fit, the tensor and both shapes.
  static std::unique_ptr<Translator> load(const std::string& dir,
                                          const std::string& weights = "model.safetensors");
  // Builds the model DIR/config.json describes, with freshly initialised weights.
  static std::unique_ptr<Translator> from_config(const std::string& dir);
  // Writes the model's weights to DIR/<weights> (atomically).
  void save_weights(const std::string& dir, const std::string& weights = "model.safetensors") const;

  Seq2Seq& model() { return *model_; }
  const ModelConfig& config() const { return *config_; }
  const TextSide& source() const { return source_; }
  const TextSide& target() const { return target_; }
  const LengthLimit& length_limit() const { return length_limit_; }
  void set_length_limit(const LengthLimit& limit) { length_limit_ = limit; }

  // Text -> ids, cut to the model's max_length.
  std::vector<int64_t> encode_source(const std::string& sentence) const;
  // Ids -> text, stopping at <eos>.
  std::string decode_target(const std::vector<int64_t>& ids) const;

  // Translates sentences in order, in batches of similar length.
  std::vector<std::string> translate(const std::vector<std::string>& sentences,
                                     const TranslateOptions& options = {});

  // Translates `sentence` greedily and keeps the cross-attention that produced each token, of
  // every layer and head. max_length 0: the model's LengthLimit.
  AttentionMap attention_map(const std::string& sentence, int64_t max_length = 0);
  // The cross-attention of the model reading `reference` as its own output (teacher forcing):
  // each step's input is the reference's previous token, not the model's choice, so row j is
  // the attention that predicts reference token j (the last row <eos>'s) even where the model
  // would translate differently. The map's translation is the reference. Throws when the
  // reference has no tokens or, with <eos>, more than the model's max_length.
  AttentionMap forced_attention_map(const std::string& sentence, const std::string& reference);

  // {"model": ..., "source": ..., "target": ..., "length_limit": ... (when learned)}
  Json to_json() const;

 private:
  // The most tokens to decode for a source of `source_length` tokens: `max_length`, or when it
  // is 0 the learned limit; at most the model's positions.
  int64_t limit_for(int64_t source_length, int64_t max_length) const;

  std::unique_ptr<ModelConfig> config_;
  TextSide source_;
  TextSide target_;
  LengthLimit length_limit_;
  std::unique_ptr<Seq2Seq> model_;
};

// A model configuration as config.json's "model" object, and back. Reading builds the config of
// the architecture the object names ("arch"; files written before there was a choice are
// Transformers) and reads its settings; `where` names the object in errors.
Json model_config_to_json(ModelConfig& config);
std::unique_ptr<ModelConfig> model_config_from_json(const Json& json, const std::string& where);

}  // namespace attn
