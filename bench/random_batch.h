// Random training batches, drawn as the PyTorch reference scripts draw theirs (make_batch in
// /work/shared/bench/torch_*_train.py), so both sides train on the same kind of data:
//
//   source [B, S] and target [B, T + 1] token ids uniform in [3, V), target[:, 0] = BOS;
//   decoder input = target[:, :-1], labels = target[:, 1:]. With pad_fraction > 0, each row
//   with probability pad_fraction gets a random shorter length, padded at the end.
#pragma once

#include <cstdint>

#include "tensor/random.h"
#include "train/data/batching.h"

namespace attn::bench {

constexpr int64_t kPad = 0, kBos = 1;  // the scripts' PAD, BOS (EOS = 2 is never drawn)
constexpr int64_t kFirstWord = 3;      // random tokens are uniform in [3, V)

// Token id uniform in [low, high).
inline real random_token(Generator& g, int64_t low, int64_t high) {
  return static_cast<real>(low + static_cast<int64_t>(g.next_u64() % uint64_t(high - low)));
}

// [B, S] source ids uniform in [3, V), no padding (the decoding benchmarks' source).
inline Tensor random_source(int64_t B, int64_t S, int64_t V, Generator& g) {
  Tensor ids({B, S});
  for (int64_t i = 0; i < B * S; ++i) ids.data()[i] = random_token(g, kFirstWord, V);
  return ids;
}

// The scripts' make_batch, then their split of target [B, T + 1] into decoder input
// (target_in: BOS, y_1 .. y_{T-1}) and labels (target_out: y_1 .. y_T), as an attn Batch.
inline Batch random_batch(int64_t B, int64_t S, int64_t T, int64_t V, Generator& g,
                          double pad_fraction) {
  Tensor source({B, S});
  Tensor target({B, T + 1});
  for (int64_t i = 0; i < B * S; ++i) source.data()[i] = random_token(g, kFirstWord, V);
  for (int64_t i = 0; i < B * (T + 1); ++i) target.data()[i] = random_token(g, kFirstWord, V);
  for (int64_t b = 0; b < B; ++b) target.at({b, 0}) = static_cast<real>(kBos);
  if (pad_fraction > 0) {
    for (int64_t b = 0; b < B; ++b) {
      if (g.uniform() >= pad_fraction) continue;
      const int64_t ls = static_cast<int64_t>(random_token(g, S / 2, S));
      const int64_t lt = static_cast<int64_t>(random_token(g, T / 2, T));
      for (int64_t i = ls; i < S; ++i) source.at({b, i}) = static_cast<real>(kPad);
      for (int64_t i = lt + 1; i <= T; ++i) target.at({b, i}) = static_cast<real>(kPad);
    }
  }
  Batch batch;
  batch.source = token_source(source);                     // [B, S] and its padding mask
  batch.target_in = target.narrow(1, 0, T).contiguous();   // [B, T]
  batch.target_out = target.narrow(1, 1, T).contiguous();  // [B, T]
  for (real label : batch.target_out.to_vector()) batch.target_tokens += label != kPad;
  return batch;
}

}  // namespace attn::bench
