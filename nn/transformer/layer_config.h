// LayerConfig: what one encoder or decoder layer is built from, and the residual connection
// that wraps each of its sublayers.
//
// Vaswani et al. 2017, §3.1: "We employ a residual connection around each of the two sub-layers,
// followed by layer normalization. That is, the output of each sub-layer is
// LayerNorm(x + Sublayer(x))", and §5.4: dropout "to the output of each sub-layer, before it is
// added to the sub-layer input". Two placements of the LayerNorm:
//
//   post-LN (the paper):  x = LN(x + Dropout(Sublayer(x)))
//   pre-LN:               x = x + Dropout(Sublayer(LN(x)))
//
// Why pre-LN exists (Xiong et al. 2020, "On Layer Normalization in the Transformer
// Architecture"): in post-LN the gradients near the output are large at initialisation, so it
// needs a learning-rate warm-up and becomes fragile as layers are added; pre-LN leaves an
// identity path from input to output, trains without warm-up and stays stable when deep. Its
// residual stream is never normalised, so a pre-LN stack ends with one final LayerNorm.
#pragma once

#include <cstdint>
#include <string>

#include "nn/layers/activation.h"
#include "nn/layers/dropout.h"
#include "nn/layers/layer_norm.h"

namespace attn {

// Where each sublayer's LayerNorm sits (see above).
enum class NormPlacement {
  post,  // LN(x + Dropout(Sublayer(x))): the paper, §3.1
  pre,   // x + Dropout(Sublayer(LN(x))): Xiong et al. 2020, stable without warm-up
};

struct LayerConfig {
  int64_t d_model = 512;               // D, model width, paper Table 3 "base"
  int64_t heads = 8;                   // H, attention heads, Table 3; head width E = D / H
  int64_t d_ff = 2048;                 // F, inner width of the feed-forward sublayer, Table 3
  real dropout = 0.1;                  // P_drop on every sublayer output, §5.4 and Table 3
  std::string score = "scaled_dot";    // score function, with its settings (attention/registry.h)
  NormPlacement norm = NormPlacement::post;  // LayerNorm placement, see NormPlacement
  Activation activation = Activation::relu;  // feed-forward non-linearity, §3.3: ReLU
};

// One sublayer with its residual connection, dropout and LayerNorm, placed per `placement`.
// x [B, L, D]; sublayer maps [B, L, D] -> [B, L, D].
template <typename Sublayer>
Variable residual(const Variable& x, const LayerNorm& norm, const Dropout& dropout,
                  NormPlacement placement, Sublayer&& sublayer) {
  if (placement == NormPlacement::pre) return x + dropout.forward(sublayer(norm.forward(x)));
  return norm.forward(x + dropout.forward(sublayer(x)));
}

}  // namespace attn
