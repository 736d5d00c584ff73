// Pharaoh alignments: "i-j" links written and read back, and malformed links named.
#include <doctest/doctest.h>

#include "train/io/pharaoh.h"

using namespace attn;

TEST_CASE("pharaoh: links print as i-j separated by spaces and read back") {
  const Alignment links = {{0, 0}, {12, 3}, {3, 12}, {0, 1}};
  CHECK(to_pharaoh(links) == "0-0 12-3 3-12 0-1");
  CHECK(parse_pharaoh(to_pharaoh(links)) == links);
  CHECK(to_pharaoh({}).empty());
}

TEST_CASE("pharaoh: runs of spaces separate links, an empty or all-space text is no link") {
  CHECK(parse_pharaoh("  1-2   3-4 ") == Alignment{{1, 2}, {3, 4}});
  CHECK(parse_pharaoh("").empty());
  CHECK(parse_pharaoh("   ").empty());
  CHECK(parse_pharaoh("007-0") == Alignment{{7, 0}});
}

TEST_CASE("pharaoh: a malformed link is named in the error") {
  const std::string rule = "' is not a link i-j (source position - target position)";
  for (const std::string bad :
       {"3x4", "3-", "-4", "3-4-5", "a-1", "1-b", "+1-2", "3--4", "1234567890-1", "1-\t2", "-"}) {
    CAPTURE(bad);
    CHECK_THROWS_WITH(parse_pharaoh("0-0 " + bad), ("'" + bad + rule).c_str());
  }
  CHECK_THROWS_WITH(parse_pharaoh("1-2,3-4"), ("'1-2,3-4" + rule).c_str());
}
