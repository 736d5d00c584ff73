// The date-normalisation corpus (see dates.h).
#include "train/data/dates.h"

#include <cstdio>

namespace attn {

namespace {

const char* const kMonths[12] = {"january", "february", "march",     "april",   "may",      "june",
                                 "july",    "august",   "september", "october", "november", "december"};
const char* const kMonthsFrench[12] = {"janvier", "février", "mars",      "avril",   "mai",      "juin",
                                       "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
const char* const kMonthsGerman[12] = {"Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                                       "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
const char* const kWeekdays[7] = {"monday", "tuesday",  "wednesday", "thursday",
                                  "friday", "saturday", "sunday"};

bool is_leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

std::string capitalised(std::string word) {
  if (!word.empty() && word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 32);
  return word;
}

std::string two_digits(int n) {
  char text[8];
  std::snprintf(text, sizeof(text), "%02d", n % 100);
  return text;
}

}  // namespace

Date random_date(Generator& generator) {
  const int year = 1950 + static_cast<int>(generator.next_u64() % 100);
  const int month = 1 + static_cast<int>(generator.next_u64() % 12);
  const int day = 1 + static_cast<int>(generator.next_u64() % static_cast<uint64_t>(days_in_month(year, month)));
  return {year, month, day};
}

std::string iso_date(const Date& d) {
  return std::to_string(d.year) + "-" + two_digits(d.month) + "-" + two_digits(d.day);
}

int weekday(const Date& d) {
  // Zeller: January and February count as months 13 and 14 of the year before.
  const int m = d.month < 3 ? d.month + 12 : d.month;
  const int y = d.month < 3 ? d.year - 1 : d.year;
  const int h = (d.day + 13 * (m + 1) / 5 + y + y / 4 - y / 100 + y / 400) % 7;  // 0 = Saturday
  return (h + 5) % 7;                                                           // 0 = Monday
}

int date_format_count() { return 12; }

std::string format_date(const Date& d, int form) {
  const std::string day = std::to_string(d.day), year = std::to_string(d.year);
  const std::string month = kMonths[d.month - 1];
  const std::string short_month = month.substr(0, 3);
  switch (form) {
    case 0: return std::string(kWeekdays[weekday(d)]) + ", " + month + " " + day + " " + year;
    case 1: return two_digits(d.day) + "/" + two_digits(d.month) + "/" + two_digits(d.year);
    case 2: return capitalised(short_month) + ". " + day + ", " + year;
    case 3: return day + " " + kMonthsFrench[d.month - 1] + " " + year;
    case 4: return capitalised(month) + " " + day + ", " + year;
    case 5: return day + " " + month + " " + year;
    case 6: return two_digits(d.day) + "." + two_digits(d.month) + "." + year;
    case 7: return day + ". " + kMonthsGerman[d.month - 1] + " " + year;
    case 8: return std::string(kWeekdays[weekday(d)]).substr(0, 3) + " " + day + " " + short_month + " " + year;
    case 9: return "the " + day + " of " + month + ", " + year;
    case 10: return day + "-" + short_month + "-" + two_digits(d.year);
    default: return iso_date(d);
  }
}

std::vector<SentencePair> generate_date_pairs(int64_t count, Generator& generator) {
  std::vector<SentencePair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const Date date = random_date(generator);
    const int form = static_cast<int>(generator.next_u64() % static_cast<uint64_t>(date_format_count()));
    pairs.push_back({format_date(date, form), iso_date(date)});
  }
  return pairs;
}

}  // namespace attn
