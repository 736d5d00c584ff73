// attn classify's command line: bad options are one line naming them; a tiny model trains on a
// generated file, resumes, tests on another file, and explains a sentence with an SVG; the
// mean-pooling baseline says it has no attention.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/temporary_path.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/data/sentences.h"
#include "train/io/atomic_file.h"

using namespace attn;
using namespace attn::cli;

namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    classify_command(args);
  } catch (const UsageError& error) {
    return error.message;
  }
  return "(no error)";
}

std::string data_dir(const std::string& name) {
  const std::string dir = temporary_path(name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_file_atomically(dir + "/train.txt", format_sentences(keyword_task(100, 1)));
  write_file_atomically(dir + "/test.txt", format_sentences(keyword_task(20, 2)));
  return dir;
}

std::vector<std::string> train_args(const std::string& dir, const std::string& out,
                                    const std::string& epochs) {
  return {"train", "--train", dir + "/train.txt", "--out", out, "--preset", "micro",
          "--epochs", epochs, "--threads", "1", "--quiet"};
}

}  // namespace

TEST_CASE("attn classify: bad options and subcommands are one line naming them") {
  CHECK(usage_error({"train", "--out", "o"}) == "attn classify train: --train is required");
  CHECK(usage_error({"train", "--train", "t", "--out", "o", "--hops", "0"}) ==
        "attn classify train: --hops must be in 1..256, got 0");
  CHECK(usage_error({"train", "--train", "t", "--out", "o", "--pooling", "max"}) ==
        "attn classify train: --pooling must be one of attention, mean, got 'max'");
  CHECK(usage_error({"train", "--train", "t", "--out", "o", "--penalty", "-1"}) ==
        "attn classify train: --penalty must be in 0..1000, got -1");
  CHECK(usage_error({"train", "--train", "t", "--out", "o", "--score", "nope"})
            .find("unknown score function 'nope'") != std::string::npos);
  CHECK(usage_error({"train", "--train", "t", "--out", "o", "--preset", "huge"})
            .find("unknown preset 'huge'") != std::string::npos);
  CHECK(usage_error({"train", "--train", "t", "--out", "o", "--minutes", "x"})
            .rfind("attn classify train: --minutes", 0) == 0);
  CHECK(usage_error({"test", "--model", "m", "--lines", "3"}).find("--lines") != std::string::npos);
  CHECK(usage_error({"fly"}) == "attn classify: unknown subcommand 'fly' (train, test, explain)");
}

TEST_CASE("attn classify: train, resume, test on another file, explain a sentence with an SVG") {
  const std::string dir = data_dir("classify_cli");
  const std::string out = dir + "/model";
  CHECK(classify_command(train_args(dir, out, "1")) == 0);
  CHECK(classify_command(train_args(dir, out, "2")) == 0);  // resumes for a second epoch
  CHECK(read_file(out + "/metrics.jsonl").find("\"epoch\":2") != std::string::npos);
  CHECK(classify_command({"test", "--model", out, "--file", dir + "/test.txt"}) == 0);
  CHECK(classify_command({"explain", "--model", out, "--sentence", "the old Dog saw a house",
                          "--out", dir + "/heat.svg"}) == 0);
  CHECK(read_file(dir + "/heat.svg").find("hop 2") != std::string::npos);
  CHECK(read_file(dir + "/heat.svg").find(">dog<") != std::string::npos);  // lowercased
  CHECK(classify_command({"explain", "--model", out, "--file", dir + "/test.txt", "--line", "3"}) == 0);
  CHECK(usage_error({"explain", "--model", out, "--file", dir + "/test.txt", "--line", "99"}) ==
        "attn classify explain: " + dir + "/test.txt has no sentence on line 99");
  CHECK(usage_error({"explain", "--model", out, "--sentence", "  "}) ==
        "attn classify explain: --sentence has no words");
  CHECK(usage_error({"explain", "--model", out, "--sentence", "a", "--line", "2"}) ==
        "attn classify explain: --line goes with --file, not --sentence");
  CHECK(usage_error({"explain", "--model", out, "--file", dir + "/test.txt"}) ==
        "attn classify explain: --file needs --line N");
  CHECK(usage_error({"explain", "--model", out, "--sentence", "a", "--file", "f"}) ==
        "attn classify explain: give exactly one of --sentence \"TEXT\" and --file FILE --line N");
  CHECK(usage_error({"explain", "--model", out, "--file", dir + "/test.txt", "--line", "0"}) ==
        "attn classify explain: --line expects a whole number of at least 1, got '0'");
}

TEST_CASE("attn classify: the mean-pooling baseline trains, tests, and explains without attention") {
  const std::string dir = data_dir("classify_cli_mean");
  const std::string out = dir + "/model";
  std::vector<std::string> args = train_args(dir, out, "1");
  args.insert(args.end(), {"--pooling", "mean"});
  CHECK(classify_command(args) == 0);
  CHECK(classify_command({"test", "--model", out, "--file", dir + "/test.txt"}) == 0);
  CHECK(classify_command({"explain", "--model", out, "--sentence", "a red car", "--out",
                          dir + "/none.svg"}) == 0);
  CHECK_FALSE(std::filesystem::exists(dir + "/none.svg"));
}
