// attn translate: sentences on stdin, translations on stdout, one per line, in order.
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "tools/attn/standard_input.h"
#include "tensor/thread_pool.h"
#include "train/translator.h"

namespace attn::cli {

int translate_command(const std::vector<std::string>& args) {
  TranslateOptions options;
  options.beam_size = 4;  // the command's default; the library's is greedy
  int64_t threads = 0;
  Settings settings = options.settings();
  settings.push_back(integer_setting("threads", threads, "threads (0: all cores)", 0, 1024));
  std::set<std::string> with_value = option_names(settings);
  with_value.insert("model");
  const Arguments a("translate", args, with_value, {"help"});
  if (a.has("help")) {
    std::cout << "usage: attn translate --model DIR [options] < sentences > translations\n"
                 "\n"
                 "  --model DIR                  a directory written by attn train\n"
              << settings_help(settings);
    return 0;
  }
  apply_settings(a, settings);
  if (threads > 0) set_num_threads(static_cast<int>(threads));
  auto translator = Translator::load(a.required("model"));
  const std::vector<std::string> sentences = read_standard_input();
  for (const std::string& translation : translator->translate(sentences, options))
    std::cout << translation << "\n";
  return 0;
}

}  // namespace attn::cli
