// Every tokenizer gives back exactly the text it was given: detokenize(tokenize(x)) == x, on
// tricky text always, and on every line of the shared corpora when they are there.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "train/data/corpus.h"
#include "train/text/bpe.h"
#include "train/text/tokenizer.h"

using namespace attn;

namespace {

// Text that a tokenizer could lose: symbols inside words, punctuation, apostrophes, hyphens,
// numbers, spacing of every kind, other scripts, emoji, combining marks, and its own marks.
const std::vector<std::string> kTrickyTexts = {
    "I_TURN_RIGHT I_JUMP", "snake_case_name _leading trailing_ __init__",
    "C++ e-mail a/b x=1 50% $3.50 #tag @name ~home",
    "Hello, world! (this). [a] {b} \"quoted\" 'single'", "?!... -- ,,, ;:",
    "don't l'homme rock 'n' roll don’t o'", "well-known -5 5- - a - re-use --x",
    "3.14 1,000,000 10:30 2026-11-21 1/2", "two  spaces", "a\tb", "a \t b", "tab\t\tend",
    " leading", "trailing ", "  both  ", " ", "  ", "\t", "", "a\u00a0b", "Va\u202f!",
    "Nummer\u00a0 28", "a\rb\fc\vd",
    "Grüße aus Köln, Straße „Hauptstraße“ – schön…", "«Bonjour», dit-il. ¿Qué? ¡Sí!",
    "你好，世界。", "東京タワー と 大阪", "한국어 문장입니다.", "I ❤️ NY 👨‍👩‍👧 😀😀",
    "e\u0301te\u0301 .\u0301 \u0301", "ﬁne ﬀ", "￭", "a￭b", "￭￭￭", "(￭)", " ￭ ", "x ￭. y",
    "</w> a</w>b <unk> <eos> <pad>", "\u200b\u200d zero width",
};

// The word and char tokenizers, and BPE with `merges` learned on `texts`.
std::vector<std::shared_ptr<const Tokenizer>> every_tokenizer(const std::vector<std::string>& texts,
                                                              int64_t merges) {
  return {std::make_shared<WordTokenizer>(), std::make_shared<CharTokenizer>(),
          std::make_shared<BpeTokenizer>(BpeTokenizer::learn(texts, merges))};
}

}  // namespace

TEST_CASE("tokenizers: every tricky text round-trips exactly through char, word and bpe") {
  auto tokenizers = every_tokenizer(kTrickyTexts, 200);
  tokenizers.push_back(std::make_shared<BpeTokenizer>(BpeTokenizer::learn(kTrickyTexts, 0)));
  for (const auto& tokenizer : tokenizers)
    for (const std::string& text : kTrickyTexts) {
      CAPTURE(tokenizer->kind());
      CAPTURE(text);
      CHECK(tokenizer->detokenize(tokenizer->tokenize(text)) == text);
    }
}

TEST_CASE("bpe: merges are learned without the joiner marks, which ride on the first and last "
          "subword") {
  // "Hund." and "Hund ." hold the same word pieces, only joined differently.
  const BpeTokenizer glued = BpeTokenizer::learn({"Hund.", "(Hund)", "Hunde"}, 20);
  const BpeTokenizer spaced = BpeTokenizer::learn({"Hund .", "( Hund )", "Hunde"}, 20);
  CHECK(glued.merges() == spaced.merges());
  CHECK(glued.tokenize("(Hund).") ==
        std::vector<std::string>{"(￭</w>", "Hund</w>", "￭)</w>", "￭.</w>"});
  // Merges (H, u), (Hu, n), (Hun, d</w>): "Hunde" stays in pieces.
  CHECK(glued.tokenize("Hunde") == std::vector<std::string>{"Hun", "d", "e</w>"});
  CHECK(glued.display(glued.tokenize("(Hunde).")) ==
        std::vector<std::string>{"(", "Hun-", "d-", "e", ")", "."});
  // Whitespace tokens are spelled in characters: no merge holds whitespace.
  CHECK(glued.tokenize("Hund\tHund") == std::vector<std::string>{"Hund</w>", "\t</w>", "Hund</w>"});
}

// ---- the shared corpora -------------------------------------------------------------------------

namespace {

// Files under `root` that read as text: no NUL byte in their first 4 KiB (WAV and IDX files have
// many).
std::vector<std::filesystem::path> text_files(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string head(4096, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    if (head.find('\0') == std::string::npos) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

TEST_CASE("tokenizers: every line of every shared text corpus round-trips exactly (skipped "
          "without ../shared/data)") {
  const std::filesystem::path root = std::filesystem::path(ATTN_SOURCE_DIR) / "../shared/data";
  if (!std::filesystem::is_directory(root)) {
    std::cout << "test skipped: no shared corpora at " << root.string() << "\n";
    return;
  }
  int64_t lines = 0, files = 0;
  for (const std::filesystem::path& path : text_files(root)) {
    CAPTURE(path.string());
    // Lines as the corpus reader delivers them, before trimming; and each tab-separated field.
    std::vector<std::string> texts = read_lines(path.string());
    const size_t whole_lines = texts.size();
    for (size_t i = 0; i < whole_lines; ++i)
      if (texts[i].find('\t') != std::string::npos) {
        size_t begin = 0;
        for (size_t tab = texts[i].find('\t'); tab != std::string::npos;
             begin = tab + 1, tab = texts[i].find('\t', begin))
          texts.push_back(texts[i].substr(begin, tab - begin));
        texts.push_back(texts[i].substr(begin));
      }
    // BPE merges learned on the file's first lines, as a model learns them on its corpus.
    const auto sample_size = static_cast<std::ptrdiff_t>(std::min<size_t>(texts.size(), 2000));
    const std::vector<std::string> sample(texts.begin(), texts.begin() + sample_size);
    for (const auto& tokenizer : every_tokenizer(sample, 500)) {
      size_t failures = 0;
      for (const std::string& text : texts)
        if (tokenizer->detokenize(tokenizer->tokenize(text)) != text && failures++ < 3)
          CHECK_MESSAGE(false, tokenizer->kind() << " changes \"" << text << "\" into \""
                                                 << tokenizer->detokenize(tokenizer->tokenize(text))
                                                 << "\"");
      CHECK(failures == 0);
    }
    lines += static_cast<int64_t>(whole_lines);
    ++files;
  }
  CHECK(files > 0);
  std::cout << "round trips: " << lines << " lines of " << files << " files under "
            << root.string() << "\n";
}
