// A generator of stories in the form of bAbI task 1, "single supporting fact" (Weston et al.
// 2015, §3): people move between rooms, and every two moves a question asks where one of them
// is. The answer is the room of that person's latest move, which is the one supporting fact:
//
//   1 Mary moved to the bathroom.
//   2 John went to the hallway.
//   3 Where is Mary? <TAB>bathroom<TAB>1
//   4 Daniel travelled to the office.
//   5 Mary journeyed to the kitchen.
//   6 Where is Mary? <TAB>kitchen<TAB>5
//
// Four people, six rooms and four verbs, as in the task's own generator; a story has five
// questions. Seeded, so the same seed gives the same text: the tests and the curriculum's memory
// network train on it without the bAbI files. The text is bAbI's format, read by read_babi.
#pragma once

#include <cstdint>
#include <string>

namespace attn {

// `stories` stories as the text of a bAbI file.
std::string where_stories(int64_t stories, uint64_t seed);

}  // namespace attn
