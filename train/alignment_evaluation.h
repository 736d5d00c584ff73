// Evaluating a translation model against gold alignments: how often it translates right, and
// how well its cross-attention aligns (the measures of train/metrics/alignment_score.h). The
// library side of `attn align`.
//
// Two decodings, each for what it measures:
//   exact match   free greedy decoding, the model's own translation compared with the target;
//   alignment     teacher forcing on the target (Translator::forced_attention_map): the decoder
//                 reads the target as if it had written it, so target token j is the gold
//                 alignment's token j even where the model would have erred; a wrong or shorter
//                 translation would leave gold links pointing at tokens it never produced.
//
// The gold positions count characters, so both of the model's tokenizers must be char (the
// dates models are); a model with BPE or word tokens is refused.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/data/aligned_corpus.h"
#include "train/io/json.h"
#include "train/metrics/alignment_score.h"
#include "train/translator.h"

namespace attn {

// Throws unless both of the translator's tokenizers are char, whose tokens are the characters
// that gold positions count.
void check_character_model(const Translator& translator);

// The cross-attention of `translator` reading the pair's target (Translator::
// forced_attention_map), [T, layers, heads, S] with S the source's characters. Throws when the
// source is longer than the model reads (it would be cut, and gold links would point past it).
AttentionMap aligned_attention_map(Translator& translator, const AlignedPair& pair);

struct AlignmentEvaluation {
  int64_t sentences = 0;
  int64_t exact_matches = 0;  // greedy translations equal to the target
  AlignmentScore score;       // of the cross-attention on the targets

  double exact_match() const;  // exact_matches / sentences
};

// Evaluates `translator` on `pairs`, decoding `batch_size` sentences together. Errors name
// `where` and the pair's line ("test.tsv:12: ..."): a source longer than the model reads, a
// target it cannot read.
AlignmentEvaluation evaluate_alignment(Translator& translator,
                                       const std::vector<AlignedPair>& pairs,
                                       const std::string& where, int64_t batch_size = 32);

// {"sentences", "exact_match", "aligned_tokens", "gold_links", "aer_floor", "even_gold_mass",
//  "layers": [{"heads": [{"gold_mass", "aer"}, ...], "head_mean": {"gold_mass", "aer"}}, ...]}
Json alignment_evaluation_to_json(const AlignmentEvaluation& evaluation);

}  // namespace attn
