// A matrix of weights in [0, 1] drawn as text, for terminals: the attention picture of
// Bahdanau et al. 2015, Figure 3, in characters.
//
// Each weight picks one of ten characters by its size,
//   " .:-=+*#%@"      [0, 0.1) -> ' ',  [0.1, 0.2) -> '.',  ...,  [0.9, 1] -> '@'
// drawn two wide so cells look square. Rows are labelled on the left (generated target tokens),
// columns along the top (source tokens). A model that has learnt to copy shows a diagonal of '@'.
// (train/report/svg.h draws the same matrix as an SVG image.)
#pragma once

#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace attn {

// weights [T, S]; row_labels has T entries, column_labels S. Ends with a newline.
std::string text_heatmap(const Tensor& weights, const std::vector<std::string>& row_labels,
                         const std::vector<std::string>& column_labels);

}  // namespace attn
