// The date corpus: every surface form of a date, weekdays that are true, and ISO targets.
#include <doctest/doctest.h>

#include "train/data/dates.h"

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
