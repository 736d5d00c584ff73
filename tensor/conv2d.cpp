// Two-dimensional convolution by im2col and GEMM (see conv2d.h).
#include "tensor/conv2d.h"

#include <algorithm>
#include <string>

#include "tensor/error.h"
#include "tensor/matmul.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

// The sizes of one convolution, named as in conv2d.h.
struct ConvShape {
  int64_t B, C, H, W;  // input
  int64_t O, K, K2;    // output channels, kernel rows and columns
  int64_t Ho, Wo;      // output rows and columns
  int64_t s, pad;
  int64_t field() const { return C * K * K2; }  // C K K': one receptive field, one column
  int64_t cells() const { return Ho * Wo; }     // H' W': output positions per channel
};

ConvShape checked_shape(const Tensor& x, const Tensor& weight, const Conv2dOptions& options) {
  const std::string shapes =
      "x " + to_string(x.shape()) + ", weight " + to_string(weight.shape());
  check(x.ndim() == 4 && weight.ndim() == 4, "conv2d",
        [&] { return shapes + ": needs x [B, C, H, W] and weight [O, C, K, K']"; });
  check(x.size(1) == weight.size(1), "conv2d", [&] {
    return shapes + ": x has " + std::to_string(x.size(1)) + " channels, the weight expects " +
           std::to_string(weight.size(1));
  });
  check(options.stride >= 1 && options.padding >= 0, "conv2d", [&] {
    return "stride must be at least 1 and padding at least 0, got " +
           std::to_string(options.stride) + " and " + std::to_string(options.padding);
  });
  ConvShape c{x.size(0),      x.size(1),      x.size(2),
              x.size(3),      weight.size(0), weight.size(2),
              weight.size(3), 0,              0,
              options.stride, options.padding};
  check(c.K >= 1 && c.K2 >= 1 && c.K <= c.H + 2 * c.pad && c.K2 <= c.W + 2 * c.pad, "conv2d",
        [&] { return shapes + ": the kernel does not fit in the padded image"; });
  c.Ho = conv_output_size(c.H, c.K, options);
  c.Wo = conv_output_size(c.W, c.K2, options);
  return c;
}

// The output columns j whose input column j*s - pad + q lies inside [0, size): [first, last).
// Outside it the field reads padding.
void inside_range(int64_t q, int64_t size, int64_t count, const ConvShape& c, int64_t& first,
                  int64_t& last) {
  const int64_t shift = q - c.pad;  // input column = j * s + shift
  first = shift >= 0 ? 0 : (-shift + c.s - 1) / c.s;
  last = size - 1 - shift < 0 ? 0 : std::min(count, (size - 1 - shift) / c.s + 1);
  first = std::min(first, last);
}

// One image x_b [C, H, W] -> cols [C K K', H' W'] (see conv2d.h).
void im2col(const real* x, const ConvShape& c, real* cols) {
  for (int64_t ch = 0; ch < c.C; ++ch)
    for (int64_t p = 0; p < c.K; ++p)
      for (int64_t q = 0; q < c.K2; ++q) {
        real* row = cols + ((ch * c.K + p) * c.K2 + q) * c.cells();
        int64_t first, last;
        inside_range(q, c.W, c.Wo, c, first, last);
        for (int64_t i = 0; i < c.Ho; ++i) {
          real* out = row + i * c.Wo;
          const int64_t y = i * c.s - c.pad + p;
          if (y < 0 || y >= c.H) {
            std::fill(out, out + c.Wo, real(0));
            continue;
          }
          const real* in = x + (ch * c.H + y) * c.W;  // row y of channel ch
          std::fill(out, out + first, real(0));
          if (c.s == 1) {  // a run of the row: the commonest case, one contiguous copy
            const real* from = in + (first + q - c.pad);
            std::copy(from, from + (last - first), out + first);
          } else {
            for (int64_t j = first; j < last; ++j) out[j] = in[j * c.s + q - c.pad];
          }
          std::fill(out + last, out + c.Wo, real(0));
        }
      }
}

// im2col's adjoint: dcols [C K K', H' W'] added back into dx_b [C, H, W], each entry to the pixel
// it was copied from.
void col2im(const real* dcols, const ConvShape& c, real* dx) {
  for (int64_t ch = 0; ch < c.C; ++ch)
    for (int64_t p = 0; p < c.K; ++p)
      for (int64_t q = 0; q < c.K2; ++q) {
        const real* row = dcols + ((ch * c.K + p) * c.K2 + q) * c.cells();
        int64_t first, last;
        inside_range(q, c.W, c.Wo, c, first, last);
        for (int64_t i = 0; i < c.Ho; ++i) {
          const int64_t y = i * c.s - c.pad + p;
          if (y < 0 || y >= c.H) continue;
          const real* in = row + i * c.Wo;
          real* out = dx + (ch * c.H + y) * c.W;  // row y of channel ch
          if (c.s == 1) {  // a run of the row: contiguous, so the compiler vectorises it
            real* to = out + (first + q - c.pad);
            const real* from = in + first;
            for (int64_t j = 0; j < last - first; ++j) to[j] += from[j];
          } else {
            for (int64_t j = first; j < last; ++j) out[j * c.s + q - c.pad] += in[j];
          }
        }
      }
}

// Runs body(begin, end) over the B images: spread over the threads when there are enough
// images, else on the calling thread, whose matrix products then use the threads themselves.
// Each image's numbers are the same either way (gemm.h: a product is bitwise the same however
// it is split).
template <typename Body>
void for_each_image(int64_t B, Body body) {
  if (B >= num_threads())
    parallel_for(B, 1, body);
  else
    body(0, B);
}

// sum_l row[l] in double, in eight interleaved partial sums: independent additions the CPU
// overlaps, where one running sum would wait for each addition before the next.
double row_sum(const real* row, int64_t n) {
  double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t l = 0;
  for (; l + 8 <= n; l += 8)
    for (int k = 0; k < 8; ++k) part[k] += row[l + k];
  for (; l < n; ++l) part[0] += row[l];
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

// Image b of a contiguous [B, rows, cols...] tensor as a [rows, n] matrix.
Tensor image_matrix(const Tensor& t, int64_t b, int64_t rows, int64_t n) {
  return t.narrow(0, b, 1).view({rows, n});
}

}  // namespace

int64_t conv_output_size(int64_t size, int64_t kernel, const Conv2dOptions& options) {
  return (size + 2 * options.padding - kernel) / options.stride + 1;
}

Tensor conv2d_forward(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in,
                      const Conv2dOptions& options) {
  const ConvShape c = checked_shape(x_in, weight_in, options);
  check(!bias_in.defined() || bias_in.shape() == Shape{c.O}, "conv2d", [&] {
    return "bias must be [" + std::to_string(c.O) + "], got " + to_string(bias_in.shape());
  });
  const Tensor x = x_in.contiguous();                                   // [B, C, H, W]
  const Tensor w = weight_in.contiguous().view({c.O, c.field()});       // [O, C K K']
  const Tensor bias = bias_in.defined() ? bias_in.contiguous() : Tensor();
  Tensor y = Tensor::empty({c.B, c.O, c.Ho, c.Wo});                     // [B, O, H', W']
  const int64_t L = c.cells();
  for_each_image(c.B, [&](int64_t begin, int64_t end) {
    Tensor cols = Tensor::empty({c.field(), L});  // [C K K', H' W'], reused for each image
    for (int64_t b = begin; b < end; ++b) {
      im2col(x.data() + b * c.C * c.H * c.W, c, cols.data());
      Tensor y_b = image_matrix(y, b, c.O, L);  // [O, H' W']
      matmul_into(w, cols, y_b);                // [O, C K K'] @ [C K K', H' W']
      if (!bias.defined()) continue;
      for (int64_t o = 0; o < c.O; ++o) {
        real* row = y_b.data() + o * L;
        const real bias_o = bias.data()[o];
        for (int64_t l = 0; l < L; ++l) row[l] += bias_o;
      }
    }
  });
  return y;
}

Conv2dGradients conv2d_backward(const Tensor& grad_y_in, const Tensor& x_in,
                                const Tensor& weight_in, const Conv2dOptions& options,
                                bool want_grad_x) {
  const ConvShape c = checked_shape(x_in, weight_in, options);
  const Shape y_shape = {c.B, c.O, c.Ho, c.Wo};
  check(grad_y_in.shape() == y_shape, "conv2d backward", [&] {
    return "grad_y must be " + to_string(y_shape) + ", got " + to_string(grad_y_in.shape());
  });
  const Tensor g = grad_y_in.contiguous();                          // [B, O, H', W']
  const Tensor x = x_in.contiguous();                               // [B, C, H, W]
  const Tensor w_t = weight_in.contiguous().view({c.O, c.field()}).transpose(0, 1);  // [C K K', O]
  const int64_t L = c.cells(), F = c.field();

  Conv2dGradients grads{want_grad_x ? Tensor::zeros(x.shape()) : Tensor(), Tensor::zeros({c.O, F}),
                        Tensor::zeros({c.O})};
  // Each image's share of dw, summed in image order afterwards: the same sum for any split.
  Tensor dw_parts = Tensor::empty({c.B, c.O, F});  // [B, O, C K K']
  for_each_image(c.B, [&](int64_t begin, int64_t end) {
    Tensor cols = Tensor::empty({F, L});   // [C K K', H' W']
    Tensor dcols = want_grad_x ? Tensor::empty({F, L}) : Tensor();  // [C K K', H' W']
    for (int64_t b = begin; b < end; ++b) {
      im2col(x.data() + b * c.C * c.H * c.W, c, cols.data());
      const Tensor g_b = image_matrix(g, b, c.O, L);                         // [O, H' W']
      matmul_into(g_b, cols.transpose(0, 1), image_matrix(dw_parts, b, c.O, F));  // g_b @ cols^T
      if (!want_grad_x) continue;
      matmul_into(w_t, g_b, dcols);  // w^T @ g_b
      col2im(dcols.data(), c, grads.grad_x.data() + b * c.C * c.H * c.W);
    }
  });
  real* dw = grads.grad_weight.data();
  for (int64_t b = 0; b < c.B; ++b) {
    const real* part = dw_parts.data() + b * c.O * F;
    for (int64_t i = 0; i < c.O * F; ++i) dw[i] += part[i];
  }
  const real* g_all = g.data();
  for (int64_t o = 0; o < c.O; ++o) {  // dbias[o] = sum over b, i, j of g[b, o, i, j]
    double total = 0;
    for (int64_t b = 0; b < c.B; ++b) total += row_sum(g_all + (b * c.O + o) * L, L);
    grads.grad_bias.data()[o] = static_cast<real>(total);
  }
  grads.grad_weight = grads.grad_weight.view(weight_in.shape());
  return grads;
}

}  // namespace attn
