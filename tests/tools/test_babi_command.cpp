// attn babi's command line: each setting of the model and of training is an option, bad values
// and subcommands are one line naming what is wrong, and a trained model tests and explains.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/temporary_path.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/data/where_stories.h"
#include "train/io/atomic_file.h"

using namespace attn;
using namespace attn::cli;

namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    babi_command(args);
  } catch (const UsageError& error) {
    return error.message;
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("attn babi: bad options and subcommands are one line naming them") {
  const std::vector<std::string> train = {"train", "--data", "d", "--out", "o"};
  auto with = [&](std::vector<std::string> more) {
    std::vector<std::string> args = train;
    args.insert(args.end(), more.begin(), more.end());
    return args;
  };
  CHECK(usage_error(with({"--hops", "0"})) == "attn babi train: --hops must be in 1..20, got 0");
  CHECK(usage_error(with({"--encoding", "words"})) ==
        "attn babi train: --encoding must be one of bow, pe, got 'words'");
  CHECK(usage_error(with({"--lr", "-1"})).find("--lr must be in") != std::string::npos);
  CHECK(usage_error(with({"--runs", "0"})) == "attn babi train: --runs must be in 1..1000, got 0");
  CHECK(usage_error(with({"--preset", "huge"})).find("unknown preset 'huge'") != std::string::npos);
  CHECK(usage_error(with({"--linear", "true"})) ==
        "attn babi train: unknown option --linear (see attn babi train --help)");
  CHECK(usage_error({"fly"}) == "attn babi: unknown subcommand 'fly' (train, test, explain)");
}

TEST_CASE("attn babi: train, then test and explain the model on any bAbI file") {
  const std::string data = temporary_path("babi_cli_data"), out = temporary_path("babi_cli_out");
  std::filesystem::create_directories(data);
  write_file_atomically(data + "/qa1_train.txt", where_stories(20, 1));
  write_file_atomically(data + "/qa1_valid.txt", where_stories(5, 2));
  CHECK(babi_command({"train", "--data", data, "--out", out, "--preset", "micro", "--epochs", "2",
                      "--linear-start-epochs", "1", "--quiet"}) == 0);
  CHECK(babi_command({"test", "--model", out, "--file", data + "/qa1_valid.txt"}) == 0);
  CHECK(babi_command({"test", "--model", out, "--file", data, "--split", "valid"}) == 0);
  CHECK(babi_command({"explain", "--model", out, "--file", data + "/qa1_valid.txt", "--story", "2",
                      "--svg", out + "/story.svg"}) == 0);
  CHECK(std::filesystem::exists(out + "/story.svg"));
  CHECK(usage_error({"explain", "--model", out, "--file", data + "/qa1_valid.txt", "--story", "9"}) ==
        "attn babi explain: --story must be in 1..5 (" + data + "/qa1_valid.txt), got 9");
}
