// The encoder-decoder interface (see seq2seq.h): building a token source.
#include "models/seq2seq/seq2seq.h"

#include "models/seq2seq/special_tokens.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"

namespace attn {

Source token_source(const Tensor& tokens) {
  check(tokens.ndim() == 2, "token_source",
        [&] { return "tokens must be [B, S] ids, got " + to_string(tokens.shape()); });
  // The one place a token source's mask is made: 1 wherever the id is not <pad>.
  return {tokens, ne(tokens, Tensor::scalar(static_cast<real>(special_tokens::pad)))};  // [B, S]
}

}  // namespace attn
