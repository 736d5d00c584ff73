// Attention's fixed plumbing: score, mask, softmax, reweight, dropout, weighted sum
// (see attention.h).
//
//   E = score(Q, K)                              [..., T, S]
//   E = masked_fill(E, mask == 0, -inf)          exp(-inf) = 0: masked keys get exactly 0 weight
//                                                (mask: the caller's and the score's own, joined)
//   A = reweight(softmax(E, over s))             a fully masked row gives zeros, not 0/0
//                                                with c empty slots: softmax over [E, log c],
//                                                the last column dropped
//     or A = reweight(E), masked scores 0        without the softmax (linear start)
//   C = dropout(A) @ V                           [..., T, Ev]
// Backward needs nothing special: masked_fill sends no gradient to the filled scores, and the
// softmax backward dx = y * (g - <g, y>) is 0 wherever y is 0, fully masked rows included.
// With a score that looks back, the rows are computed one after another and each row's weights
// enter the next row's score through the history, so the gradient flows back along it too.
// The tiled path (attention.h) replaces all of the above by one op, flash_attention, when the
// score is a plain scaled dot product and no one needs A.
#include "nn/attention/attention.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "autograd/ops.h"
#include "nn/attention/mask.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/flash_attention.h"
#include "tensor/index.h"
#include "tensor/join.h"

namespace attn {

// ---- the alignment history ----------------------------------------------------------------------

void AlignmentHistory::append(const Variable& weights) {
  cumulative = empty() ? weights : cumulative + weights;  // [..., 1, S]
  previous = weights;                                     // [..., 1, S]
}

void AlignmentHistory::grow_to(int64_t keys) {
  if (empty() || previous.size(-1) >= keys) return;
  Shape zeros_shape = previous.shape();
  zeros_shape.back() = keys - previous.size(-1);
  const Variable zeros(Tensor::zeros(zeros_shape));           // [..., 1, new keys]
  previous = concat({previous, zeros}, previous.ndim() - 1);  // [..., 1, S]
  cumulative = concat({cumulative, zeros}, cumulative.ndim() - 1);
}

void AlignmentHistory::select_rows(const Tensor& rows) {
  if (empty()) return;
  previous = Variable(index_select(previous.value(), 0, rows));
  cumulative = Variable(index_select(cumulative.value(), 0, rows));
}

// ---- the plumbing -------------------------------------------------------------------------------

namespace {

constexpr real kMinusInf = -std::numeric_limits<real>::infinity();

void check_shapes(const Variable& queries, const Variable& keys, const Variable& values) {
  check(queries.ndim() == 3 || queries.ndim() == 4, "attention", [&] {
    return "queries must be [B, T, Eq] or [B, H, T, Eq], got " + to_string(queries.shape());
  });
  check(keys.ndim() == queries.ndim() && values.ndim() == queries.ndim(), "attention", [&] {
    return "queries " + to_string(queries.shape()) + ", keys " + to_string(keys.shape()) +
           " and values " + to_string(values.shape()) + " must have the same rank";
  });
  const int leading = queries.ndim() - 2;  // the "..." axes: [B] or [B, H]
  bool keys_fit_values = true, queries_fit_keys = true;
  for (int i = 0; i <= leading; ++i) keys_fit_values &= keys.size(i) == values.size(i);
  for (int i = 0; i < leading; ++i) queries_fit_keys &= queries.size(i) == keys.size(i);
  check(keys_fit_values, "attention", [&] {
    return "keys " + to_string(keys.shape()) + " and values " + to_string(values.shape()) +
           " must agree on [..., S]";
  });
  check(queries_fit_keys, "attention", [&] {
    return "queries " + to_string(queries.shape()) + " and keys " + to_string(keys.shape()) +
           " must agree on the leading axes";
  });
}

// softmax(scores) over the last axis as if each row also had c slots of score 0 (empty slots):
// they are one more column of score log c, dropped after the softmax. c = 0 gives log 0 = -inf,
// no weight at all. [..., R, S], c broadcasting to [..., R, 1] -> [..., R, S]
Variable softmax_with_empty_slots(const Variable& scores, const Tensor& empty_slots) {
  Shape column = scores.shape();
  column.back() = 1;
  const Variable empty(log(empty_slots).expand(column).contiguous());  // [..., R, 1]
  const Variable weights = softmax(concat({scores, empty}, -1), -1);   // [..., R, S + 1]
  return narrow(weights, -1, 0, scores.size(-1));                      // [..., R, S]
}

// Scores, mask, softmax and reweight for the given query rows: queries [..., R, Eq] -> [..., R, S].
Variable weights_for(ScoreFunction& score, const Variable& queries, const Variable& keys,
                     const ScoreContext& context, bool use_softmax, const Tensor& empty_slots) {
  Shape expected = queries.shape();
  expected.back() = keys.size(-2);
  Variable scores = score.scores(queries, keys, context);  // [..., R, S]
  check(scores.shape() == expected, "attention", [&] {
    return "the score function returned " + to_string(scores.shape()) + " for queries " +
           to_string(queries.shape()) + " and keys " + to_string(keys.shape()) +
           "; expected [..., T, S] = " + to_string(expected);
  });
  // The one place a mask becomes -inf: where the caller's mask or the score's own says 0.
  Tensor mask = context.mask;
  const Tensor own = score.restrict_keys(queries, keys, context);
  if (own.defined()) mask = mask.defined() ? combine_masks(mask, own) : own;
  if (!use_softmax) {
    if (mask.defined()) scores = masked_fill(scores, eq(mask, Tensor::scalar(0)), 0);
    return score.reweight(scores, queries, context);  // [..., R, S]
  }
  if (mask.defined()) scores = masked_fill(scores, eq(mask, Tensor::scalar(0)), kMinusInf);
  const Variable weights = empty_slots.defined() ? softmax_with_empty_slots(scores, empty_slots)
                                                 : softmax(scores, -1);
  return score.reweight(weights, queries, context);  // [..., R, S]
}

// Row t of a mask that broadcasts to [..., T, S], or of empty_slots [..., T, 1] (one without a T
// axis serves every row).
Tensor mask_row(const Tensor& mask, int64_t t) {
  if (!mask.defined() || mask.ndim() < 2 || mask.size(-2) == 1) return mask;
  return mask.narrow(mask.ndim() - 2, t, 1);
}

// A looking-back score's weights, one query row after another: [..., T, S].
Variable weights_row_by_row(ScoreFunction& score, const Variable& queries, const Variable& keys,
                            const ScoreContext& context, AlignmentHistory& history,
                            bool use_softmax, const Tensor& empty_slots) {
  const int64_t T = queries.size(-2), S = keys.size(-2);
  std::vector<Variable> rows;
  for (int64_t t = 0; t < T; ++t) {
    history.grow_to(S);
    ScoreContext row = context;
    row.query_offset += t;
    row.mask = mask_row(context.mask, t);
    row.history = &history;
    const Variable weights =
        weights_for(score, narrow(queries, -2, t, 1), keys, row, use_softmax,
                    mask_row(empty_slots, t));  // [..., 1, S]
    history.append(weights);
    rows.push_back(weights);
  }
  return rows.size() == 1 ? rows[0] : concat(rows, -2);  // [..., T, S]
}

}  // namespace

namespace {

// The caller's mask and empty slots fit the scores [..., T, S] and the rows [..., T, 1].
void check_options(const Variable& queries, const Variable& keys, const AttentionOptions& options) {
  if (options.mask.defined()) {
    Shape scores_shape = queries.shape();
    scores_shape.back() = keys.size(-2);
    check(broadcasts_to(options.mask.shape(), scores_shape), "attention", [&] {
      return "mask " + to_string(options.mask.shape()) +
             " does not broadcast to the scores [..., T, S] = " + to_string(scores_shape);
    });
  }
  if (options.empty_slots.defined()) {
    Shape column = queries.shape();
    column.back() = 1;
    check(broadcasts_to(options.empty_slots.shape(), column), "attention", [&] {
      return "empty_slots " + to_string(options.empty_slots.shape()) +
             " does not broadcast to [..., T, 1] = " + to_string(column);
    });
    for (real c : options.empty_slots.to_vector())
      check(c >= 0 && std::isfinite(c), "attention",
            [&] { return "empty_slots must be counts >= 0, got " + std::to_string(c); });
  }
}

// Scores, mask, softmax and reweight for every query: [..., T, S].
Variable all_weights(ScoreFunction& score, const Variable& queries, const Variable& keys,
                     const AttentionOptions& options) {
  ScoreContext context;
  context.kind = options.kind;
  context.query_offset = options.query_offset;
  context.key_offset = options.key_offset;
  context.mask = options.mask;
  if (!score.uses_history())
    return weights_for(score, queries, keys, context, options.softmax, options.empty_slots);
  AlignmentHistory fresh;
  return weights_row_by_row(score, queries, keys, context,
                            options.history ? *options.history : fresh, options.softmax,
                            options.empty_slots);
}

// From this many scores per [T, S] matrix on, the tiled kernel ran forward and backward faster
// than the plain path on one thread (T = S = 64; bench/README.md, attention_layer_bench).
constexpr int64_t kTiledFrom = 64 * 64;

// The tiled kernel computes the same context when the score is a plain scaled dot product and
// nothing happens to the weights between the softmax and the sum: no dropout acting on them,
// no empty slots, and no caller who needs them.
bool takes_tiled_path(const ScoreFunction& score, const Variable& queries, const Variable& keys,
                      const AttentionOptions& options) {
  const bool dropout_acts =
      options.dropout && options.dropout->is_training() && options.dropout->p() > 0;
  return !options.need_weights && options.softmax && !options.empty_slots.defined() &&
         !dropout_acts && score.dot_product_scale(keys.size(-1)) > 0 &&
         queries.size(-2) * keys.size(-2) >= kTiledFrom;
}

}  // namespace

AttentionResult attend(ScoreFunction& score, const Variable& queries, const Variable& keys,
                       const Variable& values, const AttentionOptions& options) {
  check_shapes(queries, keys, values);
  check_options(queries, keys, options);
  if (takes_tiled_path(score, queries, keys, options)) {
    FlashAttentionOptions tiled;
    tiled.scale = score.dot_product_scale(keys.size(-1));
    tiled.mask = options.mask;
    return {flash_attention(queries, keys, values, tiled), Variable()};  // [..., T, Ev]
  }
  const Variable weights = all_weights(score, queries, keys, options);  // [..., T, S]
  const Variable kept = options.dropout ? options.dropout->forward(weights) : weights;
  const Variable context_vectors =
      matmul(kept, values);  // [..., T, S] @ [..., S, Ev] -> [..., T, Ev]
  return {context_vectors, weights};
}

Tensor attention_weights_of(ScoreFunction& score, const Variable& queries, const Variable& keys,
                            const AttentionOptions& options) {
  check_options(queries, keys, options);
  NoGradGuard no_graph;
  return all_weights(score, queries, keys, options).value();  // [..., T, S]
}

AttentionResult attend_one(ScoreFunction& score, const Variable& query, const Variable& keys,
                           const Variable& values, const AttentionOptions& options) {
  check(query.ndim() == 2, "attention", [&] {
    return "attend_one takes one query per sequence, [B, Eq], got " + to_string(query.shape());
  });
  check(!options.mask.defined() || options.mask.ndim() == 2, "attention",
        [&] { return "attend_one takes a mask [B, S], got " + to_string(options.mask.shape()); });
  check(!options.empty_slots.defined() || options.empty_slots.ndim() == 1, "attention", [&] {
    return "attend_one takes empty_slots [B], got " + to_string(options.empty_slots.shape());
  });
  AttentionOptions one = options;
  if (options.mask.defined()) one.mask = options.mask.unsqueeze(1);  // [B, 1, S]
  if (options.empty_slots.defined()) {
    const int64_t rows = options.empty_slots.size(0);
    one.empty_slots = options.empty_slots.reshape({rows, 1, 1});  // [B, 1, 1]
  }
  const AttentionResult result = attend(score, unsqueeze(query, 1), keys, values, one);  // T = 1
  return {squeeze(result.context, 1), squeeze(result.weights, 1)};  // [B, Ev], [B, S]
}

}  // namespace attn
