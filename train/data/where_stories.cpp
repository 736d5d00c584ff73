// Stories in the form of bAbI task 1 (see where_stories.h).
#include "train/data/where_stories.h"

#include <array>

#include "tensor/random.h"

namespace attn {

std::string where_stories(int64_t stories, uint64_t seed) {
  static const std::array<const char*, 4> people = {"Mary", "John", "Daniel", "Sandra"};
  static const std::array<const char*, 6> rooms = {"bathroom", "hallway", "office",
                                                   "kitchen",  "garden",  "bedroom"};
  static const std::array<const char*, 4> verbs = {"moved to", "went to", "travelled to",
                                                   "journeyed to"};
  Generator generator(seed);
  auto pick = [&](size_t count) { return static_cast<size_t>(generator.next_u64() % count); };
  std::string text;
  for (int64_t story = 0; story < stories; ++story) {
    std::array<int64_t, people.size()> latest_line{};  // 0: not moved yet
    std::array<size_t, people.size()> room{};
    int64_t line = 0;
    for (int question = 0; question < 5; ++question) {
      for (int move = 0; move < 2; ++move) {
        const size_t who = pick(people.size()), where = pick(rooms.size());
        text += std::to_string(++line) + " " + people[who] + " " + verbs[pick(verbs.size())] +
                " the " + rooms[where] + ".\n";
        latest_line[who] = line;
        room[who] = where;
      }
      size_t who = pick(people.size());
      while (latest_line[who] == 0) who = (who + 1) % people.size();  // someone who has moved
      text += std::to_string(++line) + " Where is " + people[who] + "? \t" + rooms[room[who]] +
              "\t" + std::to_string(latest_line[who]) + "\n";
    }
  }
  return text;
}

}  // namespace attn
