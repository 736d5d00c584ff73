// Positional encodings, sinusoidal and learned (see positional_encoding.h).
//
//   PE(pos, 2i) = sin(pos / 10000^(2i / D)),   PE(pos, 2i+1) = cos(pos / 10000^(2i / D))
//   forward:  y = x + P[offset : offset + T]        (Vaswani et al. 2017, §3.5)
// The sum broadcasts the [T, D] rows over the batch, and its gradient flows to x unchanged
// (and, for the learned table, summed over the batch into the rows that were used).
#include "nn/layers/positional_encoding.h"

#include <cmath>
#include <vector>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

// ---- shared: the checks and the sum -------------------------------------------------------------

PositionalEncoding::PositionalEncoding(int64_t d_model, int64_t max_length)
    : d_model_(d_model), max_length_(max_length) {
  check(d_model > 0 && max_length > 0, "PositionalEncoding", [&] {
    return "d_model and max_length must be positive, got " + std::to_string(d_model) + " and " +
           std::to_string(max_length);
  });
}

Variable PositionalEncoding::forward(const Variable& x, int64_t offset) const {
  check(x.ndim() == 3 && x.size(2) == d_model_, "PositionalEncoding", [&] {
    return "input must be [B, T, " + std::to_string(d_model_) + "], got " + to_string(x.shape());
  });
  const int64_t length = x.size(1);
  check(offset >= 0, "PositionalEncoding",
        [&] { return "offset must be >= 0, got " + std::to_string(offset); });
  check(offset + length <= max_length_, "PositionalEncoding", [&] {
    return "positions " + std::to_string(offset) + ".." + std::to_string(offset + length - 1) +
           " run past the table's 0.." + std::to_string(max_length_ - 1) +
           "; build the encoding with a larger max_length";
  });
  return x + rows(offset, length);  // [B, T, D] + [T, D] -> [B, T, D]
}

// ---- sinusoidal: a fixed table ------------------------------------------------------------------

SinusoidalPositionalEncoding::SinusoidalPositionalEncoding(int64_t d_model, int64_t max_length)
    : PositionalEncoding(d_model, max_length), table_({max_length, d_model}) {
  // 1 / 10000^(2i / D) for feature j: features 2i and 2i+1 share a frequency.
  std::vector<double> frequency(d_model);
  for (int64_t j = 0; j < d_model; ++j)
    frequency[j] = 1 / std::pow(10000.0, double(j - j % 2) / double(d_model));
  // In double, then rounded once: at pos ~ 5000 a float angle would keep only ~3 decimals.
  for (int64_t pos = 0; pos < max_length; ++pos) {
    for (int64_t j = 0; j < d_model; ++j) {
      const double angle = double(pos) * frequency[j];
      table_.at({pos, j}) = real(j % 2 == 0 ? std::sin(angle) : std::cos(angle));
    }
  }
}

Variable SinusoidalPositionalEncoding::rows(int64_t offset, int64_t length) const {
  return Variable(table_.narrow(0, offset, length));  // [T, D], a constant: no gradient
}

// ---- learned: a parameter table -----------------------------------------------------------------

LearnedPositionalEncoding::LearnedPositionalEncoding(int64_t max_length, int64_t d_model,
                                                     Generator& generator)
    : PositionalEncoding(d_model, max_length) {
  // BERT's initializer_range: small next to the embeddings, so positions start as a hint.
  weight = register_parameter("weight", normal({max_length, d_model}, 0, 0.02, generator));
}

Variable LearnedPositionalEncoding::rows(int64_t offset, int64_t length) const {
  return narrow(weight, 0, offset, length);  // [T, D]; its gradient lands in these rows
}

// ---- by kind ------------------------------------------------------------------------------------

std::unique_ptr<PositionalEncoding> make_positional_encoding(PositionalEncodingKind kind,
                                                             int64_t d_model, int64_t max_length,
                                                             Generator& generator) {
  if (kind == PositionalEncodingKind::learned)
    return std::make_unique<LearnedPositionalEncoding>(max_length, d_model, generator);
  return std::make_unique<SinusoidalPositionalEncoding>(d_model, max_length);
}

}  // namespace attn
