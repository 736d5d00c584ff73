// Example 5: a Transformer learns to reverse.
//
// What it teaches: attention can read any position, not only the one next in line. The target
// is the source backwards:
//   source  c a j j b          target_in  ^ b j j a c         target_out  b j j a c $
// Output position i must read source position n-1-i, which depends on the length n, different
// for every string (5 to 10 symbols, a..j). The encoder's self-attention can see where the
// padding starts and so where the string ends; the decoder's cross-attention then learns to walk
// the source from its end. The picture is an anti-diagonal, whose start moves with the length.
// Compare example 4: same model, same code, only the data differ, and reversing takes somewhat
// longer to learn. (Sutskever et al. 2014 reversed their source sentences for a recurrent model,
// so that the first target words sat near the last source words it read; attention makes every
// distance the same.)
//
// Run: build/examples/05_reverse_task [--score NAME] [--steps N] [--seed N] [--norm pre|post]
// Prints the loss as it trains, greedy predictions of fresh strings, the cross-attention of one,
// and last the token accuracy over 1000 fresh strings: "reverse task: token accuracy 99.6%".
#include "examples/toy_example.h"

using namespace attn;

int main(int argc, char** argv) {
  ToyTask task;  // 10 symbols, lengths 5..10
  task.kind = ToyTaskKind::reverse;
  ToyExampleOptions defaults;
  defaults.steps = 1200;
  return run_toy_example("reverse task", task, defaults, argc, argv);
}
