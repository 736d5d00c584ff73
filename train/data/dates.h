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
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tensor/random.h"
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

// `count` pairs (random date, random form) -> ISO date.
std::vector<SentencePair> generate_date_pairs(int64_t count, Generator& generator);

}  // namespace attn
