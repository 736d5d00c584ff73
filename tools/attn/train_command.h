// attn train's command line, apart from running it: for the command and for its tests.
//
// The options are the data paths, --arch and --preset, every setting of the chosen architecture
// (ModelConfig::settings) and every setting of the training run (TrainOptions); the help text is
// generated from the same declarations, so an option cannot be missing from either.
#pragma once

#include <string>
#include <vector>

#include "train/trainer.h"

namespace attn::cli {

// The text of `attn train --help` for architecture `arch`.
std::string train_help(const std::string& arch);

// The options a command line asks for; throws UsageError on a bad or unknown option. Sets
// *help when --help was given (the other options are then not checked).
TrainOptions parse_train_arguments(const std::vector<std::string>& args, bool* help = nullptr);

}  // namespace attn::cli
