// Progress lines, metrics.jsonl and the loss chart (see progress.h).
#include "train/progress.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <ostream>

#include "train/io/atomic_file.h"
#include "train/io/json.h"
#include "train/report/svg.h"

namespace attn {

// ---- metrics.jsonl ----------------------------------------------------------------------------

static std::string step_json(const StepRecord& r) {
  Json json;
  json["step"] = Json(r.step);
  json["epoch"] = Json(r.epoch);
  json["loss"] = Json(r.loss);
  json["learning_rate"] = Json(r.learning_rate);
  json["tokens_per_second"] = Json(std::round(r.tokens_per_second));
  return json.dump();
}

// A number for metrics.jsonl: JSON has no inf or NaN, so a value that is not finite is null.
static Json finite_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(); }

// Back from metrics.jsonl: null (a value that was not finite) reads as +inf.
static double number_or_inf(const Json& value) {
  return value.is_null() ? std::numeric_limits<double>::infinity() : value.as_number();
}

static std::string lower_case(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

static std::string eval_json(const EvalRecord& r, const std::string& score_key) {
  Json json;
  json["step"] = Json(r.step);
  json["valid_loss"] = finite_or_null(r.loss);
  json["valid_ppl"] = finite_or_null(std::exp(r.loss));  // overflows to inf past a loss of ~710
  json[score_key] = Json(r.score);
  return json.dump();
}

MetricsLog::MetricsLog(const std::string& dir, int64_t resume_step, const std::string& score_name)
    : dir_(dir), score_key_("valid_" + lower_case(score_name)) {
  const std::string path = dir + "/metrics.jsonl";
  std::vector<std::string> lines;
  if (std::filesystem::exists(path)) {
    std::istringstream in(read_file(path));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
  }
  std::string kept;
  for (size_t i = 0; i < lines.size(); ++i) {
    Json json;
    try {
      json = Json::parse(lines[i]);
    } catch (const std::exception& error) {
      // A run killed while appending leaves its last line cut short: that record is dropped and
      // the file rewritten without it. A damaged line before the last is not a crash's doing.
      if (i + 1 == lines.size()) break;
      throw std::runtime_error(path + ":" + std::to_string(i + 1) + ": " + error.what());
    }
    if (json.at("step").as_int() > resume_step) continue;
    if (json.contains("valid_loss"))
      evals_.push_back({json.at("step").as_int(), number_or_inf(json.at("valid_loss")),
                        json.at(score_key_).as_number()});
    else
      steps_.push_back({json.at("step").as_int(), json.at("epoch").as_int(),
                        json.at("loss").as_number(), json.at("learning_rate").as_number(),
                        json.at("tokens_per_second").as_number()});
    kept += lines[i] + "\n";
  }
  write_file_atomically(path, kept);
}

void MetricsLog::append(const std::string& line) {
  std::ofstream out(dir_ + "/metrics.jsonl", std::ios::app);
  out << line << "\n";
  out.flush();
  if (!out) throw std::runtime_error("cannot append to " + dir_ + "/metrics.jsonl");
}

void MetricsLog::add_step(const StepRecord& record) {
  steps_.push_back(record);
  append(step_json(record));
}

void MetricsLog::add_eval(const EvalRecord& record) {
  evals_.push_back(record);
  append(eval_json(record, score_key_));
}

void MetricsLog::write_chart() const {
  const size_t window = 50;
  Series train{"training loss", "#1f77b4", {}, {}}, valid{"validation loss", "#d62728", {}, {}};
  for (size_t begin = 0; begin < steps_.size(); begin += window) {
    const size_t end = std::min(steps_.size(), begin + window);
    double sum = 0;
    for (size_t i = begin; i < end; ++i) sum += steps_[i].loss;
    train.x.push_back(static_cast<double>(steps_[end - 1].step));
    train.y.push_back(sum / static_cast<double>(end - begin));
  }
  for (const EvalRecord& e : evals_) {
    valid.x.push_back(static_cast<double>(e.step));
    valid.y.push_back(e.loss);
  }
  write_file_atomically(dir_ + "/loss.svg",
                        line_chart_svg({train, valid}, "loss per target token", "step", "loss"));
}

// ---- what people see --------------------------------------------------------------------------

static std::string duration(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds);
  char text[32];
  if (s >= 3600) std::snprintf(text, sizeof(text), "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
  else std::snprintf(text, sizeof(text), "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
  return text;
}

Progress::Progress(std::ostream& out, const LoopOptions& options)
    : out_(out),
      live_(options.live_progress),
      log_interval_(std::max<int64_t>(1, options.log_interval)),
      total_steps_(options.steps),
      minutes_(options.minutes),
      epochs_(options.epochs),
      score_name_(options.score_name) {}

void Progress::step_line(const TrainingState& state, size_t batches_per_epoch, double loss,
                         double learning_rate, double tokens_per_second, double elapsed_seconds,
                         int64_t run_steps) {
  loss_sum_ += loss;
  ++loss_count_;
  const bool due = live_ ? elapsed_seconds - last_draw_ >= 0.25 : state.step % log_interval_ == 0;
  if (!due) return;
  // Remaining time: by steps, by the time budget, or by epochs, whichever ends first.
  const double per_step = elapsed_seconds / static_cast<double>(std::max<int64_t>(1, run_steps));
  double eta = -1;
  auto consider = [&](double seconds) { eta = eta < 0 ? seconds : std::min(eta, seconds); };
  if (total_steps_ > 0) consider(per_step * static_cast<double>(total_steps_ - state.step));
  if (minutes_ > 0) consider(minutes_ * 60 - elapsed_seconds);
  if (epochs_ > 0)
    consider(per_step * static_cast<double>((epochs_ - state.epoch) * static_cast<int64_t>(batches_per_epoch) -
                                            state.batch_in_epoch));
  char text[256];
  std::snprintf(text, sizeof(text),
                "step %lld | epoch %lld | loss %.4f | %.0f tok/s | lr %.2e | %s elapsed%s%s",
                (long long)state.step, (long long)state.epoch + 1, loss_sum_ / double(loss_count_),
                tokens_per_second, learning_rate, duration(elapsed_seconds).c_str(),
                eta >= 0 ? " | ETA " : "", eta >= 0 ? duration(std::max(0.0, eta)).c_str() : "");
  if (live_) {
    out_ << "\r\033[K" << text << std::flush;  // return to column 0, clear the line, redraw
    last_draw_ = elapsed_seconds;
  } else {
    out_ << text << "\n";
  }
  loss_sum_ = 0;
  loss_count_ = 0;
}

void Progress::eval_line(const EvalRecord& record) {
  char text[160];
  std::snprintf(text, sizeof(text), "validation at step %lld: loss %.4f | perplexity %.2f | %s %.2f",
                (long long)record.step, record.loss, std::exp(record.loss), score_name_.c_str(),
                record.score);
  out_ << (live_ ? "\r\033[K" : "") << text << "\n";
}

void Progress::finish() {
  if (live_) out_ << "\n";
}

}  // namespace attn
