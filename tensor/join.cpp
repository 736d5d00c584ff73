// Joining tensors: concat along an existing dimension, stack along a new one (see join.h).
//
//   concat([A [2,3], B [4,3]], 0) -> [6,3]:  rows 0..1 are A, rows 2..5 are B
//   stack(xs, d) = concat([x.unsqueeze(d) for x in xs], d)
// Each piece is copied into its own narrow() window of the result, so the backward is a
// narrow() of the gradient back into the pieces (autograd/views.cpp).
#include "tensor/join.h"

#include "tensor/error.h"

namespace attn {

// Throws unless the list is non-empty and every tensor in it is defined.
static void check_pieces(const std::string& op, const std::vector<Tensor>& tensors) {
  check(!tensors.empty(), op, "needs at least one tensor");
  for (size_t i = 0; i < tensors.size(); ++i)
    check(tensors[i].defined(), op,
          [&] { return "tensor " + std::to_string(i) + " is undefined"; });
}

Tensor concat(const std::vector<Tensor>& tensors, int dim) {
  const std::string op = "concat";
  check_pieces(op, tensors);
  const Shape& first = tensors[0].shape();
  const int d = normalize_dim(op, dim, tensors[0].ndim());

  // Every piece must match the first outside dim; the result is as long as all of them in dim.
  Shape shape = first;
  shape[d] = 0;
  for (const Tensor& t : tensors) {
    Shape other = t.shape();
    const bool same_rank = other.size() == first.size();
    if (same_rank) other[d] = first[d];
    check(same_rank && other == first, op, [&] {
      return to_string(first) + " and " + to_string(t.shape()) + " differ outside dimension " +
             std::to_string(d);
    });
    shape[d] += t.shape()[d];
  }

  Tensor out(shape);
  int64_t start = 0;
  for (const Tensor& t : tensors) {
    const int64_t length = t.shape()[d];
    out.narrow(d, start, length).copy_from(t);  // out[.., start:start+length, ..] = t
    start += length;
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int dim) {
  const std::string op = "stack";
  check_pieces(op, tensors);
  const Shape& first = tensors[0].shape();
  for (const Tensor& t : tensors)
    check(t.shape() == first, op, [&] {
      return to_string(first) + " and " + to_string(t.shape()) +
             " differ; stack needs equal shapes";
    });
  // The new dimension may go anywhere from before the first to after the last: 0..ndim.
  const int d = normalize_dim(op, dim, tensors[0].ndim() + 1);

  std::vector<Tensor> pieces;
  pieces.reserve(tensors.size());
  for (const Tensor& t : tensors) pieces.push_back(t.unsqueeze(d));  // [.., 1, ..]
  return concat(pieces, d);                                          // [.., count, ..]
}

}  // namespace attn
