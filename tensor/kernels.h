// Everything in the tensor layer, for code that wants all of it.
#pragma once

#include "tensor/cross_entropy.h"
#include "tensor/elementwise.h"
#include "tensor/error.h"
#include "tensor/index.h"
#include "tensor/join.h"
#include "tensor/layer_norm.h"
#include "tensor/matmul.h"
#include "tensor/random.h"
#include "tensor/reduce.h"
#include "tensor/shape.h"
#include "tensor/softmax.h"
#include "tensor/tensor.h"
