// The date corpus: every surface form of a date, weekdays that are true, ISO targets, and a
// gold alignment that links each output character to the source characters it comes from.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "train/data/dates.h"
#include "train/io/utf8.h"

using namespace attn;

TEST_CASE("dates: november 21 2026 in every surface form") {
  const Date date{2026, 11, 21};
  CHECK(iso_date(date) == "2026-11-21");
  CHECK(weekday(date) == 5);  // a Saturday
  const std::vector<std::string> expected{
      "saturday, november 21 2026", "21/11/26",         "Nov. 21, 2026",
      "21 novembre 2026",           "November 21, 2026", "21 november 2026",
      "21.11.2026",                 "21. November 2026", "sat 21 nov 2026",
      "the 21 of november, 2026",   "21-nov-26",         "2026-11-21"};
  REQUIRE(date_format_count() == static_cast<int>(expected.size()));
  for (int form = 0; form < date_format_count(); ++form) CHECK(format_date(date, form) == expected[form]);
}

TEST_CASE("dates: weekdays agree with the calendar, leap days included") {
  CHECK(weekday({2000, 1, 1}) == 5);   // Saturday
  CHECK(weekday({1969, 7, 20}) == 6);  // Sunday, the Moon landing
  CHECK(weekday({2024, 2, 29}) == 3);  // Thursday
  CHECK(weekday({1950, 1, 1}) == 6);   // Sunday
}

TEST_CASE("dates: generated pairs are reproducible and always valid") {
  Generator a(3), b(3);
  const auto first = generate_date_pairs(500, a);
  const auto second = generate_date_pairs(500, b);
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].source == second[i].source);
    const std::string& iso = first[i].target;
    REQUIRE(iso.size() == 10);
    const int year = std::stoi(iso.substr(0, 4)), month = std::stoi(iso.substr(5, 2));
    const int day = std::stoi(iso.substr(8, 2));
    CHECK((year >= 1950 && year <= 2049 && month >= 1 && month <= 12 && day >= 1 && day <= 31));
  }
}

// ---- the gold alignment ---------------------------------------------------------------------

TEST_CASE("dates: the gold alignment of hand-checked examples, in characters, not bytes") {
  // "21/11/26": day 0-1, month 3-4, two-digit year 6-7; the century "20" from both of "26".
  CHECK(to_pharaoh(aligned_date_pair({2026, 11, 21}, 1).alignment) ==
        "6-0 7-0 6-1 7-1 6-2 7-3 3-5 4-6 0-8 1-9");
  // "5. März 1999": one-digit day 0 gives "05"; "März" is characters 3..6 (ä is one character);
  // the year 8..11 digit by digit.
  const AlignedPair march = aligned_date_pair({1999, 3, 5}, 7);
  CHECK(march.source == "5. März 1999");
  CHECK(march.target == "1999-03-05");
  CHECK(to_pharaoh(march.alignment) == "8-0 9-1 10-2 11-3 3-5 4-5 5-5 6-5 3-6 4-6 5-6 6-6 0-8 0-9");
  // "sat 21 nov 2026": the weekday and the spaces align to nothing.
  CHECK(to_pharaoh(aligned_date_pair({2026, 11, 21}, 8).alignment) ==
        "11-0 12-1 13-2 14-3 7-5 8-5 9-5 7-6 8-6 9-6 4-8 5-9");
}

TEST_CASE("dates: aligned pairs are the plain pairs, with the same random stream") {
  Generator a(11), b(11);
  const auto aligned = generate_aligned_date_pairs(300, a);
  const auto plain = generate_date_pairs(300, b);
  REQUIRE(aligned.size() == plain.size());
  for (size_t i = 0; i < plain.size(); ++i) {
    CHECK(aligned[i].source == plain[i].source);
    CHECK(aligned[i].target == plain[i].target);
  }
}

namespace {

// The output characters of each field of "YYYY-MM-DD".
enum class Part { year, month, day };
const Part kParts[3] = {Part::year, Part::month, Part::day};
Part part_of_output(int64_t j) { return j < 4 ? Part::year : j < 7 ? Part::month : Part::day; }

bool valid(const Date& d) {
  static const int days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  return d.year >= 1950 && d.year <= 2049 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= (d.month == 2 && !leap ? 28 : days[d.month - 1]);
}

// Every valid date that differs from `d` in `part` only.
std::vector<Date> changed(const Date& d, Part part) {
  std::vector<Date> dates;
  for (int v = 1; v <= 2049; ++v) {
    Date other = d;
    (part == Part::year ? other.year : part == Part::month ? other.month : other.day) = v;
    if (valid(other) && v != (part == Part::year ? d.year : part == Part::month ? d.month : d.day))
      dates.push_back(other);
  }
  return dates;
}

// Two sources have the same layout when they have as many characters and their first words
// (up to the first space) too: then a weekday name that changed its length shifts nothing, and
// the characters at one position belong to one field in both.
bool same_layout(const std::string& a, const std::string& b) {
  const auto x = utf8_characters(a), y = utf8_characters(b);
  const auto first_word = [](const std::vector<std::string>& chars) {
    return std::find(chars.begin(), chars.end(), " ") - chars.begin();
  };
  return x.size() == y.size() && first_word(x) == first_word(y);
}

// The positions at which two strings of the same layout differ.
std::set<int64_t> differing(const std::string& a, const std::string& b) {
  const auto x = utf8_characters(a), y = utf8_characters(b);
  std::set<int64_t> positions;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i] != y[i]) positions.insert(static_cast<int64_t>(i));
  return positions;
}

bool is_digit(const std::string& c) { return c.size() == 1 && c[0] >= '0' && c[0] <= '9'; }
bool is_letter(const std::string& c) {
  return c.size() > 1 || (c[0] >= 'a' && c[0] <= 'z') || (c[0] >= 'A' && c[0] <= 'Z');
}

// True when `positions` are one run of `source`'s characters, all digits or all letters, with
// neither a digit nor a letter just before or after it: a whole word or number.
bool whole_word(const std::string& source, const std::set<int64_t>& positions) {
  const auto chars = utf8_characters(source);
  const int64_t first = *positions.begin(), last = *positions.rbegin();
  if (last - first + 1 != static_cast<int64_t>(positions.size())) return false;  // a gap
  const auto kind = is_digit(chars[first]) ? is_digit : is_letter;
  for (int64_t i = first; i <= last; ++i)
    if (!kind(chars[static_cast<size_t>(i)])) return false;
  const auto n = static_cast<int64_t>(chars.size());
  const auto word_character = [&](int64_t i) {
    return i >= 0 && i < n && (is_digit(chars[i]) || is_letter(chars[i]));
  };
  return !word_character(first - 1) && !word_character(last + 1);
}

}  // namespace

TEST_CASE(
    "dates: on every surface form each output digit is aligned to the source characters it "
    "comes from: perturbing a field changes exactly outputs aligned to what changed") {
  // For each date and form, every perturbation of one field (year, month or day) that keeps the
  // source's layout is compared with the original:
  //  (a) every output digit has a link, the two '-' none;
  //  (b) no link of a field's output comes from a character that changes with another field
  //      (a link into another field, or into a weekday name, which changes with every field);
  //  (c) each output character that changes has a link from a source character that changed
  //      (a missing link, or a digit linked to its neighbour, fails);
  //  (d) the characters linked to one field's outputs are one whole word or number of the
  //      source ("novembre", "26", "5": neither a space nor a piece of a word).
  Generator generator(5);
  std::vector<Date> dates = {{2026, 11, 21}, {1950, 1, 1}, {2049, 12, 31}, {2000, 2, 29},
                             {1987, 6, 5},   {2012, 3, 14}, {1999, 9, 9}};
  for (int i = 0; i < 40; ++i) dates.push_back(random_date(generator));
  for (int form = 0; form < date_format_count(); ++form) {
    for (const Date& date : dates) {
      const AlignedPair pair = aligned_date_pair(date, form);
      std::set<int64_t> linked_outputs;
      std::map<Part, std::set<int64_t>> linked_sources;  // of each field's outputs
      for (const AlignmentLink& link : pair.alignment) {
        linked_outputs.insert(link.target);
        linked_sources[part_of_output(link.target)].insert(link.source);
      }
      for (int64_t j = 0; j < 10; ++j) CHECK((linked_outputs.count(j) == 1) == (j != 4 && j != 7));
      std::map<Part, std::set<int64_t>> moving;  // source characters that change with each field
      for (Part part : kParts) {
        for (const Date& other : changed(date, part)) {
          const AlignedPair perturbed = aligned_date_pair(other, form);
          if (!same_layout(pair.source, perturbed.source)) continue;
          const std::set<int64_t> sources = differing(pair.source, perturbed.source);
          moving[part].insert(sources.begin(), sources.end());
          for (int64_t j : differing(pair.target, perturbed.target)) {  // (c)
            bool from_changed = false;
            for (const AlignmentLink& link : pair.alignment)
              from_changed = from_changed || (link.target == j && sources.count(link.source));
            CHECK_MESSAGE(from_changed, pair.source, " -> ", perturbed.source, ": output ", j);
          }
        }
      }
      for (const AlignmentLink& link : pair.alignment)  // (b)
        for (Part other : kParts)
          if (other != part_of_output(link.target))
            CHECK_MESSAGE(moving[other].count(link.source) == 0, pair.source, ": link ",
                          to_pharaoh({link}));
      for (Part part : kParts)  // (d)
        CHECK_MESSAGE(whole_word(pair.source, linked_sources[part]), pair.source, ": field ",
                      static_cast<int>(part));
    }
  }
}
