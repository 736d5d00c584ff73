// attn translate: sentences on stdin, translations on stdout, one per line, in order.
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "tensor/thread_pool.h"
#include "train/translator.h"

namespace attn::cli {

static const char* kHelp =
    "usage: attn translate --model DIR [--beam N] [--max-len N] < sentences > translations\n"
    "\n"
    "  --model DIR        a directory written by attn train (config.json, model.safetensors)\n"
    "  --beam N           beam size (default 4; 1 = greedy)\n"
    "  --length-penalty A alpha of Wu et al. 2016 (default 0.6)\n"
    "  --max-len N        longest translation in tokens (default: 1.5 x source + 10)\n"
    "  --batch N          sentences decoded together (default 32)\n"
    "  --threads N        (default: all cores)\n";

int translate_command(const std::vector<std::string>& args) {
  const Arguments a("translate", args,
                    {"model", "beam", "length-penalty", "max-len", "batch", "threads"}, {"help"});
  if (a.has("help")) {
    std::cout << kHelp;
    return 0;
  }
  if (a.integer("threads", 0) > 0) set_num_threads(static_cast<int>(a.integer("threads", 0)));
  auto translator = Translator::load(a.required("model"));
  TranslateOptions options;
  options.beam_size = a.integer("beam", 4);
  options.length_penalty = static_cast<real>(a.number("length-penalty", 0.6));
  options.max_length = a.integer("max-len", 0);
  options.batch_size = a.integer("batch", 32);
  if (options.beam_size < 1 || options.batch_size < 1 || options.max_length < 0)
    throw UsageError{"attn translate: --beam and --batch must be at least 1"};
  std::vector<std::string> sentences;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    sentences.push_back(line);
  }
  for (const std::string& translation : translator->translate(sentences, options))
    std::cout << translation << "\n";
  return 0;
}

}  // namespace attn::cli
