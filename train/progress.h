// What a training run reports while it runs: a live status line or log lines for people, and
// DIR/metrics.jsonl plus DIR/loss.svg for later.
//
// metrics.jsonl holds one JSON object per line, e.g.
//   {"epoch":1,"learning_rate":0.0001,"loss":5.12,"step":40,"tokens_per_second":5321}
//   {"step":1000,"valid_bleu":21.3,"valid_loss":2.41,"valid_ppl":11.1}
// A resumed run first drops the lines past its checkpoint's step, so the file always describes
// one continuous run.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "train/checkpoint.h"
#include "train/training_loop.h"

namespace attn {

struct StepRecord {
  int64_t step = 0, epoch = 1;  // epochs count from 1, as in the progress line
  double loss = 0, learning_rate = 0, tokens_per_second = 0;
};

class MetricsLog {
 public:
  // Opens DIR/metrics.jsonl, keeping only the records up to `resume_step`.
  // score_name: what the validation score is ("BLEU"), its key "valid_bleu".
  MetricsLog(const std::string& dir, int64_t resume_step, const std::string& score_name);
  void add_step(const StepRecord& record);
  void add_eval(const EvalRecord& record);
  // DIR/loss.svg: training loss (averaged over 50-step windows) and validation loss by step.
  void write_chart() const;

 private:
  void append(const std::string& line);
  std::string dir_;
  std::string score_key_;  // "valid_bleu"
  std::vector<StepRecord> steps_;
  std::vector<EvalRecord> evals_;
};

class Progress {
 public:
  Progress(std::ostream& out, const LoopOptions& options);
  void step_line(const TrainingState& state, size_t batches_per_epoch, double loss,
                 double learning_rate, double tokens_per_second, double elapsed_seconds,
                 int64_t run_steps);
  void eval_line(const EvalRecord& record);
  void finish();

 private:
  std::ostream& out_;
  bool live_;
  int64_t log_interval_;
  int64_t total_steps_;   // 0: unknown
  double minutes_;        // 0: no time budget
  int64_t epochs_;        // 0: no epoch budget
  std::string score_name_;  // "BLEU"
  double loss_sum_ = 0;   // since the last log line
  int64_t loss_count_ = 0;
  double last_draw_ = -1;  // elapsed seconds at the last live redraw
};

}  // namespace attn
