// What the recurrent kernels (gru_cell, lstm_cell, recurrent_scan) share: how they check an
// operand's shape, and how many rows of a batch one thread takes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "tensor/error.h"
#include "tensor/tensor.h"

namespace attn {

// Throws unless t is defined and has exactly `shape`, naming the op and the operand:
// "gru_cell: h_gates [4,9] must be [4,6]".
inline void check_operand_shape(const std::string& op, const char* name, const Tensor& t,
                                const Shape& shape) {
  check(t.defined() && t.shape() == shape, op, [&] {
    return std::string(name) + " " + (t.defined() ? to_string(t.shape()) : "(undefined)") +
           " must be " + to_string(shape);
  });
}

// Rows per parallel chunk for rows of R states: about 16K elements, below which another thread
// costs more than it saves.
inline int64_t rows_per_chunk(int64_t R) {
  return std::max<int64_t>(1, (int64_t{1} << 14) / R);
}

}  // namespace attn
