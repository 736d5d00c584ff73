// Every differentiable op in attn, one line each with its derivative: the table of contents.
//
// Notation: g = dL/dy is the gradient arriving at the output y; each line gives dL/d(input).
// sum_to(t, x) sums t down to x's shape: the adjoint of broadcasting (tensor/reduce.h).
// Every op's forward and backward live side by side in the file named in its banner.
#pragma once

#include <vector>

#include "autograd/variable.h"
#include "tensor/conv2d.h"
#include "tensor/flash_attention.h"
#include "tensor/pool2d.h"
#include "tensor/random.h"
#include "tensor/recurrent_scan.h"

namespace attn {

// ---- unary (autograd/unary.cpp) -----------------------------------------------------------------
Variable neg(const Variable& x);              // dx = -g
Variable exp(const Variable& x);              // dx = g * y
Variable log(const Variable& x);              // dx = g / x
Variable sqrt(const Variable& x);             // dx = g / (2 y)
Variable pow(const Variable& x, real p);      // dx = g * p * x^(p-1)
Variable tanh(const Variable& x);             // dx = g * (1 - y^2)
Variable sigmoid(const Variable& x);          // dx = g * y * (1 - y)
Variable softplus(const Variable& x);         // dx = g * sigmoid(x)
Variable relu(const Variable& x);             // dx = g * [x > 0]
Variable gelu(const Variable& x);             // dx = g * (Phi(x) + x * phi(x))

// ---- binary, broadcasting (autograd/binary.cpp) ---------------------------------------------------
Variable add(const Variable& a, const Variable& b);  // da = sum_to(g, a), db = sum_to(g, b)
Variable sub(const Variable& a, const Variable& b);  // da = sum_to(g, a), db = -sum_to(g, b)
Variable mul(const Variable& a, const Variable& b);  // da = sum_to(g * b, a), db = sum_to(g * a, b)
Variable div(const Variable& a, const Variable& b);  // da = sum_to(g / b, a), db = -sum_to(g * a / b^2, b)
Variable add(const Variable& x, real s);             // dx = g
Variable mul(const Variable& x, real s);             // dx = g * s

Variable operator-(const Variable& x);
Variable operator+(const Variable& a, const Variable& b);
Variable operator-(const Variable& a, const Variable& b);
Variable operator*(const Variable& a, const Variable& b);
Variable operator/(const Variable& a, const Variable& b);
Variable operator+(const Variable& x, real s);
Variable operator-(const Variable& x, real s);
Variable operator*(const Variable& x, real s);
Variable operator/(const Variable& x, real s);
Variable operator+(real s, const Variable& x);
Variable operator-(real s, const Variable& x);
Variable operator*(real s, const Variable& x);

// ---- reductions (autograd/reduce.cpp) -------------------------------------------------------------
Variable sum(const Variable& x);                                  // dx = g broadcast to x
Variable sum(const Variable& x, int dim, bool keepdim = false);   // dx = g broadcast along dim
Variable mean(const Variable& x);                                 // dx = g / numel(x)
Variable mean(const Variable& x, int dim, bool keepdim = false);  // dx = g / size(dim)
Variable max(const Variable& x, int dim, bool keepdim = false);   // dx = g at the argmax, 0 elsewhere

// ---- views and joins (autograd/views.cpp) ---------------------------------------------------------
Variable reshape(const Variable& x, const Shape& shape);        // dx = reshape(g, shape(x))
Variable transpose(const Variable& x, int dim0, int dim1);      // dx = transpose(g, dim0, dim1)
Variable permute(const Variable& x, const std::vector<int>& dims);  // dx = permute(g, inverse)
Variable narrow(const Variable& x, int dim, int64_t start, int64_t length);  // dx = g placed in zeros
Variable squeeze(const Variable& x, int dim);                   // dx = unsqueeze(g, dim)
Variable unsqueeze(const Variable& x, int dim);                 // dx = squeeze(g, dim)
Variable expand(const Variable& x, const Shape& shape);         // dx = sum_to(g, x)
Variable concat(const std::vector<Variable>& xs, int dim);      // dx_i = narrow(g, dim, offset_i, size_i)
Variable stack(const std::vector<Variable>& xs, int dim);       // dx_i = select(g, dim, i)

// ---- indexing and masking (autograd/indexing.cpp) -------------------------------------------------
Variable index_select(const Variable& x, int dim, const Tensor& indices);  // dx = index_add(g)
Variable gather(const Variable& x, int dim, const Tensor& indices);        // dx = scatter_add(g)
Variable masked_fill(const Variable& x, const Tensor& mask, real value);   // dx = g * (1 - mask)
Variable where(const Tensor& condition, const Variable& a, const Variable& b);
                                      // da = sum_to(g * c, a), db = sum_to(g * (1 - c), b)

// ---- matrix product (autograd/matmul.cpp) ---------------------------------------------------------
Variable matmul(const Variable& a, const Variable& b);  // da = g @ b^T, db = a^T @ g (sum_to batch)

// ---- images (autograd/conv2d.cpp, autograd/pool2d.cpp) -------------------------------------------
// x [B, C, H, W], weight [O, C, K, K'], bias [O] -> [B, O, H', W'] (tensor/conv2d.h):
// dw = sum_b g_b @ im2col(x_b)^T, dx_b = col2im(w^T @ g_b), dbias = sum of g over b, i, j
Variable conv2d(const Variable& x, const Variable& weight, const Variable& bias,
                const Conv2dOptions& options = {});
// max over each K x K window of x [B, C, H, W]: dx = g at the window's maximum, 0 elsewhere
Variable max_pool2d(const Variable& x, const Pool2dOptions& options = {});
// mean over each K x K window: dx = g / K^2 spread over the window
Variable avg_pool2d(const Variable& x, const Pool2dOptions& options = {});

// ---- fused ops: hand-written backward, each with a composite twin in the tests --------------------
Variable softmax(const Variable& x, int dim);       // dx = y * (g - sum(g * y, dim))
Variable log_softmax(const Variable& x, int dim);   // dx = g - exp(y) * sum(g, dim)
// y = P v, P = softmax(scale q k^T, hidden keys -inf), tiled (tensor/flash_attention.h):
// dv = P^T g, dS = P * (g v^T - rowsum(g * y)), dq = scale dS k, dk = scale dS^T q
Variable flash_attention(const Variable& q, const Variable& k, const Variable& v,
                         const FlashAttentionOptions& options);
// y = gamma * (x - mu) / sqrt(var + eps) + beta over the last dimension (tensor/layer_norm.h)
Variable layer_norm(const Variable& x, const Variable& gamma, const Variable& beta,
                    real eps = 1e-5);
// Inverted dropout: y = x * m / (1 - p), m ~ Bernoulli(1 - p); dx = g * m / (1 - p).
Variable dropout(const Variable& x, real p, Generator& generator);
// y[..] = weight[tokens[..]]: [V, D] table, tokens [...] -> [..., D]; dweight = index_add(g),
// with no gradient into the padding row (padding_index < 0: none).
Variable embedding(const Variable& weight, const Tensor& tokens, int64_t padding_index = -1);
// Mean label-smoothed cross-entropy of logits [N, V] against targets [N] (tensor/cross_entropy.h);
// dlogits = (softmax(logits) - q) / count on rows whose target is not ignore_index.
Variable cross_entropy(const Variable& logits, const Tensor& targets,
                       int64_t ignore_index = -1, real label_smoothing = 0);
// Mean binary cross-entropy of logits [...] against bits [...] over the elements the mask counts
// (tensor/binary_cross_entropy.h; mask undefined: all); dlogits = mask * (sigmoid(z) - y) / count.
Variable binary_cross_entropy_with_logits(const Variable& logits, const Tensor& targets,
                                          const Tensor& mask = {});
// One GRU step's gates (tensor/gru_cell.h) from x_gates, h_gates = h W_hh^T [B, 3R], b_hh, h -> h':
// d x_gates = [da_r | da_z | da_n], d h_gates = [da_r | da_z | da_n r], d b_hh = sum_B d h_gates, dh = g z
Variable gru_cell(const Variable& x_gates, const Variable& h_gates, const Variable& bias_hh,
                  const Variable& h);
// One LSTM step's gates (tensor/lstm_cell.h) from x_gates, h_gates [B, 4R], b_hh, c -> (h', c') as
// [2, B, R]: d x_gates = d h_gates = d gates, d b_hh = sum_B d gates, dc = dc' f
Variable lstm_cell(const Variable& x_gates, const Variable& h_gates, const Variable& bias_hh,
                   const Variable& c);
// A cell over all steps of a padded batch (tensor/recurrent_scan.h): x_gates [B, T, G*R], initial
// [C, B, R] -> [C, B, T+1, R]; backward through time, d W_hh = sum_s d h_gates_s^T h_s
Variable recurrent_scan(CellKind kind, const Variable& x_gates, const Variable& weight_hh,
                        const Variable& bias_hh, const Variable& initial,
                        const std::vector<int64_t>& lengths, bool reverse);

}  // namespace attn
