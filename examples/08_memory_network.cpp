// Example 8: attention as reading from a memory. An end-to-end memory network answers questions
// about short stories, and shows which sentences it read to answer.
//
// What it teaches: Sukhbaatar et al. 2015 (models/memn2n/memn2n.h). The sentences of a story are
// the memory, the question is the query, and attention is a lookup: the question u scores every
// sentence m_i, the softmax turns the scores into weights p_i, and the answer is read from the
// weighted sum o = sum_i p_i c_i. With several hops, u + o asks again, so a second hop can look
// for what the first one found. On bAbI task 1 ("where is Mary?") one sentence matters, Mary's
// latest move, and the weights of a trained model pick it out: the lecture's table of hops.
//
// The recipe is the paper's (§4.2): SGD at 0.01 on the loss summed over batches of 32, the
// gradients clipped to norm 40, position encoding, temporal encoding with random noise, three
// hops with adjacent tying. Linear start is left out here to keep the loop short (attn babi
// train has it).
//
// Run: build/examples/08_memory_network [--train FILE --valid FILE] [--epochs N] [--seed N]
// Without files it trains on 1,000 generated stories in the form of task 1
// (train/data/where_stories.h); with them, on any bAbI files, e.g.
//   --train ../shared/data/babi/en-valid/qa1_train.txt --valid ../shared/data/babi/en-valid/qa1_valid.txt
// It prints the loss and validation accuracy as it trains, the table of one story, and last
// "memory network, where-is stories: accuracy 99.8% on 500 questions".
#include <cstdio>
#include <iostream>
#include <string>

#include "autograd/variable.h"
#include "models/memn2n/memn2n.h"
#include "train/babi_trainer.h"
#include "train/data/babi_data.h"
#include "train/data/where_stories.h"
#include "train/optim/schedule.h"
#include "train/optim/sgd.h"
#include "train/step.h"

using namespace attn;

namespace {

struct ExampleOptions {
  std::string train, valid;  // bAbI files; empty: generated stories
  int64_t epochs = 40;
  uint64_t seed = 1;
};

ExampleOptions parse(int argc, char** argv) {
  ExampleOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--train") options.train = value;
    else if (name == "--valid") options.valid = value;
    else if (name == "--epochs") options.epochs = std::stoll(value);
    else if (name == "--seed") options.seed = std::stoull(value);
    else throw std::runtime_error("unknown option " + name + " (--train, --valid, --epochs, --seed)");
  }
  if (argc % 2 == 0) throw std::runtime_error("every option needs a value");
  if (options.train.empty() != options.valid.empty())
    throw std::runtime_error("--train and --valid go together");
  return options;
}

double accuracy(MemN2N& model, const Vocabulary& vocabulary, const BabiFile& file) {
  return 1 - error_rate(model, vocabulary, file);
}

// The lecture's table: each sentence of the story with its attention in every hop.
void print_hops(MemN2N& model, const Vocabulary& vocabulary, const BabiFile& file, size_t q) {
  const BabiQuestion& question = file.questions[q];
  BabiFile one = file;
  one.questions = {question};
  const BabiData data({one}, vocabulary, model.config().memory_size, 1);
  EvalModeGuard eval(model);
  NoGradGuard no_grad;
  const Tensor weights = model.read(data.batch({0}).source).hop_weights.value();  // [1, K, S]
  const int64_t K = weights.size(1), S = weights.size(2);
  const auto& sentences = file.stories[static_cast<size_t>(question.story)].sentences;
  std::printf("\n%-40s", "story");
  for (int64_t k = 1; k <= K; ++k) std::printf("  hop %lld", static_cast<long long>(k));
  std::printf("\n");
  for (int64_t s = 0; s < S; ++s) {
    std::string text;
    for (const std::string& word : sentences[static_cast<size_t>(question.sentences_before - S + s)])
      text += word + " ";
    std::printf("%-40s", text.c_str());
    for (int64_t k = 0; k < K; ++k) std::printf("  %5.2f", weights.at({0, k, s}));
    std::printf("\n");
  }
  std::string asked;
  for (const std::string& word : question.words) asked += (asked.empty() ? "" : " ") + word;
  const int64_t predicted = predict_answers(model, vocabulary, one).at(0);
  std::printf("question: %s?  answer: %s  prediction: %s\n", asked.c_str(),
              question.answer.c_str(), vocabulary.token(predicted).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const ExampleOptions options = parse(argc, argv);
    const bool generated = options.train.empty();
    const BabiFile train = generated ? parse_babi(where_stories(200, 1), "generated training stories")
                                     : read_babi(options.train);
    const BabiFile valid = generated ? parse_babi(where_stories(100, 2), "generated validation stories")
                                     : read_babi(options.valid);
    const Vocabulary vocabulary = babi_vocabulary({train, valid});

    MemN2NConfig config;  // the paper's: D = 20, K = 3, 50 sentences, PE, TE, RN, adjacent tying
    config.source_vocab = config.target_vocab = vocabulary.size();
    config.seed = options.seed;
    MemN2N model(config);
    const BabiData data({train}, vocabulary, config.memory_size, 32);
    SGD sgd(model.named_parameters(), 0.01f);
    const int64_t batches = (static_cast<int64_t>(data.size()) + 31) / 32;
    const StepDecaySchedule schedule(0.01f, 25 * batches, 0.5f);  // halved every 25 epochs
    const StepOptions step_options{0, 40, true};  // no smoothing, clip at 40, summed gradients
    std::printf("%zu training questions, vocabulary %lld, %lld parameters\n", data.size(),
                static_cast<long long>(vocabulary.size()),
                static_cast<long long>(model.parameter_count()));

    Generator order(options.seed);
    int64_t step = 0;
    for (int64_t epoch = 1; epoch <= options.epochs; ++epoch) {
      double loss = 0;
      for (const auto& indices : data.epoch(order))
        loss += train_step(model, data.batch(indices), sgd, schedule, ++step, step_options).loss;
      if (epoch % 5 == 0)
        std::printf("epoch %3lld  loss %.4f  validation accuracy %5.1f%%\n",
                    static_cast<long long>(epoch), loss / static_cast<double>(batches),
                    100 * accuracy(model, vocabulary, valid));
    }
    print_hops(model, vocabulary, valid, 4);  // the fifth question: ten sentences to choose from
    std::printf("\nmemory network, %s: accuracy %.1f%% on %zu questions\n",
                generated ? "where-is stories" : valid.path.c_str(),
                100 * accuracy(model, vocabulary, valid), valid.questions.size());
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "08_memory_network: " << error.what() << "\n";
    return 1;
  }
}
