// Spoken digits and connected-digit utterances (see spoken_digits.h).
#include "train/data/spoken_digits.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <system_error>
#include <tuple>

#include "tensor/error.h"

namespace attn {

namespace fs = std::filesystem;

namespace {

std::string text(int64_t value) { return std::to_string(value); }

// "7_jackson_32": the recording as FSDD names its file.
std::string name_of(const Recording& recording) {
  return text(recording.digit) + "_" + recording.speaker + "_" + text(recording.index);
}

// Uniform in [low, high]; the modulo's bias, (high - low + 1) / 2^64, is negligible.
int64_t uniform_int(Generator& generator, int64_t low, int64_t high) {
  return low + static_cast<int64_t>(generator.next_u64() % static_cast<uint64_t>(high - low + 1));
}

}  // namespace

// ---- reading a folder -------------------------------------------------------------------------

namespace {

const char* const kRead = "read_recordings";

// A .wav file of the folder, its name read, its audio not yet.
struct Listing {
  Recording recording;
  std::string path;
};

bool is_decimal(const std::string& digits) {
  return !digits.empty() &&
         std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The pieces of `text` between underscores: "7_jackson_32" -> "7", "jackson", "32".
std::vector<std::string> underscore_parts(const std::string& text) {
  std::vector<std::string> parts(1);
  for (char c : text) {
    if (c == '_') parts.emplace_back();
    else parts.back() += c;
  }
  return parts;
}

// The digit, speaker and index of a file named "{digit}_{speaker}_{index}.wav".
Recording recording_named(const fs::path& path) {
  const std::vector<std::string> parts = underscore_parts(path.stem().string());
  const bool named = parts.size() == 3 && parts[0].size() == 1 && is_decimal(parts[0]) &&
                     !parts[1].empty() && is_decimal(parts[2]) && parts[2].size() <= 9 &&
                     (parts[2] == "0" || parts[2][0] != '0');  // one spelling per index
  check(named, kRead, path.string() + " is not named {digit}_{speaker}_{index}.wav");
  return {parts[0][0] - '0', parts[1], std::stoll(parts[2]), {}};
}

// The .wav files of `folder`, named and sorted by speaker, digit and index.
std::vector<Listing> list_recordings(const std::string& folder) {
  std::error_code error;
  check(fs::is_directory(folder, error), kRead, folder + " is not a folder");
  fs::directory_iterator files(folder, error);
  check(!error, kRead, "cannot list " + folder + ": " + error.message());
  std::vector<Listing> listings;
  for (const fs::directory_entry& entry : files) {
    std::error_code unreadable;  // a broken link is not a regular file: ignored as other files
    if (entry.path().extension() != ".wav" || !entry.is_regular_file(unreadable)) continue;
    listings.push_back({recording_named(entry.path()), entry.path().string()});
  }
  check(!listings.empty(), kRead, "no .wav files in " + folder);
  std::sort(listings.begin(), listings.end(), [](const Listing& a, const Listing& b) {
    const Recording &x = a.recording, &y = b.recording;
    return std::tie(x.speaker, x.digit, x.index) < std::tie(y.speaker, y.digit, y.index);
  });
  return listings;
}

// Checks, by the files' sizes, that their 16-bit samples (2 bytes each) stay within
// kMaxRecordingSamples. A size counts at most one byte past the limit, so the sum cannot overflow.
void check_total_size(const std::vector<Listing>& listings, const std::string& folder) {
  const uintmax_t most_bytes = 2 * static_cast<uintmax_t>(kMaxRecordingSamples);
  uintmax_t bytes = 0;
  for (const Listing& listing : listings) {
    std::error_code error;
    const uintmax_t size = fs::file_size(listing.path, error);
    check(!error, kRead, listing.path + ": " + error.message());
    bytes += std::min(size, most_bytes + 1);
    check(bytes <= most_bytes, kRead,
          "the .wav files of " + folder + " hold more than " + std::to_string(most_bytes) +
              " bytes, the limit of " + text(kMaxRecordingSamples) + " 16-bit samples");
  }
}

}  // namespace

std::vector<Recording> read_recordings(const std::string& folder) {
  std::vector<Listing> listings = list_recordings(folder);
  check_total_size(listings, folder);
  std::vector<Recording> recordings;
  for (Listing& listing : listings) {
    listing.recording.audio = read_wav(listing.path);
    const int64_t rate = listing.recording.audio.sample_rate;
    const int64_t first_rate = recordings.empty() ? rate : recordings.front().audio.sample_rate;
    check(rate == first_rate, kRead,
          listing.path + " has " + text(rate) + " Hz, " + listings.front().path + " " +
              text(first_rate) + " Hz");
    recordings.push_back(std::move(listing.recording));
  }
  return recordings;
}

// ---- split ------------------------------------------------------------------------------------

RecordingPool every_recording(const std::vector<Recording>& recordings) {
  RecordingPool pool;
  for (size_t i = 0; i < recordings.size(); ++i) pool.push_back(static_cast<int64_t>(i));
  return pool;
}

RecordingSplit split_recordings(const std::vector<Recording>& recordings,
                                const std::string& held_out_speaker) {
  RecordingSplit split;
  for (size_t i = 0; i < recordings.size(); ++i) {
    const Recording& recording = recordings[i];
    check(recording.index >= 0, "split_recordings",
          "recording " + name_of(recording) + " has a negative index");
    const int64_t last_digit = recording.index % 10;
    const bool held_out = !held_out_speaker.empty() && recording.speaker == held_out_speaker;
    RecordingPool& part = held_out
                              ? (recording.index % 2 == 0 ? split.unseen_valid : split.unseen_test)
                          : last_digit == 8 ? split.valid
                          : last_digit == 9 ? split.test
                                            : split.train;
    part.push_back(static_cast<int64_t>(i));
  }
  check(held_out_speaker.empty() || !split.unseen_valid.empty() || !split.unseen_test.empty(),
        "split_recordings", "no recording is of the held-out speaker \"" + held_out_speaker + "\"");
  return split;
}

// ---- utterances -------------------------------------------------------------------------------

namespace {

const char* const kCompose = "compose_utterances";
constexpr int64_t kMaxDigits = 20;
constexpr double kMaxPause = 5;             // seconds
constexpr double kMaxNoise = 0.1;           // standard deviation
constexpr int64_t kMaxSampleRate = 384000;  // Hz, as read_wav: bounds a pause's samples

void check_options(const UtteranceOptions& options) {
  check(options.min_digits >= 1 && options.min_digits <= options.max_digits &&
            options.max_digits <= kMaxDigits,
        kCompose,
        "digits per utterance must satisfy 1 <= min_digits <= max_digits <= 20, got " +
            text(options.min_digits) + ".." + text(options.max_digits));
  check(options.min_pause >= 0 && options.min_pause <= options.max_pause &&
            options.max_pause <= kMaxPause,
        kCompose,
        "pauses must satisfy 0 <= min_pause <= max_pause <= 5 seconds, got " +
            std::to_string(options.min_pause) + ".." + std::to_string(options.max_pause));
  check(options.noise >= 0 && options.noise <= kMaxNoise, kCompose,
        "noise must be a standard deviation of 0..0.1, got " + std::to_string(options.noise));
}

// Checks recording `i` of a pool whose first recording is `first`.
void check_recording(const std::vector<Recording>& recordings, int64_t i, const Recording& first) {
  check(i >= 0 && i < std::ssize(recordings), kCompose,
        "recording " + text(i) + " of the pool is not one of the " + text(std::ssize(recordings)) +
            " recordings");
  const Recording& recording = recordings[static_cast<size_t>(i)];
  const int64_t rate = recording.audio.sample_rate;
  check(recording.digit >= 0 && recording.digit <= 9, kCompose,
        "recording " + text(i) + " says digit " + text(recording.digit) + ", not 0..9");
  check(!recording.audio.samples.empty(), kCompose,
        "recording " + name_of(recording) + " is empty");
  check(rate >= 1 && rate <= kMaxSampleRate, kCompose,
        "recording " + name_of(recording) + " has " + text(rate) + " Hz, not 1..384000");
  check(rate == first.audio.sample_rate, kCompose,
        "recording " + name_of(recording) + " has " + text(rate) + " Hz, " + name_of(first) + " " +
            text(first.audio.sample_rate) + " Hz");
}

// An element of `items`, uniformly drawn.
template <typename Item>
const Item& pick(const std::vector<Item>& items, Generator& generator) {
  return items[static_cast<size_t>(uniform_int(generator, 0, std::ssize(items) - 1))];
}

// A pause drawn from `generator`, in samples.
int64_t pause(const UtteranceOptions& options, int64_t sample_rate, Generator& generator) {
  const double seconds =
      options.min_pause + (options.max_pause - options.min_pause) * generator.uniform();
  return std::llround(seconds * static_cast<double>(sample_rate));
}

}  // namespace

std::string digit_word(int digit) {
  static const char* const kWords[] = {"zero", "one", "two",   "three", "four",
                                       "five", "six", "seven", "eight", "nine"};
  check(digit >= 0 && digit <= 9, "digit_word", text(digit) + " is not a digit 0..9");
  return kWords[digit];
}

UtteranceMaker::UtteranceMaker(const std::vector<Recording>& recordings, const RecordingPool& pool,
                               const UtteranceOptions& options)
    : recordings_(recordings), options_(options) {
  check_options(options);
  check(!pool.empty(), kCompose, "the pool of recordings is empty");
  // By name, sorted: which speaker a draw gives does not depend on the order of the pool.
  std::map<std::string, SpeakerTakes> by_name;
  for (int64_t i : pool) {
    check_recording(recordings, i, recordings[static_cast<size_t>(pool.front())]);
    const Recording& recording = recordings[static_cast<size_t>(i)];
    SpeakerTakes& speaker = by_name[recording.speaker];
    speaker.name = recording.speaker;
    speaker.takes[static_cast<size_t>(recording.digit)].push_back(i);
  }
  for (auto& [name, speaker] : by_name) {
    for (int digit = 0; digit <= 9; ++digit)
      if (!speaker.takes[static_cast<size_t>(digit)].empty()) speaker.digits.push_back(digit);
    speakers_.push_back(std::move(speaker));
  }
  sample_rate_ = recordings[static_cast<size_t>(pool.front())].audio.sample_rate;
}

Utterance UtteranceMaker::utterance(Generator& generator) const {
  Utterance utterance;
  const SpeakerTakes& speaker = pick(speakers_, generator);
  utterance.speaker = speaker.name;
  const int64_t count = uniform_int(generator, options_.min_digits, options_.max_digits);
  for (int64_t k = 0; k < count; ++k) {
    const int digit = pick(speaker.digits, generator);
    utterance.digits.push_back(digit);
    utterance.sources.push_back(pick(speaker.takes[static_cast<size_t>(digit)], generator));
    utterance.transcript += (k > 0 ? " " : "") + digit_word(digit);
  }

  // pause, take, pause, take, ..., pause
  utterance.audio.sample_rate = sample_rate_;
  std::vector<float>& samples = utterance.audio.samples;
  samples.resize(static_cast<size_t>(pause(options_, sample_rate_, generator)));
  for (int64_t source : utterance.sources) {
    const std::vector<float>& take = recordings_[static_cast<size_t>(source)].audio.samples;
    const int64_t begin = std::ssize(samples);
    samples.insert(samples.end(), take.begin(), take.end());
    utterance.spans.emplace_back(begin, std::ssize(samples));
    samples.resize(samples.size() + static_cast<size_t>(pause(options_, sample_rate_, generator)));
  }

  for (float& sample : samples) {
    const double noisy = options_.noise > 0 ? sample + options_.noise * generator.normal() : sample;
    sample = static_cast<float>(std::clamp(noisy, -1.0, 1.0));
  }
  return utterance;
}

std::vector<Utterance> compose_utterances(const std::vector<Recording>& recordings,
                                          const RecordingPool& pool, int64_t count, uint64_t seed,
                                          const UtteranceOptions& options) {
  check(count >= 0, kCompose, "the count of utterances must not be negative, got " + text(count));
  const UtteranceMaker maker(recordings, pool, options);
  Generator generator(seed);
  std::vector<Utterance> utterances;
  for (int64_t i = 0; i < count; ++i) utterances.push_back(maker.utterance(generator));
  return utterances;
}

}  // namespace attn
