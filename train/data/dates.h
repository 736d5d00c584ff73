// A date-normalisation corpus: many ways of writing a date, all translated to ISO 8601.
//
//   "saturday, november 21 2026"  -> "2026-11-21"
//   "21/11/26"                    -> "2026-11-21"
//   "Nov. 21, 2026"               -> "2026-11-21"
//   "21 novembre 2026"            -> "2026-11-21"
// A classic toy translation task (used to teach attention in Ng's sequence-models course): it
// needs reordering (day-month-year to year-month-day), vocabulary (month names in three
// languages to numbers) and copying (digits), and a model that learns it shows a crisp
// alignment: the year of the output attends to the year of the input, the day to the day.
//
// Rules that keep every source unambiguous: numeric forms are always day before month;
// two-digit years mean 1950..2049; weekdays are always the true weekday of the date.
//
// The generator also knows which source characters each output character comes from, and says
// so as a gold alignment (Pharaoh links over characters, train/io/pharaoh.h), by these rules:
//
//   "21 novembre 2026" -> "2026-11-21"   2026 <- "2026" digit by digit, 11 <- "novembre",
//                                         21 <- "21" digit by digit
//   "21/11/26"         -> "2026-11-21"   20 <- both digits of "26", then 26 <- "26", 11 <- "11"
//                                         and 21 <- "21" digit by digit
//
//   - a field written with as many characters as in the output is copied one to one:
//     a four-digit year, a two-digit month or day ("2026" -> "2026", "05" -> "05");
//   - a two-digit year gives the last two digits one to one, and the century ("19" or "20")
//     comes from both of its digits (50..99 -> 19, 00..49 -> 20);
//   - otherwise every output character of the field comes from every character of it: a month
//     name ("novembre", "Nov" without its period) gives both month digits, a one-digit day
//     "5" gives "05";
//   - the '-' separators come from nothing, and weekdays, punctuation, spaces and words like
//     "the" and "of" are aligned to nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/random.h"
#include "train/data/aligned_corpus.h"
#include "train/data/corpus.h"

namespace attn {

struct Date {
  int year, month, day;  // 1950..2049, 1..12, 1..days in month
};

// A uniformly random date in 1950-01-01 .. 2049-12-31.
Date random_date(Generator& generator);
// "2026-11-21"
std::string iso_date(const Date& date);
// 0 = Monday .. 6 = Sunday (Zeller's congruence in its ISO form).
int weekday(const Date& date);
// The number of surface forms, and form `k` of `date`.
int date_format_count();
std::string format_date(const Date& date, int form);

// Form `form` of `date`, its ISO date, and the gold alignment between them (the rules above),
// links in the order of the output's characters.
AlignedPair aligned_date_pair(const Date& date, int form);

// `count` pairs (random date, random form) -> ISO date; the same pairs, for the same generator
// state, with their gold alignment.
std::vector<SentencePair> generate_date_pairs(int64_t count, Generator& generator);
std::vector<AlignedPair> generate_aligned_date_pairs(int64_t count, Generator& generator);

}  // namespace attn
