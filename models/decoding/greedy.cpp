// Greedy decoding with the key/value cache (see greedy.h).
#include "models/decoding/greedy.h"

#include <vector>

#include "tensor/error.h"
#include "tensor/reduce.h"

namespace attn {

Tensor greedy_decode(Transformer& model, const Tensor& source, int64_t bos, int64_t eos,
                     int64_t max_length) {
  check(source.ndim() == 2, "greedy_decode",
        "source must be [B, S] token ids, got " + to_string(source.shape()));
  check(max_length >= 1, "greedy_decode", "max_length must be at least 1");
  NoGradGuard no_grad;
  EvalModeGuard eval_mode(model);
  const int64_t batch = source.size(0);
  const real pad = static_cast<real>(model.config().pad_index);

  DecodingState state = model.start_decoding(source);                 // memory [B, S, D] cached
  Tensor token = Tensor::full({batch, 1}, static_cast<real>(bos));    // [B, 1]: y_0 = BOS
  Tensor output = Tensor::full({batch, max_length}, pad);             // [B, max_length]
  std::vector<bool> finished(static_cast<size_t>(batch), false);
  int64_t length = 0;
  while (length < max_length) {
    const Tensor logits = model.decode_step(token, state).value();  // [B, V]
    token = argmax(logits, -1, /*keepdim=*/true);                    // [B, 1]
    bool all_finished = true;
    for (int64_t b = 0; b < batch; ++b) {
      if (finished[static_cast<size_t>(b)]) continue;  // a finished row keeps its padding
      output.at({b, length}) = token.at({b, 0});
      finished[static_cast<size_t>(b)] = token.at({b, 0}) == static_cast<real>(eos);
      all_finished = all_finished && finished[static_cast<size_t>(b)];
    }
    ++length;
    if (all_finished) break;
  }
  return output.narrow(1, 0, length).contiguous();  // [B, L]
}

}  // namespace attn
