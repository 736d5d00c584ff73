// Activations for the position-wise feed-forward network, chosen by name.
//
//   relu(x) = max(0, x)                  Vaswani et al. 2017, §3.3 (the paper's choice)
//   gelu(x) = x * Phi(x), Phi = N(0,1) CDF    Hendrycks & Gimpel 2016 (BERT, GPT), a named option
// Names are the ones configs and command lines use: "relu", "gelu".
#pragma once

#include <string>

#include "autograd/ops.h"
#include "tensor/error.h"

namespace attn {

enum class Activation { relu, gelu };

inline Variable activate(const Variable& x, Activation activation) {
  switch (activation) {
    case Activation::relu: return relu(x);
    case Activation::gelu: return gelu(x);
  }
  throw Error("activate: unknown activation");
}

inline std::string to_string(Activation activation) {
  switch (activation) {
    case Activation::relu: return "relu";
    case Activation::gelu: return "gelu";
  }
  throw Error("to_string: unknown activation");
}

// "relu" -> Activation::relu; throws listing the known names otherwise.
inline Activation activation_from_name(const std::string& name) {
  for (Activation activation : {Activation::relu, Activation::gelu})
    if (to_string(activation) == name) return activation;
  throw Error("activation: unknown name '" + name + "'; known: relu, gelu");
}

}  // namespace attn
