// Tests for tensor/flash_attention.h: the tiled kernel against the plain path it stands in for,
// in values and in gradients, across masks, causal offsets, sizes off the tile grid and thread
// counts; its memory; its errors.
//
// The plain path is attention written out with attn's tested kernels, every [..., T, S] tensor
// stored:
//   X = scale * q k^T, masked_fill(hidden, -inf); P = softmax(X); O = P v
//   dv = P^T dO, dP = dO v^T, dX = softmax_backward(P, dP), dq = scale dX k, dk = scale dX^T q
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/flash_attention.h"
#include "tensor/matmul.h"
#include "tensor/memory.h"
#include "tensor/random.h"
#include "tensor/softmax.h"
#include "tensor/thread_pool.h"
#include "tests/tensor/with_threads.h"

using namespace attn;

namespace {

// float keeps ~7 digits, double ~16: both sums are a few roundings from the exact one.
constexpr double kTol = sizeof(real) == sizeof(float) ? 1e-5 : 1e-12;
constexpr real kMinusInf = -std::numeric_limits<real>::infinity();

Tensor random(const Shape& shape, uint64_t seed) {
  Generator generator(seed);
  return uniform(shape, -2, 2, generator);
}

Shape with(Shape lead, std::initializer_list<int64_t> last) {
  lead.insert(lead.end(), last);
  return lead;
}

// Which keys each query sees, as a dense [..., T, S] tensor of 0 and 1: the mask, and the
// causal rule s + key_offset <= t + query_offset.
Tensor visibility(const Shape& scores, const FlashAttentionOptions& options) {
  const int64_t T = scores[scores.size() - 2], S = scores.back();
  Tensor allowed = Tensor::ones(scores);
  if (options.mask.defined()) allowed = allowed * ne(options.mask, Tensor::scalar(0));
  if (options.causal) {
    const Tensor t = Tensor::arange(T).view({T, 1}) + real(options.query_offset);  // [T, 1]
    const Tensor s = Tensor::arange(S).view({1, S}) + real(options.key_offset);    // [1, S]
    allowed = allowed * le(s, t);                                                  // [..., T, S]
  }
  return allowed;
}

struct Attention {
  Tensor out, q, k, v;  // O and the three gradients
};

Attention plain(const Tensor& q, const Tensor& k, const Tensor& v,
                const FlashAttentionOptions& options, const Tensor& grad_out) {
  Tensor x = matmul(q, k.transpose(-1, -2)) * options.scale;          // [..., T, S]
  x = masked_fill(x, eq(visibility(x.shape(), options), Tensor::scalar(0)), kMinusInf);
  const Tensor p = softmax(x, -1);                                    // [..., T, S]
  const Tensor dp = matmul(grad_out, v.transpose(-1, -2));            // [..., T, S]
  const Tensor dx = softmax_backward(p, dp, -1) * options.scale;      // [..., T, S]
  return {matmul(p, v), matmul(dx, k), matmul(dx.transpose(-1, -2), q),
          matmul(p.transpose(-1, -2), grad_out)};
}

Attention flash(const Tensor& q, const Tensor& k, const Tensor& v,
                const FlashAttentionOptions& options, const Tensor& grad_out) {
  Tensor logsumexp;
  const Tensor out = flash_attention_forward(q, k, v, options, &logsumexp);
  const FlashAttentionGradients g =
      flash_attention_backward(q, k, v, options, out, logsumexp, grad_out);
  return {out, g.q, g.k, g.v};
}

// |a - b| <= kTol (|b| + max(max |b|, 1)) everywhere: relative to each value and, for values near
// 0 (sums of terms that cancel), to the tensor's scale. The inputs are of order 1 and so are the
// terms of every sum, so a gradient that cancels to exactly 0 (softmax over one key) is held to
// kTol absolute.
void check_close(const std::string& what, const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<real> av = a.to_vector(), bv = b.to_vector();
  double scale = 1, worst = 0;
  for (real x : bv) scale = std::max(scale, std::fabs(double(x)));
  for (size_t i = 0; i < av.size(); ++i) {
    const double error = std::fabs(double(av[i]) - bv[i]) / (std::fabs(double(bv[i])) + scale);
    worst = std::isnan(error) ? error : std::max(worst, error);
  }
  CHECK_MESSAGE(worst <= kTol, what, ": relative error ", worst);
}

// ---- the table ----------------------------------------------------------------------------------

struct Case {
  std::string name;
  Shape lead;  // the leading axes "..."
  int64_t T, S, E, Ev;
  std::function<void(FlashAttentionOptions&, const Shape& lead, int64_t T, int64_t S)> setup;
};

// Row b of a padding mask [B, 1, 1, S] keeps its first lengths[b] keys.
Tensor padding(const std::vector<int64_t>& lengths, int64_t S) {
  std::vector<real> bits;
  for (int64_t length : lengths)
    for (int64_t s = 0; s < S; ++s) bits.push_back(s < length ? 1 : 0);
  return Tensor::from_vector({int64_t(lengths.size()), 1, 1, S}, bits);
}

// A [B, 1, T, S] mask of random bits (3 in 4 are 1) in which queries 0 and T - 1 of batch row 0
// see nothing.
Tensor scattered(int64_t B, int64_t T, int64_t S) {
  Generator generator(5);
  Tensor mask = bernoulli({B, 1, T, S}, 0.75, generator);
  for (int64_t s = 0; s < S; ++s) mask.at({0, 0, 0, s}) = mask.at({0, 0, T - 1, s}) = 0;
  return mask;
}

std::vector<Case> cases() {
  auto none = [](FlashAttentionOptions&, const Shape&, int64_t, int64_t) {};
  auto causal = [](int64_t query_offset, int64_t key_offset) {
    return [=](FlashAttentionOptions& o, const Shape&, int64_t, int64_t) {
      o.causal = true;
      o.query_offset = query_offset;
      o.key_offset = key_offset;
    };
  };
  return {
      {"no mask", {2, 3}, 5, 7, 8, 8, none},
      {"no mask, T and S off the tile grid, E != Ev", {2, 2}, 250, 270, 16, 24, none},
      {"rank 3 [N, T, E]", {3}, 33, 40, 8, 5, none},
      {"rank 5 [2, 2, 2, T, E]", {2, 2, 2}, 9, 11, 4, 4, none},
      {"T = 1", {2, 2}, 1, 150, 8, 8, none},
      {"S = 1", {2, 2}, 6, 1, 8, 3, none},
      {"T = S = 1", {1, 1}, 1, 1, 2, 3, none},
      {"padding mask [B,1,1,S]", {3, 2}, 40, 300, 8, 8,
       [](FlashAttentionOptions& o, const Shape&, int64_t, int64_t S) {
         o.mask = padding({S, 197, 5}, S);
       }},
      {"padding mask, one row all padding: fully masked rows", {2, 2}, 12, 9, 4, 4,
       [](FlashAttentionOptions& o, const Shape&, int64_t, int64_t S) {
         o.mask = padding({9, 0}, S);
       }},
      {"general mask [B,1,T,S] with fully masked rows", {2, 3}, 130, 300, 8, 6,
       [](FlashAttentionOptions& o, const Shape& lead, int64_t T, int64_t S) {
         o.mask = scattered(lead[0], T, S);
       }},
      {"mask [T,S] of rank 2 for every matrix, stored transposed", {2, 2}, 120, 270, 8, 8,
       [](FlashAttentionOptions& o, const Shape&, int64_t T, int64_t S) {
         Generator generator(6);
         o.mask = bernoulli({S, T}, 0.5, generator).transpose(0, 1);  // strides [1, T]
       }},
      {"scores up to 100: the running max moves between key blocks", {2, 2}, 120, 600, 8, 8,
       [](FlashAttentionOptions& o, const Shape&, int64_t, int64_t) { o.scale = 3; }},
      {"causal", {2, 2}, 250, 250, 8, 8, causal(0, 0)},
      {"causal and a padding mask", {2, 2}, 150, 150, 8, 8,
       [](FlashAttentionOptions& o, const Shape&, int64_t, int64_t S) {
         o.causal = true;
         o.mask = padding({S, 60}, S);
       }},
      {"causal, decoding: one query at position L = 299", {2, 2}, 1, 300, 8, 8, causal(299, 0)},
      {"causal, decoding the first token: T = S = 1", {2, 2}, 1, 1, 8, 8, causal(0, 0)},
      {"causal, a chunk of 20 queries after 240 cached keys", {2, 2}, 20, 260, 8, 8,
       causal(240, 0)},
      {"causal, keys from position 10: queries 0-9 see nothing", {2, 2}, 30, 30, 8, 8,
       causal(0, 10)},
  };
}

void check_case(const Case& c) {
  FlashAttentionOptions options;
  options.scale = real(1 / std::sqrt(double(c.E)));
  c.setup(options, c.lead, c.T, c.S);
  const Tensor q = random(with(c.lead, {c.T, c.E}), 1), k = random(with(c.lead, {c.S, c.E}), 2);
  const Tensor v = random(with(c.lead, {c.S, c.Ev}), 3);
  const Tensor grad_out = random(with(c.lead, {c.T, c.Ev}), 4);
  const Attention expected = plain(q, k, v, options, grad_out);
  const Attention got = flash(q, k, v, options, grad_out);
  check_close(c.name + ", out", got.out, expected.out);
  check_close(c.name + ", dq", got.q, expected.q);
  check_close(c.name + ", dk", got.k, expected.k);
  check_close(c.name + ", dv", got.v, expected.v);
}

}  // namespace

// ---- values and gradients against the plain path -----------------------------------------------

TEST_CASE("flash_attention: values and gradients equal the plain path's") {
  for (const Case& c : cases())
    SUBCASE(c.name.c_str()) { CHECK_NOTHROW(check_case(c)); }
}

TEST_CASE("flash_attention: heads split by a transpose are read in place, with the same result") {
  // q [B, T, H, E] viewed as [B, H, T, E]: strides [T H E, E, H E, 1], the layout of split heads.
  const Tensor q = random({2, 70, 3, 8}, 1).transpose(1, 2);
  const Tensor k = random({2, 90, 3, 8}, 2).transpose(1, 2);
  const Tensor v = random({2, 90, 3, 8}, 3).transpose(1, 2);
  const Tensor grad_out = random({2, 70, 3, 8}, 4).transpose(1, 2);
  FlashAttentionOptions options;
  options.scale = real(0.35);
  options.causal = true;
  const Attention strided = flash(q, k, v, options, grad_out);
  const Attention dense =
      flash(q.contiguous(), k.contiguous(), v.contiguous(), options, grad_out.contiguous());
  CHECK(strided.out.to_vector() == dense.out.to_vector());
  check_close("strided against plain", strided.q, plain(q, k, v, options, grad_out).q);
}

TEST_CASE("flash_attention: a query that sees no key gets zeros, L = -inf, no gradient, no NaN") {
  FlashAttentionOptions options;
  options.mask = Tensor::from_vector({1, 1, 2, 3}, {0, 0, 0, 0, 1, 1});  // query 0 sees nothing
  const Tensor q = random({1, 1, 2, 4}, 1), k = random({1, 1, 3, 4}, 2);
  const Tensor v = random({1, 1, 3, 4}, 3);
  Tensor logsumexp;
  const Tensor out = flash_attention_forward(q, k, v, options, &logsumexp);
  for (int64_t e = 0; e < 4; ++e) CHECK(out.at({0, 0, 0, e}) == 0);
  CHECK(logsumexp.at({0, 0, 0}) == kMinusInf);
  CHECK(std::isfinite(logsumexp.at({0, 0, 1})));
  const FlashAttentionGradients g =
      flash_attention_backward(q, k, v, options, out, logsumexp, Tensor::ones(out.shape()));
  for (int64_t e = 0; e < 4; ++e) CHECK(g.q.at({0, 0, 0, e}) == 0);
  for (const Tensor& t : {g.q, g.k, g.v})
    for (real x : t.to_vector()) CHECK(std::isfinite(x));
  // Key 0 is hidden from both queries: it gets no gradient.
  for (int64_t e = 0; e < 4; ++e) CHECK(g.k.at({0, 0, 0, e}) == 0);
  for (int64_t e = 0; e < 4; ++e) CHECK(g.v.at({0, 0, 0, e}) == 0);
}

TEST_CASE("flash_attention: logsumexp is log sum_s exp(scale q . k) of each row") {
  // q = [1, 0], k = [[0, 0], [ln 3, 0]], scale 1: scores [0, ln 3], L = log(1 + 3) = ln 4.
  const Tensor q = Tensor::from_vector({1, 1, 2}, {1, 0});
  const Tensor k = Tensor::from_vector({1, 2, 2}, {0, 0, real(std::log(3.0)), 0});
  const Tensor v = Tensor::from_vector({1, 2, 1}, {4, 8});
  Tensor logsumexp;
  const Tensor out = flash_attention_forward(q, k, v, {}, &logsumexp);
  CHECK(logsumexp.item() == doctest::Approx(std::log(4.0)).epsilon(kTol));
  CHECK(out.item() == doctest::Approx(0.25 * 4 + 0.75 * 8).epsilon(kTol));  // weights 1/4, 3/4
}

// ---- threads, memory, errors --------------------------------------------------------------------

TEST_CASE("flash_attention: bitwise the same values and gradients at 1, 2 and 4 threads") {
  const Tensor q = random({3, 2, 250, 16}, 1), k = random({3, 2, 260, 16}, 2);
  const Tensor v = random({3, 2, 260, 16}, 3), grad_out = random({3, 2, 250, 16}, 4);
  for (bool causal : {false, true}) {
    FlashAttentionOptions options;
    options.scale = real(0.25);
    options.causal = causal;
    options.query_offset = 10;
    auto run = [&] {
      const Attention a = flash(q, k, v, options, grad_out);
      return std::vector<std::vector<real>>{a.out.to_vector(), a.q.to_vector(), a.k.to_vector(),
                                            a.v.to_vector()};
    };
    const auto one = with_threads(1, run);
    CHECK(with_threads(2, run) == one);
    CHECK(with_threads(4, run) == one);
  }
}

TEST_CASE("flash_attention: memory beyond the outputs is linear, no [T, S] tensor") {
  // T = S = 1024: a [2, T, S] tensor of scores would be 8 MiB in float.
  const Tensor q = random({2, 1024, 16}, 1), k = random({2, 1024, 16}, 2);
  const Tensor v = random({2, 1024, 16}, 3), grad_out = random({2, 1024, 16}, 4);
  FlashAttentionOptions options;
  options.causal = true;
  const int64_t slack = 64 << 10;  // allocation rounding
  // The peak moves only when live memory passes it. Run alone, as CTest runs each case, the peak
  // is the live memory now, so every byte it grows by is the call's; after other cases in the
  // same process it may not move at all, and the check holds trivially.
  const int64_t peak_before = peak_tensor_bytes(), before = live_tensor_bytes();
  Tensor logsumexp;
  const Tensor out = flash_attention_forward(q, k, v, options, &logsumexp);
  const int64_t outputs = (out.numel() + logsumexp.numel()) * int64_t(sizeof(real));
  CHECK(peak_tensor_bytes() <= std::max(peak_before, before + outputs + slack));
  const int64_t peak_between = peak_tensor_bytes(), between = live_tensor_bytes();
  const FlashAttentionGradients g =
      flash_attention_backward(q, k, v, options, out, logsumexp, grad_out);
  const int64_t gradients = (g.q.numel() + g.k.numel() + g.v.numel()) * int64_t(sizeof(real));
  CHECK(peak_tensor_bytes() <= std::max(peak_between, between + gradients + slack));
}

TEST_CASE("flash_attention: shape mismatches are errors naming the op and the shapes") {
  const Tensor q = random({2, 3, 4}, 1), k = random({2, 5, 4}, 2), v = random({2, 5, 6}, 3);
  CHECK_THROWS_WITH_AS(flash_attention_forward(q, random({2, 5, 3}, 2), v, {}, nullptr),
                       "flash_attention: q [2,3,4], k [2,5,3], v [2,5,6]: q and k widths E differ",
                       Error);
  CHECK_THROWS_WITH_AS(flash_attention_forward(q, k, random({2, 4, 6}, 3), {}, nullptr),
                       "flash_attention: q [2,3,4], k [2,5,4], v [2,4,6]: k and v key counts S "
                       "differ",
                       Error);
  CHECK_THROWS_WITH_AS(flash_attention_forward(q, random({3, 5, 4}, 2), random({3, 5, 6}, 3), {},
                                               nullptr),
                       "flash_attention: q [2,3,4], k [3,5,4], v [3,5,6]: leading axes differ",
                       Error);
  CHECK_THROWS_WITH_AS(
      flash_attention_forward(random({3, 4}, 1), random({5, 4}, 2), random({5, 6}, 3), {},
                              nullptr),
      doctest::Contains("flash_attention: q [3,4], k [5,4], v [5,6]: need one rank, at least 3"),
      Error);
  FlashAttentionOptions options;
  options.mask = Tensor::ones({2, 1, 4});
  CHECK_THROWS_WITH_AS(flash_attention_forward(q, k, v, options, nullptr),
                       "flash_attention: mask [2,1,4] does not broadcast to the scores [2,3,5] of "
                       "q [2,3,4], k [2,5,4], v [2,5,6]",
                       Error);
  Tensor logsumexp;
  const Tensor out = flash_attention_forward(q, k, v, {}, &logsumexp);
  CHECK_THROWS_WITH_AS(
      flash_attention_backward(q, k, v, {}, out, logsumexp, Tensor::ones({2, 3, 5})),
      "flash_attention_backward: grad_out [2,3,5] must be [2,3,6]", Error);
  CHECK_THROWS_WITH_AS(
      flash_attention_backward(q, k, v, {}, out, Tensor(), Tensor::ones({2, 3, 6})),
      "flash_attention_backward: logsumexp (undefined) must be [2,3]", Error);
}
