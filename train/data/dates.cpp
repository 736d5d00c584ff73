// The date-normalisation corpus (see dates.h).
#include "train/data/dates.h"

#include <algorithm>
#include <cstdio>

#include "train/io/utf8.h"

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

// ---- the surface forms, as pieces that know which field of the date they spell ---------------

namespace {

// What part of the date a piece of the source spells: the output characters it gives.
enum class Field { none, year, month, day };

struct Piece {
  std::string text;
  Field field;
};

// The output characters of each field in "YYYY-MM-DD": year 0..3, month 5..6, day 8..9.
int output_begin(Field field) { return field == Field::year ? 0 : field == Field::month ? 5 : 8; }
int output_width(Field field) { return field == Field::year ? 4 : 2; }

// Form `form` of `d`, piece by piece; Y, M and D mark the pieces that spell a field.
std::vector<Piece> date_pieces(const Date& d, int form) {
  const std::string day = std::to_string(d.day), year = std::to_string(d.year);
  const std::string month = kMonths[d.month - 1];
  const std::string short_month = month.substr(0, 3);
  const std::string weekday_name = kWeekdays[weekday(d)];
  const Field Y = Field::year, M = Field::month, D = Field::day, none = Field::none;
  switch (form) {
    case 0:  // saturday, november 21 2026
      return {{weekday_name + ", ", none}, {month, M}, {" ", none}, {day, D}, {" ", none},
              {year, Y}};
    case 1:  // 21/11/26
      return {{two_digits(d.day), D}, {"/", none}, {two_digits(d.month), M}, {"/", none},
              {two_digits(d.year), Y}};
    case 2:  // Nov. 21, 2026
      return {{capitalised(short_month), M}, {". ", none}, {day, D}, {", ", none}, {year, Y}};
    case 3:  // 21 novembre 2026
      return {{day, D}, {" ", none}, {kMonthsFrench[d.month - 1], M}, {" ", none}, {year, Y}};
    case 4:  // November 21, 2026
      return {{capitalised(month), M}, {" ", none}, {day, D}, {", ", none}, {year, Y}};
    case 5:  // 21 november 2026
      return {{day, D}, {" ", none}, {month, M}, {" ", none}, {year, Y}};
    case 6:  // 21.11.2026
      return {{two_digits(d.day), D}, {".", none}, {two_digits(d.month), M}, {".", none},
              {year, Y}};
    case 7:  // 21. November 2026
      return {{day, D}, {". ", none}, {kMonthsGerman[d.month - 1], M}, {" ", none}, {year, Y}};
    case 8:  // sat 21 nov 2026
      return {{weekday_name.substr(0, 3) + " ", none}, {day, D}, {" ", none}, {short_month, M},
              {" ", none}, {year, Y}};
    case 9:  // the 21 of november, 2026
      return {{"the ", none}, {day, D}, {" of ", none}, {month, M}, {", ", none}, {year, Y}};
    case 10:  // 21-nov-26
      return {{day, D}, {"-", none}, {short_month, M}, {"-", none}, {two_digits(d.year), Y}};
    default:  // 2026-11-21
      return {{year, Y}, {"-", none}, {two_digits(d.month), M}, {"-", none},
              {two_digits(d.day), D}};
  }
}

// The links from the piece at source characters [begin, begin + length) to the output
// characters of its field, by the rules of dates.h.
void link_piece(Field field, int64_t begin, int64_t length, Alignment& links) {
  const int64_t out = output_begin(field), width = output_width(field);
  if (length == width) {  // written as in the output: one to one
    for (int64_t k = 0; k < width; ++k) links.push_back({begin + k, out + k});
  } else if (field == Field::year && length == 2) {  // "26": the century from both digits
    for (int64_t j = 0; j < 2; ++j)
      for (int64_t k = 0; k < 2; ++k) links.push_back({begin + k, out + j});
    for (int64_t k = 0; k < 2; ++k) links.push_back({begin + k, out + 2 + k});
  } else {  // a month name, a one-digit day: every output character from every character
    for (int64_t j = 0; j < width; ++j)
      for (int64_t k = 0; k < length; ++k) links.push_back({begin + k, out + j});
  }
}

}  // namespace

std::string format_date(const Date& d, int form) {
  std::string text;
  for (const Piece& piece : date_pieces(d, form)) text += piece.text;
  return text;
}

AlignedPair aligned_date_pair(const Date& d, int form) {
  AlignedPair pair{"", iso_date(d), {}};
  int64_t position = 0;  // in characters: "février" is 7, not 8 bytes
  for (const Piece& piece : date_pieces(d, form)) {
    const auto length = static_cast<int64_t>(utf8_characters(piece.text).size());
    if (piece.field != Field::none) link_piece(piece.field, position, length, pair.alignment);
    pair.source += piece.text;
    position += length;
  }
  std::stable_sort(
      pair.alignment.begin(), pair.alignment.end(),
      [](const AlignmentLink& a, const AlignmentLink& b) { return a.target < b.target; });
  return pair;
}

std::vector<AlignedPair> generate_aligned_date_pairs(int64_t count, Generator& generator) {
  std::vector<AlignedPair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const Date date = random_date(generator);
    const auto forms = static_cast<uint64_t>(date_format_count());
    pairs.push_back(aligned_date_pair(date, static_cast<int>(generator.next_u64() % forms)));
  }
  return pairs;
}

std::vector<SentencePair> generate_date_pairs(int64_t count, Generator& generator) {
  std::vector<SentencePair> pairs;
  pairs.reserve(static_cast<size_t>(count));
  for (AlignedPair& pair : generate_aligned_date_pairs(count, generator))
    pairs.push_back({std::move(pair.source), std::move(pair.target)});
  return pairs;
}

}  // namespace attn
