// Spoken digits (train/data/spoken_digits.h) on recordings made here, in memory: each take is a
// short ramp whose samples say which take it is, so an utterance shows which takes it used.
// Utterances are one speaker's takes between pauses, spelled by their transcript; the split
// follows its rule; a seed gives the same utterances; bad input is an error saying why; and
// read_recordings reads FSDD's naming from a folder of WAV files written here.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "tensor/error.h"
#include "tests/temporary_path.h"
#include "train/data/spoken_digits.h"
#include "train/data/synthetic_speech.h"

using namespace attn;

namespace {

// Take `index` of `digit` by `speaker`, the `number`-th made: 40..89 samples, sample n =
// (number + 1) / 1000 + n / 10^6, so no two takes share a sample value.
Recording ramp(int digit, const std::string& speaker, int64_t index, int64_t number) {
  Audio audio{8000, {}};
  const int64_t length = 40 + (number * 7) % 50;
  for (int64_t n = 0; n < length; ++n)
    audio.samples.push_back(static_cast<float>(double(number + 1) / 1000 + double(n) / 1e6));
  return {digit, speaker, index, audio};
}

// Every digit spoken by each speaker with the indices first..last.
std::vector<Recording> ramps(const std::vector<std::string>& speakers, int64_t first,
                             int64_t last) {
  std::vector<Recording> recordings;
  for (const std::string& speaker : speakers)
    for (int digit = 0; digit <= 9; ++digit)
      for (int64_t index = first; index <= last; ++index)
        recordings.push_back(ramp(digit, speaker, index, std::ssize(recordings)));
  return recordings;
}

// Checks everything an utterance without noise promises.
void check_utterance(const Utterance& utterance, const std::vector<Recording>& recordings,
                     const UtteranceOptions& options) {
  const int64_t count = std::ssize(utterance.digits);
  CHECK((count >= options.min_digits && count <= options.max_digits));
  REQUIRE(std::ssize(utterance.spans) == count);
  REQUIRE(std::ssize(utterance.sources) == count);
  std::string transcript;
  for (int64_t k = 0; k < count; ++k)
    transcript += (k ? " " : "") + digit_word(utterance.digits[k]);
  CHECK(utterance.transcript == transcript);
  CHECK(utterance.audio.sample_rate == 8000);

  const auto& samples = utterance.audio.samples;
  const int64_t shortest = std::llround(options.min_pause * 8000);
  const int64_t longest = std::llround(options.max_pause * 8000);
  int64_t previous_end = 0;
  std::vector<bool> in_span(samples.size(), false);
  for (int64_t k = 0; k < count; ++k) {
    const auto [begin, end] = utterance.spans[k];
    const Recording& source = recordings.at(static_cast<size_t>(utterance.sources[k]));
    CHECK(source.digit == utterance.digits[k]);
    CHECK(source.speaker == utterance.speaker);  // one speaker throughout
    CHECK((begin - previous_end >= shortest && begin - previous_end <= longest));  // a pause
    REQUIRE((begin < end && end <= std::ssize(samples)));
    CHECK(std::equal(samples.begin() + begin, samples.begin() + end, source.audio.samples.begin(),
                     source.audio.samples.end()));
    std::fill(in_span.begin() + begin, in_span.begin() + end, true);
    previous_end = end;
  }
  const int64_t last_pause = std::ssize(samples) - previous_end;
  CHECK((last_pause >= shortest && last_pause <= longest));
  int64_t sounds_in_pauses = 0;  // silence between the takes: there is no noise
  for (size_t n = 0; n < samples.size(); ++n) sounds_in_pauses += !in_span[n] && samples[n] != 0.0f;
  CHECK(sounds_in_pauses == 0);
}

// The message of the Error that `run` throws.
template <typename Run>
std::string message_of(Run run) {
  try {
    run();
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("spoken_digits: digit_word spells the digits in English") {
  std::string words;
  for (int digit = 0; digit <= 9; ++digit) words += digit_word(digit) + " ";
  CHECK(words == "zero one two three four five six seven eight nine ");
  CHECK(message_of([] { digit_word(10); }) == "digit_word: 10 is not a digit 0..9");
  CHECK(message_of([] { digit_word(-1); }) == "digit_word: -1 is not a digit 0..9");
}

TEST_CASE("spoken_digits: an utterance is one speaker's takes between pauses, spelled out") {
  const auto recordings = ramps({"ann", "bob", "cy"}, 0, 3);
  UtteranceOptions options;
  options.noise = 0;
  const auto utterances =
      compose_utterances(recordings, every_recording(recordings), 300, 1, options);
  REQUIRE(utterances.size() == 300);
  std::set<size_t> counts;
  std::set<std::string> speakers;
  std::set<int> digits;
  for (const Utterance& utterance : utterances) {
    check_utterance(utterance, recordings, options);
    counts.insert(utterance.digits.size());
    speakers.insert(utterance.speaker);
    digits.insert(utterance.digits.begin(), utterance.digits.end());
  }
  CHECK(counts == std::set<size_t>{1, 2, 3, 4, 5});
  CHECK(speakers == std::set<std::string>{"ann", "bob", "cy"});
  CHECK(digits.size() == 10);
}

TEST_CASE("spoken_digits: a hand-checked utterance of one digit and fixed pauses") {
  // One take of 40 samples; pauses of exactly 0.01 s = 80 samples: 80 + 40 + 80 = 200 samples.
  const std::vector<Recording> recordings{ramp(7, "ann", 3, 0)};
  UtteranceOptions options;
  options.max_digits = 1;
  options.min_pause = options.max_pause = 0.01;
  options.noise = 0;
  const Utterance utterance = compose_utterances(recordings, {0}, 1, 5, options).at(0);
  CHECK(utterance.transcript == "seven");
  CHECK(utterance.digits == std::vector<int>{7});
  CHECK(utterance.speaker == "ann");
  CHECK(utterance.sources == std::vector<int64_t>{0});
  CHECK(utterance.spans == std::vector<std::pair<int64_t, int64_t>>{{80, 120}});
  CHECK(utterance.audio.samples.size() == 200);
  CHECK(utterance.audio.samples[80] == 0.001f);
}

TEST_CASE("spoken_digits: utterances draw only on the pool, and all of it") {
  const auto recordings = ramps({"ann", "bob"}, 0, 9);
  const RecordingPool pool{5, 17, 40, 102, 111, 150, 199};  // ann: 0, 1, 4; bob: 0, 1, 5, 9
  UtteranceOptions options;
  options.min_digits = options.max_digits = 3;
  options.noise = 0;
  std::set<int64_t> used;
  for (const Utterance& utterance : compose_utterances(recordings, pool, 200, 2, options)) {
    check_utterance(utterance, recordings, options);
    used.insert(utterance.sources.begin(), utterance.sources.end());
  }
  CHECK(used == std::set<int64_t>(pool.begin(), pool.end()));
}

TEST_CASE("spoken_digits: a speaker says only the digits the pool has takes of") {
  // bob has takes of 2 and 7 only; ann of every digit.
  std::vector<Recording> recordings = ramps({"ann"}, 0, 1);
  recordings.push_back(ramp(2, "bob", 0, 20));
  recordings.push_back(ramp(7, "bob", 0, 21));
  std::set<int> bob_says;
  for (const Utterance& utterance :
       compose_utterances(recordings, every_recording(recordings), 100, 3))
    if (utterance.speaker == "bob")
      bob_says.insert(utterance.digits.begin(), utterance.digits.end());
  CHECK(bob_says == std::set<int>{2, 7});
}

TEST_CASE("spoken_digits: the same seed gives the same utterances, another seed others") {
  const auto recordings = synthetic_recordings({2, 2, 8000}, 1);
  const RecordingPool pool = every_recording(recordings);
  const auto first = compose_utterances(recordings, pool, 20, 9);
  const auto again = compose_utterances(recordings, pool, 20, 9);
  const auto other = compose_utterances(recordings, pool, 20, 10);
  int differ = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    CHECK(first[i].audio.samples == again[i].audio.samples);
    CHECK(first[i].transcript == again[i].transcript);
    CHECK(first[i].spans == again[i].spans);
    CHECK(first[i].sources == again[i].sources);
    differ += first[i].audio.samples != other[i].audio.samples;
  }
  CHECK(differ == 20);
}

TEST_CASE("spoken_digits: noise covers the pauses at its standard deviation, within [-1, 1]") {
  std::vector<Recording> recordings{ramp(1, "ann", 0, 0)};
  recordings[0].audio.samples.assign(400, 1.0f);  // full scale: noise must be clipped
  UtteranceOptions options;
  options.min_digits = options.max_digits = 2;
  options.noise = 0.01;
  double squares = 0;
  int64_t silent = 0;
  for (const Utterance& utterance : compose_utterances(recordings, {0}, 50, 4, options)) {
    const auto& samples = utterance.audio.samples;
    CHECK(std::all_of(samples.begin(), samples.end(), [](float x) { return std::abs(x) <= 1.0f; }));
    for (int64_t n = 0; n < utterance.spans[0].first; ++n, ++silent)
      squares += samples[n] * samples[n];
  }
  CHECK(std::sqrt(squares / double(silent)) == doctest::Approx(0.01).epsilon(0.05));
}

TEST_CASE("spoken_digits: the split holds out a speaker and one take in ten of the others") {
  // FSDD's indices 5..49: of each digit and training speaker, 35 train (index mod 10 = 0..7), 5
  // validate (8, 18, .., 48), 5 test (9, .., 49); the held-out speaker's 22 even and 23 odd
  // indices are unseen_valid and unseen_test.
  const auto recordings = ramps({"ann", "theo", "zed"}, 5, 49);
  const RecordingSplit split = split_recordings(recordings);
  CHECK(split.train.size() == 2 * 10 * 35);
  CHECK(split.valid.size() == 2 * 10 * 5);
  CHECK(split.test.size() == 2 * 10 * 5);
  CHECK(split.unseen_valid.size() == 10 * 22);
  CHECK(split.unseen_test.size() == 10 * 23);
  std::vector<int> part_of(recordings.size(), -1);
  const std::vector<const RecordingPool*> parts{&split.train, &split.valid, &split.test,
                                                &split.unseen_valid, &split.unseen_test};
  for (int part = 0; part < 5; ++part)
    for (int64_t i : *parts[static_cast<size_t>(part)]) {
      CHECK(part_of.at(static_cast<size_t>(i)) == -1);  // disjoint
      part_of.at(static_cast<size_t>(i)) = part;
    }
  for (size_t i = 0; i < recordings.size(); ++i) {  // and the rule
    const Recording& recording = recordings[i];
    const int expected = recording.speaker == "theo" ? 3 + int(recording.index % 2)
                         : recording.index % 10 == 8 ? 1
                         : recording.index % 10 == 9 ? 2
                                                     : 0;
    CHECK(part_of[i] == expected);
  }
}

TEST_CASE("spoken_digits: the split can hold out any speaker or none, but not a stranger") {
  const auto recordings = ramps({"ann", "bob"}, 0, 9);
  const RecordingSplit none = split_recordings(recordings, "");
  CHECK(none.train.size() == 160);
  CHECK(none.valid == RecordingPool{8,   18,  28,  38,  48,  58,  68,  78,  88,  98,
                                    108, 118, 128, 138, 148, 158, 168, 178, 188, 198});
  CHECK(none.unseen_valid.empty());
  CHECK(none.unseen_test.empty());
  const RecordingSplit bob = split_recordings(recordings, "bob");
  CHECK(bob.train.size() == 80);
  CHECK(bob.unseen_valid.front() == 100);
  CHECK(bob.unseen_test.front() == 101);
  CHECK(message_of([&] { split_recordings(recordings); }) ==
        "split_recordings: no recording is of the held-out speaker \"theo\"");
  auto negative = recordings;
  negative[3].index = -2;
  CHECK(message_of([&] { split_recordings(negative, ""); }) ==
        "split_recordings: recording 0_ann_-2 has a negative index");
}

TEST_CASE("spoken_digits: bad options, pools and recordings are errors naming the values") {
  const auto recordings = ramps({"ann"}, 0, 1);
  const RecordingPool all = every_recording(recordings);
  auto message = [](const std::vector<Recording>& with, const RecordingPool& pool,
                    const UtteranceOptions& options, int64_t count = 1) {
    return message_of([&] { compose_utterances(with, pool, count, 0, options); });
  };
  UtteranceOptions options;
  options.min_digits = 0;
  const std::string digits =
      "compose_utterances: digits per utterance must satisfy 1 <= "
      "min_digits <= max_digits <= 20, got ";
  CHECK(message(recordings, all, options) == digits + "0..5");
  options.min_digits = 6;
  CHECK(message(recordings, all, options) == digits + "6..5");
  options = {};
  options.max_digits = 21;
  CHECK(message(recordings, all, options) == digits + "1..21");
  options = {};
  options.min_pause = -0.1;
  const std::string pauses =
      "compose_utterances: pauses must satisfy 0 <= min_pause <= max_pause <= 5 seconds, got ";
  CHECK(message(recordings, all, options) == pauses + "-0.100000..0.250000");
  options.min_pause = 0.3;
  CHECK(message(recordings, all, options) == pauses + "0.300000..0.250000");
  options = {};
  options.max_pause = 6;
  CHECK(message(recordings, all, options) == pauses + "0.050000..6.000000");
  options = {};
  options.noise = 0.5;
  CHECK(message(recordings, all, options) ==
        "compose_utterances: noise must be a standard deviation of 0..0.1, got 0.500000");
  options.noise = std::nan("");
  CHECK(message(recordings, all, options) ==
        "compose_utterances: noise must be a standard deviation of 0..0.1, got nan");

  CHECK(message(recordings, {}, {}) == "compose_utterances: the pool of recordings is empty");
  CHECK(message(recordings, {0, 20}, {}) ==
        "compose_utterances: recording 20 of the pool is not one of the 20 recordings");
  CHECK(message(recordings, all, {}, -1) ==
        "compose_utterances: the count of utterances must not be negative, got -1");
  auto bad = recordings;
  bad[4].digit = 12;
  CHECK(message(bad, all, {}) == "compose_utterances: recording 4 says digit 12, not 0..9");
  bad = recordings;
  bad[5].audio.samples.clear();
  CHECK(message(bad, all, {}) == "compose_utterances: recording 2_ann_1 is empty");
  bad = recordings;
  bad[6].audio.sample_rate = 16000;
  CHECK(message(bad, all, {}) ==
        "compose_utterances: recording 3_ann_0 has 16000 Hz, 0_ann_0 8000 Hz");
  bad[0].audio.sample_rate = 0;
  CHECK(message(bad, all, {}) == "compose_utterances: recording 0_ann_0 has 0 Hz, not 1..384000");
}

// ---- read_recordings: WAV files in a temporary folder ------------------------------------------

namespace {

// A fresh empty folder under the system's temporary directory.
std::string fresh_folder(const std::string& name) {
  const std::string folder = temporary_path(name);
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  return folder;
}

// A WAV file of `samples` samples at `rate` in `folder`.
void put_wav(const std::string& folder, const std::string& name, int64_t samples,
             int64_t rate = 8000) {
  Audio audio{rate, std::vector<float>(static_cast<size_t>(samples), 0.25f)};
  write_wav(folder + "/" + name, audio);
}

}  // namespace

TEST_CASE("spoken_digits: read_recordings reads FSDD's names, sorted by speaker, digit, index") {
  const std::string folder = fresh_folder("spoken_digits_read");
  put_wav(folder, "7_bob_10.wav", 30);
  put_wav(folder, "7_bob_9.wav", 20);
  put_wav(folder, "0_bob_0.wav", 10);
  put_wav(folder, "3_ann_123456789.wav", 40);
  std::ofstream(folder + "/README.md") << "other files are ignored\n";
  std::ofstream(folder + "/7_bob_11.WAV") << "so are other extensions\n";
  std::filesystem::create_directories(folder + "/9_bob_1.wav");  // and folders
  const auto recordings = read_recordings(folder);
  REQUIRE(recordings.size() == 4);
  std::vector<std::string> order;
  for (const Recording& r : recordings)
    order.push_back(std::to_string(r.digit) + "_" + r.speaker + "_" + std::to_string(r.index) +
                    ":" + std::to_string(r.audio.samples.size()));
  CHECK(order ==
        std::vector<std::string>{"3_ann_123456789:40", "0_bob_0:10", "7_bob_9:20", "7_bob_10:30"});
  CHECK(recordings[0].audio.sample_rate == 8000);
  CHECK(recordings[0].audio.samples[0] == 0.25f);
}

TEST_CASE("spoken_digits: read_recordings names the file that breaks a rule") {
  const std::string folder = fresh_folder("spoken_digits_names");
  for (const std::string name :
       {"10_bob_1.wav", "x_bob_1.wav", "1__1.wav", "1_bob.wav", "1_bob_01.wav", "1_bob_-1.wav",
        "1_bob_1234567890.wav", "1_bob_1_2.wav", "1_bob_1a.wav"}) {
    put_wav(folder, name, 10);
    CHECK(message_of([&] { read_recordings(folder); }) ==
          "read_recordings: " + folder + "/" + name +
              " is not named {digit}_{speaker}_{index}.wav");
    std::filesystem::remove(folder + "/" + name);
  }
  put_wav(folder, "1_bob_0.wav", 10);
  CHECK(read_recordings(folder).size() == 1);
}

TEST_CASE("spoken_digits: read_recordings wants one sample rate and a folder of .wav files") {
  const std::string folder = fresh_folder("spoken_digits_rates");
  CHECK(message_of([&] { read_recordings(folder); }) ==
        "read_recordings: no .wav files in " + folder);
  CHECK(message_of([&] { read_recordings(folder + "/missing"); }) ==
        "read_recordings: " + folder + "/missing is not a folder");
  put_wav(folder, "1_ann_0.wav", 10);
  put_wav(folder, "1_bob_0.wav", 10, 16000);
  put_wav(folder, "2_bob_0.wav", 10, 16000);
  const std::string expected = "read_recordings: " + folder + "/1_bob_0.wav has 16000 Hz, " +
                               folder + "/1_ann_0.wav 8000 Hz";
  CHECK(message_of([&] { read_recordings(folder); }) == expected);
}
