// Checkpoint weights in the safetensors format (Hugging Face), readable from Python by the
// `safetensors` package or by numpy alone.
//
// Layout of a .safetensors file:
//   8 bytes     N, the header's length, unsigned little-endian
//   N bytes     JSON header: {"<name>": {"dtype": "F32", "shape": [2, 3],
//                                        "data_offsets": [begin, end]}, ...,
//                             "__metadata__": {"key": "value", ...}}
//   the rest    every tensor's bytes, row-major, little-endian; offsets count from here
// attn writes F32 (F64 in the float64 build) and reads either, converting to `real`.
#pragma once

#include <map>
#include <string>

#include "nn/module.h"

namespace attn {

using Metadata = std::map<std::string, std::string>;

// Encodes tensors (and string metadata) as the bytes of a .safetensors file.
std::string encode_safetensors(const StateDict& tensors, const Metadata& metadata = {});
// Decodes those bytes; `source` names the file in error messages.
StateDict decode_safetensors(const std::string& bytes, const std::string& source,
                             Metadata* metadata = nullptr);

// File versions; saving is atomic (atomic_file.h).
void save_safetensors(const std::string& path, const StateDict& tensors,
                      const Metadata& metadata = {});
StateDict load_safetensors(const std::string& path, Metadata* metadata = nullptr);

}  // namespace attn
