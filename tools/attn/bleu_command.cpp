// attn bleu: corpus BLEU of hypotheses (a file, or stdin) against references.
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/metrics/bleu.h"
#include "train/data/corpus.h"

namespace attn::cli {

static const char* kHelp =
    "usage: attn bleu --ref FILE [--hyp FILE]      (hypotheses default to stdin)\n"
    "\n"
    "Prints corpus BLEU as sacreBLEU computes it by default: 13a tokenization, case-sensitive,\n"
    "4-grams, exp smoothing, one reference per line.\n"
    "  --lowercase   compare lowercased text (sacreBLEU's -lc)\n";

static std::string lowercase_ascii(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

int bleu_command(const std::vector<std::string>& args) {
  const Arguments a("bleu", args, {"ref", "hyp"}, {"help", "lowercase"});
  if (a.has("help")) {
    std::cout << kHelp;
    return 0;
  }
  std::vector<std::string> references = read_lines(a.required("ref"));
  std::vector<std::string> hypotheses;
  if (a.has("hyp")) {
    hypotheses = read_lines(a.text("hyp"));
  } else {
    std::string line;
    while (std::getline(std::cin, line)) hypotheses.push_back(line);
  }
  if (a.has("lowercase")) {
    for (auto& line : references) line = lowercase_ascii(line);
    for (auto& line : hypotheses) line = lowercase_ascii(line);
  }
  std::cout << to_string(corpus_bleu(hypotheses, references)) << "\n";
  return 0;
}

}  // namespace attn::cli
