// Cross-entropy fused with log-softmax, with label smoothing and an ignored class (see
// cross_entropy.h).
//
// For a row of logits z [V] with target t, p = log_softmax(z), smoothing e:
//   q_j = e/V for j != t,  q_t = 1 - e + e/V          (Szegedy et al. 2016 §7; Vaswani §5.4)
//   loss_row = -sum_j q_j p_j
//   loss = (1/count) sum over counted rows of loss_row  (0 when count = 0)
// which is PyTorch's F.cross_entropy(logits, targets, ignore_index=i, label_smoothing=e).
//
// Backward: p_j = z_j - log sum_k exp(z_k) gives dp_j/dz_k = [j == k] - softmax(z)_k, and the q_j
// sum to 1, so dloss_row/dz_k = -sum_j q_j ([j == k] - softmax_k) = softmax(z)_k - q_k.
// The gradient is one subtraction per logit; no softmax Jacobian is ever built.
#include "tensor/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "tensor/error.h"
#include "tensor/exp_nonpositive.h"
#include "tensor/reduce.h"
#include "tensor/softmax.h"
#include "tensor/thread_pool.h"

namespace attn {

namespace {

constexpr int64_t kIgnored = -1;  // a row's class in read_targets when its target is ignored
// Elements per parallel chunk: below this, another thread costs more than it saves.
constexpr int64_t kGrain = 1 << 14;

// A real as an error message shows it: 3, -1, 2.5, nan.
std::string format(real value) {
  std::ostringstream text;
  text.precision(std::numeric_limits<real>::max_digits10);
  text << value;
  return text.str();
}

// Throws unless logits is [N, V] with V > 0, targets is [N] and e is in [0, 1].
void check_inputs(const std::string& op, const Tensor& logits, const Tensor& targets, real e) {
  check(logits.defined() && logits.ndim() == 2, op, [&] {
    return "logits must be [N, V], got " +
           (logits.defined() ? to_string(logits.shape()) : "(undefined)");
  });
  check(logits.size(1) > 0, op,
        [&] { return "logits " + to_string(logits.shape()) + " have no classes"; });
  const Shape expected = {logits.size(0)};
  check(targets.defined() && targets.shape() == expected, op, [&] {
    return "targets " + (targets.defined() ? to_string(targets.shape()) : "(undefined)") +
           " must be " + to_string(expected) + ", one class per row of logits " +
           to_string(logits.shape());
  });
  check(e >= 0 && e <= 1, op,
        [&] { return "label_smoothing " + format(e) + " must be in [0, 1]"; });
}

// Each row's class in [0, V), or kIgnored where the target is ignore_index. Any other target
// that is not a whole number in range throws (NaN fails every comparison, so the first check).
std::vector<int64_t> read_targets(const std::string& op, const Tensor& targets,
                                  int64_t ignore_index, int64_t V) {
  std::vector<int64_t> classes;
  classes.reserve(targets.numel());
  for (real value : targets.to_vector()) {
    if (double(value) == double(ignore_index)) {
      classes.push_back(kIgnored);
      continue;
    }
    // The messages are built only on failure: this loop runs for every target of every batch.
    if (value != std::floor(value))
      throw Error(op + ": target " + format(value) + " is not a whole number (" +
                  std::to_string(V) + " classes)");
    if (!(value >= 0 && double(value) < double(V)))
      throw Error(op + ": target " + format(value) + " is out of range for " +
                  std::to_string(V) + " classes");
    classes.push_back(static_cast<int64_t>(value));
  }
  return classes;
}

// -sum_j q_j p_j for one row of log-probabilities p [V] with target t. The smoothing term is
// skipped when e = 0, so a -inf log-probability (a masked class) costs nothing instead of
// giving 0 * -inf = NaN; q_t > 0 always, so the target's own term is always taken.
double row_loss(const real* p, int64_t V, int64_t t, real e) {
  const double smooth = double(e) / V;  // q_j for j != t
  double loss = -(1 - double(e) + smooth) * p[t];
  if (smooth > 0) loss -= smooth * (sum_in_double(p, t) + sum_in_double(p + t + 1, V - t - 1));
  return loss;
}

}  // namespace

// ---- forward ----------------------------------------------------------------------------------

CrossEntropyForward cross_entropy_forward(const Tensor& logits, const Tensor& targets,
                                          int64_t ignore_index, real label_smoothing) {
  const std::string op = "cross_entropy";
  check_inputs(op, logits, targets, label_smoothing);
  const int64_t N = logits.size(0), V = logits.size(1);
  const std::vector<int64_t> classes = read_targets(op, targets, ignore_index, V);

  CrossEntropyForward out;
  out.log_probs = log_softmax(logits, 1);  // [N, V]
  const real* p = out.log_probs.data();
  std::vector<double> row_losses(static_cast<size_t>(N), 0.0);  // [N], 0 on ignored rows
  parallel_for(N, std::max<int64_t>(1, kGrain / V), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      if (classes[r] != kIgnored) row_losses[r] = row_loss(p + r * V, V, classes[r], label_smoothing);
  });
  double total = 0;  // summed in row order, whatever the thread count
  for (int64_t r = 0; r < N; ++r) {
    if (classes[r] == kIgnored) continue;
    total += row_losses[r];
    ++out.count;
  }
  out.loss = Tensor::scalar(static_cast<real>(out.count > 0 ? total / out.count : 0.0));  // []
  return out;
}

// ---- backward ---------------------------------------------------------------------------------

// In the forward pass this was loss = (1/count) sum_rows -sum_j q_j p_j with p = log_softmax(z),
// so now dz_j = grad_loss * (exp(p_j) - q_j) / count on counted rows, and 0 on ignored ones.
Tensor cross_entropy_backward(const Tensor& log_probs_in, const Tensor& targets, int64_t count,
                              int64_t ignore_index, real label_smoothing, real grad_loss) {
  const std::string op = "cross_entropy_backward";
  check_inputs(op, log_probs_in, targets, label_smoothing);
  const int64_t N = log_probs_in.size(0), V = log_probs_in.size(1);
  const std::vector<int64_t> classes = read_targets(op, targets, ignore_index, V);
  int64_t counted = 0;
  for (int64_t c : classes) counted += c != kIgnored;
  check(count == counted, op, [&] {
    return "count " + std::to_string(count) + " differs from " + std::to_string(counted) +
           ", the number of rows whose target is not ignore_index";
  });

  const Tensor log_probs = log_probs_in.contiguous();
  if (count == 0) return Tensor::zeros(log_probs.shape());
  Tensor grad = Tensor::empty(log_probs.shape());  // [N, V], every row written below
  const double scale = double(grad_loss) / count;
  const double smooth = double(label_smoothing) / V;  // q_j for j != t
  const double q_target = 1 - double(label_smoothing) + smooth;
  const real* p = log_probs.data();
  real* dz = grad.data();
  parallel_for(N, std::max<int64_t>(1, kGrain / V), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const int64_t t = classes[r];
      const real* row = p + r * V;  // [V]
      real* out = dz + r * V;       // [V]
      if (t == kIgnored) {
        std::fill(out, out + V, real(0));
        continue;
      }
      // Every class as a non-target first (one vectorisable loop), then the target corrected.
      for (int64_t j = 0; j < V; ++j)
        out[j] = static_cast<real>(scale * (exp_nonpositive(row[j]) - smooth));
      out[t] = static_cast<real>(scale * (exp_nonpositive(row[t]) - q_target));
    }
  });
  return grad;
}

}  // namespace attn
