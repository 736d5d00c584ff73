// The word pieces of attn before exact round trips, kept so that the models saved then still
// read and write text exactly as they were trained to (their tokenizers name no joiner:
// tokenizer.h).
//
// Splitting dropped every space and cut at every punctuation mark, '_' included:
//   "Hi, you." -> Hi , you .      "I_TURN_RIGHT" -> I _ TURN _ RIGHT
// Joining put one space between pieces, except before closing marks (. , ! ? ...) and after
// opening ones (( [ ¿ ...). So text came back only up to its spacing ("„Straße“" ->
// "„Straße “", "I _ TURN _ RIGHT" stayed apart): the defect the joiner marks mend.
// New tokenizers never use these.
#pragma once

#include <string>
#include <vector>

namespace attn {

std::vector<std::string> legacy_split_words(const std::string& text);
std::string legacy_join_words(const std::vector<std::string>& words);

}  // namespace attn
