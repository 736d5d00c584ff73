// Example 4: a Transformer learns to copy.
//
// What it teaches: the whole encoder-decoder (Vaswani et al. 2017) on the simplest sequence task
// with one right answer. Sources are random strings of 10 symbols (a..j), 5 to 10 long; the
// target is the source itself:
//   source  c a j j b          target_in  ^ c a j j b         target_out  c a j j b $
// (^ = <bos>, $ = <eos>). Trained with teacher forcing, the decoder reads target_in and predicts
// target_out at every position at once; at test time it generates greedily, one token at a time,
// from ^ alone. There are 10^5 .. 10^10 strings, so the model cannot memorise them: it must learn
// the rule "output position i reads source position i", which the cross-attention picture shows
// as a diagonal. Positions are the only thing that tells the copies apart (remove them and the
// model cannot know which symbol comes next).
//
// Run: build/examples/04_copy_task [--score NAME] [--steps N] [--seed N] [--norm pre|post]
//   --score additive trains Bahdanau's score inside the same Transformer, --norm pre the pre-LN
//   variant; any registered score function works.
// Prints the loss as it trains, greedy predictions of fresh strings, the cross-attention of one,
// and last the token accuracy over 1000 fresh strings: "copy task: token accuracy 99.8%".
#include "examples/toy_example.h"

using namespace attn;

int main(int argc, char** argv) {
  ToyTask task;  // copy, 10 symbols, lengths 5..10
  ToyExampleOptions defaults;
  defaults.steps = 600;
  return run_toy_example("copy task", task, defaults, argc, argv);
}
