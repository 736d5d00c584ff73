// The scalar type of every tensor in attn.
//
// attn computes in one floating-point type, `real`: float32 by default, as every CPU training
// framework does. The CMake option ATTN_FLOAT64 turns it into double for the whole library; the
// test suite is built both ways, because finite-difference gradient checks are only sharp in
// double precision (float32 rounding noise is ~1e-7 * |f| / eps, which swamps small gradients).
//
// There is no integer dtype: token ids, indices and boolean masks are stored as whole numbers in
// real tensors (exact up to 2^24 in float32, far above any vocabulary we train), and a mask is
// 1 where attention is allowed and 0 where it is not.
#pragma once

namespace attn {

#ifdef ATTN_FLOAT64
using real = double;
#else
using real = float;
#endif

}  // namespace attn
