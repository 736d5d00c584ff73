// Example 7: the attention of the lectures' first picture. A recurrent encoder-decoder with
// Bahdanau attention learns to reverse.
//
// What it teaches: attention as Bahdanau, Cho & Bengio 2015 introduced it (models/rnn/bahdanau.h).
// A bidirectional GRU reads the source into one vector per symbol, h_1 .. h_S. Before each
// output symbol, the decoder's previous state s_{t-1} scores every h_s with a small network,
//   e_ts = v^T tanh(W s_{t-1} + U h_s),   a_t = softmax(e_t),   c_t = sum_s a_ts h_s,
// and the GRU reads the blend c_t with the previous symbol to make its next state. Without
// attention the decoder would have to carry the whole source in s_0 (Sutskever et al. 2014
// reversed their sources for exactly that reason); with it, each output symbol looks up the
// source symbol it needs, and the weights a_t draw the alignment: for reversing, an
// anti-diagonal whose start moves with the length.
//
// The task and the loop are example 5's (5 to 10 symbols a..j, fresh batches): only the model
// differs. Every score function plugs in: --score dot, general, location_aware:width=5, ...
//
// Run: build/examples/07_recurrent_attention [--score NAME] [--steps N] [--seed N]
// Prints the loss as it trains, greedy predictions of fresh strings, the alignment of one as a
// text heatmap, and last the token accuracy over 1000 fresh strings:
// "recurrent attention, reverse task: token accuracy 99.4%".
#include "examples/toy_example.h"

using namespace attn;

int main(int argc, char** argv) {
  ToyTask task;  // 10 symbols, lengths 5..10
  task.kind = ToyTaskKind::reverse;
  ToyExampleOptions defaults;
  defaults.arch = "rnn";
  defaults.steps = 1500;
  return run_toy_example("recurrent attention, reverse task", task, defaults, argc, argv);
}
