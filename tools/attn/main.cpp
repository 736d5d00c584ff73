// attn: train a translation model, translate with it, score it, and look at its attention.
//
//   attn train      --src FILE --tgt FILE --out DIR [options]
//   attn translate  --model DIR [--beam N] [--max-len N]      < sentences  > translations
//   attn bleu       --ref FILE [--hyp FILE]
//   attn attention  --model DIR --src "sentence" --out FILE.svg [--layer L] [--head H | --mean]
//   attn align      --model DIR --data FILE [--json FILE] [--heatmap FILE.svg [--line N]]
//   attn dates      --out FILE [--count N] [--seed S]
//   attn babi       train|test|explain ...                    memory networks on bAbI
//   attn caption    train|test|show ...                       image captioning with attention
//   attn speech     train|test|transcribe|attention ...       speech recognition with attention
//   attn ntm        train|test|show ...                       the Neural Turing Machine
//   attn classify   train|test|explain ...                    sentence classification, attention pooling
//
// Every command prints its options with --help. Errors are one line on stderr and exit status 1
// (2 for a usage error).
#include <iostream>
#include <map>
#include <new>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"

using namespace attn::cli;

static const char* kUsage =
    "usage: attn <command> [options]\n"
    "\n"
    "commands:\n"
    "  train       train a translation model on a parallel corpus (resumes a checkpoint)\n"
    "  translate   translate sentences from stdin to stdout, one per line\n"
    "  bleu        corpus BLEU of hypotheses against references (sacreBLEU's defaults)\n"
    "  attention   draw the cross-attention of one translation as an SVG heatmap\n"
    "  align       score a model's cross-attention against gold alignments\n"
    "  dates       write a date corpus with its gold alignment\n"
    "  babi        train, test and explain memory networks on the bAbI tasks\n"
    "  caption     train, test and show image captioning with attention (shapes, MNIST)\n"
    "  speech      train, test and use speech recognition with attention (spoken digits)\n"
    "  ntm         train, test and show the Neural Turing Machine (copy, repeat copy)\n"
    "  classify    train, test and explain sentence classifiers with attention pooling\n"
    "\n"
    "attn <command> --help shows the options of a command.\n";

int main(int argc, char** argv) {
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands{
      {"train", train_command},
      {"translate", translate_command},
      {"bleu", bleu_command},
      {"attention", attention_command},
      {"align", align_command},
      {"dates", dates_command},
      {"babi", babi_command},
      {"caption", caption_command},
      {"speech", speech_command},
      {"ntm", ntm_command},
      {"classify", classify_command}};
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  auto command = commands.find(argv[1]);
  if (command == commands.end()) {
    std::cerr << "attn: unknown command '" << argv[1]
              << "' (train, translate, bleu, attention, align, dates, babi, caption, speech, ntm, classify)\n";
    return 2;
  }
  try {
    return command->second(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const UsageError& error) {
    std::cerr << error.message << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    // attn's tensors report running out of memory with their shape (tensor/memory.h); this is
    // any other allocation, whose size is not known here.
    std::cerr << "attn " << argv[1] << ": out of memory\n";
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "attn " << argv[1] << ": " << error.what() << "\n";
    return 1;
  }
}
