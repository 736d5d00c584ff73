// Example 2: a two-layer perceptron learns XOR with plain gradient descent.
//
// What it teaches: parameters, a forward pass, a loss, backward, and the SGD update
//   theta <- theta - lr * dL/dtheta
// on the classic problem no single linear layer can solve (Minsky & Papert 1969):
//   h = tanh(X W1 + b1)          X [4, 2], W1 [2, 8]  -> h [4, 8]
//   p = sigmoid(h W2 + b2)       W2 [8, 1]            -> p [4, 1]
//   L = mean((p - y)^2)
//
// Run: build/examples/02_xor        (make demo runs it until the translation demo exists)
#include <cstdio>
#include <vector>

#include "autograd/ops.h"
#include "tensor/elementwise.h"
#include "tensor/random.h"

using namespace attn;

int main() {
  const Variable X(Tensor::from_vector({4, 2}, {0, 0, 0, 1, 1, 0, 1, 1}));
  const Tensor y = Tensor::from_vector({4, 1}, {0, 1, 1, 0});

  Generator generator(7);
  Variable W1(xavier_uniform({2, 8}, generator), true), b1(Tensor::zeros({8}), true);
  Variable W2(xavier_uniform({8, 1}, generator), true), b2(Tensor::zeros({1}), true);
  std::vector<Variable*> parameters{&W1, &b1, &W2, &b2};

  const real learning_rate = 0.5;
  Variable p;
  for (int step = 0; step <= 2000; ++step) {
    Variable h = tanh(matmul(X, W1) + b1);  // [4, 8]
    p = sigmoid(matmul(h, W2) + b2);        // [4, 1]
    Variable loss = mean(pow(p - Variable(y), 2));
    for (Variable* parameter : parameters) parameter->zero_grad();
    loss.backward();
    for (Variable* parameter : parameters)
      add_into(parameter->mutable_value(), parameter->grad(), -learning_rate);
    if (step % 400 == 0) std::printf("step %4d  loss %.5f\n", step, loss.item());
  }

  int correct = 0;
  for (int i = 0; i < 4; ++i) {
    const real prediction = p.value().at({i, 0});
    correct += (prediction > 0.5f) == (y.at({i, 0}) > 0.5f);
    std::printf("%g xor %g -> %.3f\n", X.value().at({i, 0}), X.value().at({i, 1}), prediction);
  }
  std::printf("xor: accuracy %d/4\n", correct);
  return correct == 4 ? 0 : 1;
}
