// Greedy decoding through the model's decoder state (see greedy.h).
#include "models/decoding/greedy.h"

#include <algorithm>

#include "tensor/error.h"
#include "tensor/join.h"
#include "tensor/reduce.h"

namespace attn {

namespace {

// Each sentence's limit: its own when given, else the common one.
std::vector<int64_t> row_limits(const GreedyOptions& options, int64_t batch) {
  check(options.max_length >= 1, "greedy_decode", "max_length must be at least 1");
  if (options.sentence_max_lengths.empty())
    return std::vector<int64_t>(static_cast<size_t>(batch), options.max_length);
  check(static_cast<int64_t>(options.sentence_max_lengths.size()) == batch, "greedy_decode",
        "sentence_max_lengths needs one limit per sentence of the batch");
  for (int64_t limit : options.sentence_max_lengths)
    check(limit >= 1 && limit <= options.max_length, "greedy_decode",
          "each sentence's limit must be in 1..max_length");
  return options.sentence_max_lengths;
}

}  // namespace

Decoded greedy_decode(Seq2Seq& model, const Source& source, const GreedyOptions& options) {
  const int64_t batch = source.batch();
  const std::vector<int64_t> limits = row_limits(options, batch);
  NoGradGuard no_grad;
  EvalModeGuard eval_mode(model);
  const int64_t longest = *std::max_element(limits.begin(), limits.end());

  std::unique_ptr<DecoderState> state = model.start(model.encode(source));
  Tensor token = Tensor::full({batch}, static_cast<real>(options.bos));  // [B]: y_0 = <bos>
  Tensor output = Tensor::full({batch, longest}, static_cast<real>(special_tokens::pad));
  std::vector<Tensor> attention;  // per step [B, layers, heads, S]
  std::vector<bool> finished(static_cast<size_t>(batch), false);
  int64_t length = 0;
  while (length < longest) {
    const Step step = model.step(token, *state);  // logits [B, V]
    token = argmax(step.logits.value(), -1);      // [B]
    if (options.keep_attention) attention.push_back(step.attention);
    bool all_finished = true;
    for (int64_t b = 0; b < batch; ++b) {
      const auto row = static_cast<size_t>(b);
      if (finished[row]) continue;  // a finished row keeps its padding
      output.at({b, length}) = token.at({b});
      finished[row] = token.at({b}) == static_cast<real>(options.eos) || length + 1 == limits[row];
      all_finished = all_finished && finished[row];
    }
    ++length;
    if (all_finished) break;
  }
  Decoded decoded;
  decoded.tokens = output.narrow(1, 0, length).contiguous();            // [B, L]
  if (options.keep_attention) decoded.attention = stack(attention, 1);  // [B, L, layers, heads, S]
  return decoded;
}

}  // namespace attn
