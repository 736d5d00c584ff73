// The end-to-end memory network's configuration (Sukhbaatar, Szlam, Weston & Fergus 2015).
//
// Each option is one of the paper's choices, with its default; the defaults together are the
// paper's best single-task bAbI model, "PE LS RN" with 3 hops and adjacent tying (§4, Table 1):
//
//   embedding       d = 20 (§4.2; 50 for the joint model)
//   hops            K = 3 (§2.2)
//   memory_size     the 50 most recent sentences (§4.2)
//   empty_slots     the slots a short story leaves empty (memory_size - S of them) take part in
//                   the softmax with score 0, as in the reference code's fixed-size memory
//   encoding        bow: m_i = sum_j A x_ij;  pe: m_i = sum_j l_j * A x_ij (§4.1; memn2n.h)
//   temporal        m_i += T_A(i), c_i += T_C(i), i the sentence's distance from the question (§4.1)
//   random_noise    10% empty memories inserted while training, to regularise T_A (§4.1, RN)
//   tying           adjacent: A^{k+1} = C^k, W^T = C^K, B = A^1;
//                   layerwise: one A and one C for all hops, u^{k+1} = H u^k + o^k (§2.2)
//   linear          no softmax in the memory layers (the linear start, §4.2; the trainer sets it)
//   score           how u scores each memory: the paper's plain dot product, or any registered one
//   init_std        weights ~ N(0, 0.1) (§4.2)
//
// A memory network answers with one word from the one vocabulary of stories, questions and
// answers, so source_vocab and target_vocab are the same.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "models/seq2seq/model_config.h"

namespace attn {

enum class SentenceEncoding {
  bag_of_words,  // m_i = sum_j A x_ij: word order is lost
  position,      // m_i = sum_j l_j * A x_ij: the weights l_j tell the words' places apart
};

enum class WeightTying {
  adjacent,   // each hop's output embedding is the next hop's input embedding
  layerwise,  // the same A and C in every hop, like a recurrent network, with u mapped by H
};

struct MemN2NConfig : ModelConfig {
  int64_t embedding = 20;                              // d
  int64_t hops = 3;                                    // K
  int64_t memory_size = 50;                            // the most recent sentences kept
  bool empty_slots = true;                             // memory_size - S empty slots in the softmax
  SentenceEncoding encoding = SentenceEncoding::position;
  bool temporal = true;                                // TE
  real random_noise = 0.1;                             // RN: share of empty memories added
  WeightTying tying = WeightTying::adjacent;
  bool linear = false;                                 // LS: memory layers without softmax
  std::string score = "dot";                           // the paper's score
  real init_std = 0.1;

  std::string arch() const override { return "memn2n"; }
  int64_t model_width() const override { return embedding; }
  Settings settings() override;
  std::vector<std::string> presets() const override;  // micro (tests), paper (d = 20), joint (50)
  void apply_preset(const std::string& name) override;
  std::unique_ptr<ModelConfig> clone() const override;
  void check() const override;
  std::unique_ptr<Seq2Seq> build() const override;
  int64_t parameter_count() const override;
};

}  // namespace attn
