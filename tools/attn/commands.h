// The subcommands of `attn`: each takes its arguments (after the command name) and returns the
// process exit status. Usage errors throw cli::UsageError; other failures std::exception.
#pragma once

#include <string>
#include <vector>

namespace attn::cli {

int train_command(const std::vector<std::string>& args);
int translate_command(const std::vector<std::string>& args);
int bleu_command(const std::vector<std::string>& args);
int attention_command(const std::vector<std::string>& args);
int align_command(const std::vector<std::string>& args);
int dates_command(const std::vector<std::string>& args);
int babi_command(const std::vector<std::string>& args);
int caption_command(const std::vector<std::string>& args);
int speech_command(const std::vector<std::string>& args);
int ntm_command(const std::vector<std::string>& args);
int classify_command(const std::vector<std::string>& args);

}  // namespace attn::cli
