// The table of fuzz targets, and running one input (see targets.h).
#include "tests/fuzz/targets.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>
#include <stdexcept>

namespace attn::fuzz {

const std::vector<FuzzTarget>& fuzz_targets() {
  static const std::vector<FuzzTarget> table = {
      {"json", "a JSON document (config.json, safetensors headers, checkpoint state)", fuzz_json,
       seed_json},
      {"safetensors", "a .safetensors file (weights, checkpoints)", fuzz_safetensors,
       seed_safetensors},
      {"model_directory", "config.json + model.safetensors, then one translation",
       fuzz_model_directory, seed_model_directory},
      {"checkpoint", "checkpoint.safetensors of a run being resumed", fuzz_checkpoint,
       seed_checkpoint},
      {"corpus", "a TSV corpus, or two line-aligned files, then tokenizers learned on it",
       fuzz_corpus, seed_corpus},
      {"tokenizer", "a saved tokenizer and vocabulary (config.json's \"source\")",
       fuzz_tokenizer, seed_tokenizer},
      {"aligned_corpus", "sentence pairs with gold alignments (Pharaoh links), for attn align",
       fuzz_aligned_corpus, seed_aligned_corpus},
      {"babi", "a bAbI task file: stories, questions, answers and supporting facts", fuzz_babi,
       seed_babi},
      {"idx", "an MNIST IDX file, read as images (idx3-ubyte) and as labels (idx1-ubyte)",
       fuzz_idx, seed_idx},
      {"netpbm", "a PGM or PPM image (P2, P3, P5, P6; 8 or 16 bits)", fuzz_netpbm, seed_netpbm},
      {"wav", "a WAV file (16-bit PCM, mono or stereo, any chunks around)", fuzz_wav, seed_wav},
      {"sentences", "labelled sentences, one a line (TREC, SST-2), for attn classify",
       fuzz_sentences, seed_sentences},
  };
  return table;
}

void run_one(const FuzzTarget& target, const std::string& input) {
  try {
    target.run(input);
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "fuzz %s: std::bad_alloc: an allocation without bound\n",
                 target.name.c_str());
    std::abort();
  } catch (const std::length_error& error) {
    std::fprintf(stderr, "fuzz %s: std::length_error: %s\n", target.name.c_str(), error.what());
    std::abort();
  } catch (const std::exception&) {
    // Refused with an error: what a reader should do with bad bytes.
  }
}

const std::string& scratch_directory() {
  static const std::string dir = [] {
    // In memory where there is a tmpfs: targets write files for every input, and a disk's fsync
    // would cost more than the rest of the run.
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    const auto path = base / ("attn_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path.string();
  }();
  return dir;
}

}  // namespace attn::fuzz
