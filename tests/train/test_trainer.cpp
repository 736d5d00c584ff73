// The training loop: a run that stops and resumes from its checkpoint continues exactly as a run
// that never stopped (same batches, dropout masks, optimiser state and learning rates).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "models/transformer/transformer.h"
#include "train/data/dates.h"
#include "train/io/atomic_file.h"
#include "train/io/json.h"
#include "train/trainer.h"
#include "train/translator.h"

using namespace attn;

namespace {

std::string temporary_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

// A micro model on a few hundred dates: seconds to train, yet every part of the loop runs.
TrainOptions micro_options(const std::string& data, const std::string& out) {
  TrainOptions o;
  o.tsv_path = data + "/train.tsv";
  o.valid_tsv_path = data + "/valid.tsv";
  o.out_dir = out;
  TransformerConfig model = TransformerConfig::micro();  // D 16, 2 heads, F 32
  model.encoder_layers = 1;
  model.decoder_layers = 1;
  model.dropout = 0.1;  // dropout masks must continue exactly too
  o.model = std::make_shared<TransformerConfig>(model);
  o.tokenizer = "char";
  o.batch_tokens = 300;
  o.warmup = 10;
  o.eval_interval = 6;
  o.log_interval = 1;
  o.seed = 3;
  o.threads = 1;
  return o;
}

// The training losses of metrics.jsonl, by step, as written (exact text).
std::vector<std::string> losses(const std::string& dir) {
  std::vector<std::string> values;
  std::ifstream in(dir + "/metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    const Json record = Json::parse(line);
    if (record.contains("loss")) values.push_back(Json(record.at("loss").as_number()).dump());
  }
  return values;
}

void write_dates(const std::string& path, int64_t count, uint64_t seed) {
  Generator generator(seed);
  std::string text;
  for (const SentencePair& pair : generate_date_pairs(count, generator))
    text += pair.source + "\t" + pair.target + "\n";
  write_file_atomically(path, text);
}

}  // namespace

TEST_CASE("trainer: a resumed run's loss curve equals an uninterrupted run's") {
  const std::string data = temporary_dir("attn_trainer_data");
  write_dates(data + "/train.tsv", 100, 1);  // about 8 batches: 18 steps cross two epochs
  write_dates(data + "/valid.tsv", 20, 2);
  std::ostringstream log;

  TrainOptions straight = micro_options(data, temporary_dir("attn_trainer_straight"));
  straight.steps = 18;
  train_translation_model(straight, log);

  TrainOptions interrupted = micro_options(data, temporary_dir("attn_trainer_resumed"));
  interrupted.steps = 6;  // stop after the first checkpoint ...
  train_translation_model(interrupted, log);
  interrupted.steps = 18;  // ... and run again in the same directory: it resumes
  const TrainResult resumed = train_translation_model(interrupted, log);

  CHECK(resumed.steps == 18);
  const std::vector<std::string> expected = losses(straight.out_dir);
  REQUIRE(expected.size() == 18);
  CHECK(losses(interrupted.out_dir) == expected);
  CHECK(log.str().find("resuming at step 6") != std::string::npos);

  // Both runs kept the same best weights, byte for byte.
  CHECK(read_file(straight.out_dir + "/model.safetensors") ==
        read_file(interrupted.out_dir + "/model.safetensors"));
}
