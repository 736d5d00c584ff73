// attn dates: write a date-normalisation corpus with its gold alignment (train/data/dates.h),
// one pair a line as source<TAB>target<TAB>links: `attn train --tsv` trains on it (the links
// column is ignored there) and `attn align --data` measures a model's attention against it.
// The same --seed writes the same file; the demo's 1,000 test dates are --seed 2027.
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/data/dates.h"
#include "train/io/atomic_file.h"

namespace attn::cli {

int dates_command(const std::vector<std::string>& args) {
  int64_t count = 1000;
  uint64_t seed = 1;
  Settings settings = {integer_setting("count", count, "pairs to write", 1, 1000000),
                       seed_setting("seed", seed, "seeds the dates and their surface forms")};
  std::set<std::string> with_value = option_names(settings);
  with_value.insert("out");
  const Arguments a("dates", args, with_value, {"help"});
  if (a.has("help")) {
    std::cout
        << "usage: attn dates --out FILE [--count N] [--seed S]\n"
           "\n"
           "Writes random dates in 12 surface forms (English, French, German) with their ISO\n"
           "form and gold alignment: source<TAB>target<TAB>links, the links Pharaoh's \"i-j\"\n"
           "(source character i, target character j, from 0).\n"
           "  --out FILE                   the file to write\n"
        << settings_help(settings);
    return 0;
  }
  apply_settings(a, settings);
  const std::string out = a.required("out");
  Generator generator(seed);
  write_file_atomically(out, aligned_tsv(generate_aligned_date_pairs(count, generator)));
  std::cout << out << "\n";
  return 0;
}

}  // namespace attn::cli
