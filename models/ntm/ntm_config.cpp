// The Neural Turing Machine's settings (see ntm_config.h).
#include "models/ntm/ntm_config.h"

#include <string>

#include "models/ntm/lstm_baseline.h"
#include "models/ntm/ntm.h"
#include "tensor/error.h"

namespace attn {

Settings NtmConfig::settings() {
  return {
      choice_setting("arch", model, "the memory machine, or the LSTM baseline",
                     {{"ntm", SequenceModelKind::ntm}, {"lstm", SequenceModelKind::lstm}}),
      choice_setting("controller", controller, "the NTM's controller network",
                     {{"lstm", ControllerKind::lstm}, {"feedforward", ControllerKind::feedforward}}),
      integer_setting("input_width", input_width, "the task's input channels", 1, 1024)
          .made_internal(),
      integer_setting("output_width", output_width, "the task's output bits", 1, 1024)
          .made_internal(),
      integer_setting("controller_size", controller_size, "the controller's (or LSTM's) width C",
                      1, 4096),
      integer_setting("memory_slots", memory_slots, "memory rows N", 1, 65536),
      integer_setting("memory_width", memory_width, "numbers per memory row M", 1, 4096),
      integer_setting("read_heads", read_heads, "read heads R (one head writes)", 1, 16),
      integer_setting("max_shift", max_shift, "largest shift K of the heads (-K..K)", 0, 64),
      integer_setting("lstm_layers", lstm_layers, "the LSTM baseline's stacked layers", 1, 16),
      number_setting("memory_init", memory_init, "every memory entry's starting value", -1, 1),
      seed_setting("seed", seed, "seeds the initial weights"),
  };
}

void NtmConfig::check() const {
  attn::check(input_width >= 1 && output_width >= 1 && controller_size >= 1, "ntm config",
              "widths must be >= 1, got input " + std::to_string(input_width) + ", output " +
                  std::to_string(output_width) + ", controller " +
                  std::to_string(controller_size));
  attn::check(memory_slots >= 1 && memory_width >= 1 && read_heads >= 1 && lstm_layers >= 1,
              "ntm config", "memory_slots, memory_width, read_heads and lstm_layers must be >= 1");
  attn::check(max_shift >= 0 && 2 * max_shift + 1 <= memory_slots, "ntm config",
              "the shifts -K..K must fit in the memory: K = " + std::to_string(max_shift) +
                  ", N = " + std::to_string(memory_slots));
}

std::unique_ptr<SequenceModel> NtmConfig::build() const {
  if (model == SequenceModelKind::lstm) return std::make_unique<LstmBaseline>(*this);
  return std::make_unique<NeuralTuringMachine>(*this);
}

}  // namespace attn
