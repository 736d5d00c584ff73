// The Neural Turing Machine at work, as Graves, Wayne & Danihelka 2014 draw it (Figure 6):
// time runs left to right, and four panels stacked show at each step
//
//   inputs    the bits read in                      [channel x time]
//   outputs   the bits answered, P(bit = 1)         [channel x time]
//   writes    the write head's weights              [memory row x time]
//   reads     the read head's weights               [memory row x time]
//
// each cell shaded from white (0) to black (1). A machine that has learnt to copy draws two
// straight diagonals: it writes each vector to the next row, then reads the rows back in order.
#pragma once

#include <string>

#include "tensor/tensor.h"

namespace attn {

// inputs [T, I], outputs [T, O] (probabilities), writes and reads [T, N], all in [0, 1];
// rows: how many memory rows to draw (the first, at most N), in at most 320 pixels. Draw them
// all: a head may as well walk up from row 0 as down, round to row N - 1.
std::string memory_trace_svg(const Tensor& inputs, const Tensor& outputs, const Tensor& writes,
                             const Tensor& reads, int64_t rows, const std::string& title);

}  // namespace attn
