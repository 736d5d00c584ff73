// Fuzz targets: every reader of data attn did not write itself, each as one function that takes
// arbitrary bytes and reads them as that reader does.
//
// A target must return, whatever the bytes. Refusing them with an error (any std::exception) is
// the reader doing its job; everything else is a finding: a crash, undefined behaviour or a leak
// (the sanitizers abort), a hang (libFuzzer's -timeout), unbounded memory (its -rss_limit_mb),
// and std::bad_alloc or std::length_error, which mean something tried to allocate without bound
// (attn's own allocations report out-of-memory as an attn::Error naming the shape). Where a
// reader also writes, the target checks that what it accepted survives a round trip.
//
// The same functions serve two drivers: libfuzzer_main.cpp for long sessions with clang
// (`make fuzz`), and replay_main.cpp, which replays a corpus of files and runs in every test run,
// under the sanitizers in CI, so that every input ever found to crash stays fixed
// (tests/fuzz/README.md).
#pragma once

#include <string>
#include <vector>

namespace attn::fuzz {

using FuzzFunction = void (*)(const std::string& input);
using SeedFunction = std::string (*)();

struct FuzzTarget {
  std::string name;         // "json": its corpus is tests/fuzz/corpus/json/
  std::string description;  // what the bytes are read as
  FuzzFunction run;
  SeedFunction seed;        // a valid input, the fuzzer's starting point (fuzz_replay --write-seeds)
};

const std::vector<FuzzTarget>& fuzz_targets();

// Runs `target` on `input`: returns when the input is accepted or refused with an error, aborts
// with a message on a finding (see above).
void run_one(const FuzzTarget& target, const std::string& input);

// The targets, one file each, with a valid input each.
void fuzz_json(const std::string& input);
std::string seed_json();
void fuzz_safetensors(const std::string& input);
std::string seed_safetensors();
void fuzz_model_directory(const std::string& input);
std::string seed_model_directory();
void fuzz_checkpoint(const std::string& input);
std::string seed_checkpoint();
void fuzz_corpus(const std::string& input);
std::string seed_corpus();
void fuzz_tokenizer(const std::string& input);
std::string seed_tokenizer();
void fuzz_aligned_corpus(const std::string& input);
std::string seed_aligned_corpus();
void fuzz_babi(const std::string& input);
std::string seed_babi();
void fuzz_idx(const std::string& input);
std::string seed_idx();
void fuzz_netpbm(const std::string& input);
std::string seed_netpbm();
void fuzz_wav(const std::string& input);
std::string seed_wav();
void fuzz_sentences(const std::string& input);
std::string seed_sentences();

// A directory for this process's temporary files (created once, emptied by each target that
// uses it).
const std::string& scratch_directory();

}  // namespace attn::fuzz
