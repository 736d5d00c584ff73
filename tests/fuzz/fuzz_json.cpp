// Fuzz target: JSON text. Whatever parses must print and parse back to the same value.
#include <cstdio>
#include <cstdlib>

#include "tests/fuzz/targets.h"
#include "train/io/json.h"

namespace attn::fuzz {

void fuzz_json(const std::string& input) {
  const Json value = Json::parse(input);
  const std::string text = value.dump();
  if (Json::parse(text).dump() != text) {
    std::fprintf(stderr, "fuzz json: dump does not round-trip: %s\n", text.c_str());
    std::abort();
  }
}

std::string seed_json() {
  return R"({"model":{"arch":"transformer","d_model":16,"dropout":0.1,"score":"alibi",)"
         R"("tie_output":true},"list":[1,-2.5e-3,null,false,"a\u00fc\ud83d\ude00\n"]})";
}

}  // namespace attn::fuzz
