// The token ids every sequence model reserves, defined once for the whole of attn.
//
//   <pad> 0  fills batches to equal length: masked as a key, ignored by the loss, the zero row
//            of an embedding table
//   <bos> 1  begins every target sequence (the decoder's first input)
//   <eos> 2  ends one (the decoder's last output)
//   <unk> 3  stands for any token a vocabulary does not hold
// The vocabulary (train/text/vocabulary.h) numbers real tokens from 4 on; the masks, the loss,
// the models and the decoders all read these constants, so the pad id has one source.
#pragma once

#include <cstdint>

namespace attn::special_tokens {

constexpr int64_t pad = 0;
constexpr int64_t bos = 1;
constexpr int64_t eos = 2;
constexpr int64_t unk = 3;
constexpr int64_t count = 4;  // the first id of a real token

}  // namespace attn::special_tokens
