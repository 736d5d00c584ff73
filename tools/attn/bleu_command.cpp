// attn bleu: corpus BLEU of hypotheses (a file, or stdin) against references, and on request
// the share of them equal to their reference.
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "tools/attn/standard_input.h"
#include "train/metrics/bleu.h"
#include "train/metrics/exact_match.h"
#include "train/data/corpus.h"

namespace attn::cli {

static const char* kHelp =
    "usage: attn bleu --ref FILE [--hyp FILE]      (hypotheses default to stdin)\n"
    "\n"
    "Prints corpus BLEU as sacreBLEU computes it by default: 13a tokenization, case-sensitive,\n"
    "4-grams, exp smoothing, one reference per line.\n"
    "  --lowercase   compare lowercased text (sacreBLEU's -lc)\n"
    "  --exact       also print the share of lines equal to their reference, byte for byte\n";

static std::string lowercase_ascii(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

int bleu_command(const std::vector<std::string>& args) {
  const Arguments a("bleu", args, {"ref", "hyp"}, {"help", "lowercase", "exact"});
  if (a.has("help")) {
    std::cout << kHelp;
    return 0;
  }
  const std::string reference_path = a.required("ref");
  std::vector<std::string> references = read_lines(reference_path);
  std::vector<std::string> hypotheses =
      a.has("hyp") ? read_lines(a.text("hyp")) : read_standard_input();
  if (hypotheses.size() != references.size())
    throw UsageError{"attn bleu: " + (a.has("hyp") ? a.text("hyp") : std::string("standard input")) +
                     " has " + std::to_string(hypotheses.size()) + " lines, " + reference_path +
                     " has " + std::to_string(references.size()) + ": one hypothesis per reference"};
  if (a.has("lowercase")) {
    for (auto& line : references) line = lowercase_ascii(line);
    for (auto& line : hypotheses) line = lowercase_ascii(line);
  }
  std::cout << to_string(corpus_bleu(hypotheses, references)) << "\n";
  if (a.has("exact")) std::cout << to_string(exact_match(hypotheses, references)) << "\n";
  return 0;
}

}  // namespace attn::cli
