// attn speech's command line: bad options are one line naming them; a model trains on synthetic
// tones or on a folder of WAV recordings (here written from synthetic tones), then tests on fresh
// utterances, transcribes WAV files and draws its attention.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "tests/temporary_path.h"
#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/audio/wav.h"
#include "train/data/synthetic_speech.h"
#include "train/io/atomic_file.h"

using namespace attn;
using namespace attn::cli;

namespace {

std::string usage_error(const std::vector<std::string>& args) {
  try {
    speech_command(args);
  } catch (const UsageError& error) {
    return error.message;
  }
  return "(no error)";
}

std::vector<std::string> micro_training(const std::string& out) {
  return {"--out", out, "--preset", "micro", "--epochs", "1", "--utterances-per-epoch", "16",
          "--valid-utterances", "4", "--batch-size", "8", "--max-digits", "2", "--threads", "1",
          "--quiet"};
}

}  // namespace

TEST_CASE("attn speech: bad options and subcommands are one line naming them") {
  CHECK(usage_error({"train", "--out", "o"}) ==
        "attn speech train: give exactly one of --recordings DIR and --synthetic");
  CHECK(usage_error({"train", "--synthetic", "--out", "o", "--pyramid", "9"}) ==
        "attn speech train: --pyramid must be in 0..8, got 9");
  CHECK(usage_error({"train", "--synthetic", "--out", "o", "--max-digits", "21"}) ==
        "attn speech train: --max-digits must be in 1..20, got 21");
  CHECK(usage_error({"train", "--synthetic", "--out", "o", "extra.wav"}) ==
        "attn speech train: unexpected argument 'extra.wav'");
  CHECK(usage_error({"fly"}) ==
        "attn speech: unknown subcommand 'fly' (train, test, transcribe, attention)");
}

TEST_CASE("attn speech: train on a folder of recordings, test, transcribe and draw") {
  const std::string dir = temporary_path("speech_cli");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/recordings");
  SyntheticSpeechOptions voices;
  voices.speakers = 3;
  voices.recordings_per_digit = 10;
  for (const Recording& r : synthetic_recordings(voices, 5))
    write_wav(dir + "/recordings/" + std::to_string(r.digit) + "_" + r.speaker + "_" +
                  std::to_string(r.index) + ".wav",
              r.audio);
  const std::string out = dir + "/model";
  std::vector<std::string> train = {"train", "--recordings", dir + "/recordings",
                                    "--held-out-speaker", "s2"};
  for (const std::string& arg : micro_training(out)) train.push_back(arg);
  CHECK(speech_command(train) == 0);
  CHECK(std::filesystem::exists(out + "/model.safetensors"));
  CHECK(speech_command({"test", "--model", out, "--utterances", "4", "--seed", "3"}) == 0);
  CHECK(speech_command({"test", "--model", out, "--utterances", "2", "--beam", "2",
                        "--recordings", dir + "/recordings"}) == 0);
  const std::string wav = dir + "/recordings/7_s0_3.wav";
  CHECK(speech_command({"transcribe", "--model", out, wav, dir + "/recordings/1_s1_2.wav"}) == 0);
  CHECK(speech_command({"attention", "--model", out, wav, "--out", dir + "/align.svg"}) == 0);
  CHECK(read_file(dir + "/align.svg").rfind("<svg", 0) == 0);
  CHECK(speech_command({"attention", "--model", out, "--utterance", "2", "--out", dir + "/u.svg"}) == 0);
  CHECK(read_file(dir + "/u.svg").find("said: ") != std::string::npos);
  CHECK(usage_error({"attention", "--model", out, "--out", dir + "/x.svg"}) ==
        "attn speech attention: give exactly one FILE.wav, or --utterance I");

  Audio fast;
  fast.sample_rate = 16000;
  fast.samples.assign(1600, 0.1f);
  write_wav(dir + "/fast.wav", fast);
  CHECK_THROWS_WITH(speech_command({"transcribe", "--model", out, dir + "/fast.wav"}),
                    doctest::Contains("fast.wav: 16000 Hz; the model hears 8000 Hz"));
  std::filesystem::create_directories(dir + "/fast");
  write_wav(dir + "/fast/3_s9_1.wav", fast);
  CHECK_THROWS_WITH(speech_command({"test", "--model", out, "--recordings", dir + "/fast"}),
                    doctest::Contains("/fast: recordings at 16000 Hz; the model hears 8000 Hz"));

  // The model directory serves without the recordings it was trained on.
  std::filesystem::copy_file(wav, dir + "/seven.wav");
  std::filesystem::remove_all(dir + "/recordings");
  CHECK(speech_command({"transcribe", "--model", out, dir + "/seven.wav"}) == 0);
}

TEST_CASE("attn speech: train on synthetic tones") {
  const std::string out = temporary_path("speech_cli_synthetic");
  std::filesystem::remove_all(out);
  std::vector<std::string> train = {"train", "--synthetic"};
  for (const std::string& arg : micro_training(out)) train.push_back(arg);
  CHECK(speech_command(train) == 0);
  CHECK(speech_command({"test", "--model", out, "--utterances", "3"}) == 0);
}
