// Fuzz target: a .safetensors file. Whatever decodes must encode and decode to the same tensors.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/targets.h"
#include "train/io/safetensors.h"

namespace attn::fuzz {

void fuzz_safetensors(const std::string& input) {
  Metadata metadata;
  const StateDict tensors = decode_safetensors(input, "fuzz.safetensors", &metadata);
  Metadata again;
  const StateDict back =
      decode_safetensors(encode_safetensors(tensors, metadata), "again.safetensors", &again);
  bool same = back.size() == tensors.size() && again == metadata;
  for (const auto& [name, tensor] : tensors) {
    const auto found = back.find(name);
    same = same && found != back.end() && found->second.shape() == tensor.shape();
  }
  if (!same) {
    std::fprintf(stderr, "fuzz safetensors: a decoded file does not round-trip\n");
    std::abort();
  }
}

std::string seed_safetensors() {
  return encode_safetensors({{"w", Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6})},
                             {"b", Tensor::from_vector({3}, {0.5f, -1, 2})}},
                            {{"format", "pt"}});
}

}  // namespace attn::fuzz
