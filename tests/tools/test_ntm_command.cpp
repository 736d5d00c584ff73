// attn ntm's command line: bad options are one line naming them; a machine trains, tests at
// several lengths and draws its heads' weights.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/temporary_path.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/io/atomic_file.h"

using namespace attn;
using namespace attn::cli;

namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    ntm_command(args);
  } catch (const UsageError& error) {
    return error.message;
  }
  return "(no error)";
}

const std::vector<std::string> kMicro = {"--controller-size", "8", "--memory-slots", "8",
                                         "--memory-width", "4", "--bits", "3", "--max-length", "3",
                                         "--batch-size", "4", "--valid-sequences", "4",
                                         "--eval-interval", "3", "--steps", "3", "--threads", "1",
                                         "--quiet"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

TEST_CASE("attn ntm: bad options and subcommands are one line naming them") {
  CHECK(usage_error({"train", "--steps", "3"}) == "attn ntm train: --out is required");
  CHECK(usage_error({"train", "--out", "o", "--arch", "gru"}) ==
        "attn ntm train: --arch must be one of ntm, lstm, got 'gru'");
  CHECK(usage_error({"train", "--out", "o", "--memory-slots", "0"}) ==
        "attn ntm train: --memory-slots must be in 1..65536, got 0");
  CHECK(usage_error({"train", "--out", "o", "--task", "sort"}) ==
        "attn ntm train: --task must be one of copy, repeat_copy, got 'sort'");
  CHECK(usage_error({"test", "--model", "m", "--lengths", "20,x"}).find("--lengths expects") !=
        std::string::npos);
  CHECK(usage_error({"fly"}) == "attn ntm: unknown subcommand 'fly' (train, test, show)");
}

TEST_CASE("attn ntm: train, test at several lengths, show the weights; the LSTM has none") {
  const std::string out = temporary_path("ntm_cli"), lstm = temporary_path("ntm_cli_lstm");
  for (const std::string& dir : {out, lstm}) std::filesystem::remove_all(dir);
  CHECK(ntm_command(with({"train", "--out", out}, kMicro)) == 0);
  CHECK(ntm_command({"test", "--model", out, "--lengths", "3,6", "--sequences", "4"}) == 0);
  CHECK(ntm_command({"show", "--model", out, "--length", "4", "--out", out + "/trace.svg"}) == 0);
  CHECK(read_file(out + "/trace.svg").find("writes") != std::string::npos);
  CHECK(ntm_command(with({"train", "--out", lstm, "--arch", "lstm", "--task", "repeat_copy"},
                         kMicro)) == 0);
  CHECK(ntm_command({"test", "--model", lstm, "--lengths", "2", "--sequences", "2"}) == 0);
  CHECK(usage_error({"show", "--model", lstm, "--out", lstm + "/x.svg"}) ==
        "attn ntm show: " + lstm + " is an LSTM: it has no memory to draw");
}
