// Listen, Attend and Spell (see las.h): Chan et al. 2016, §3.
#include "models/las/las.h"

#include "tensor/error.h"

namespace attn {

namespace {

ListenerOptions listener_options(const LasConfig& config) {
  ListenerOptions options;
  options.features = config.features;
  options.hidden = config.listener_hidden;
  options.pyramid = config.pyramid;
  options.dropout = config.dropout;
  return options;
}

}  // namespace

ListenAttendSpell::ListenAttendSpell(const LasConfig& config)
    : LuongModel(config.speller(), /*text_encoder=*/false),
      las_(config),
      listener_(listener_options(config), generator_) {
  register_module("listener", listener_);
}

Memory ListenAttendSpell::encode(const Source& source) {
  check(source.input.ndim() == 3, "las encode",
        [&] { return "source must be frames [B, T, F], got " + to_string(source.input.shape()); });
  const ListenerOutput heard = listener_.forward(Variable(source.input), source.mask);
  Memory memory{heard.states, heard.mask, {}};  // [B, U, 2R_l], [B, U]
  // h of every layer and direction, then c: the order the speller's initial_state reads
  for (const CellState& state : heard.final) memory.final_states.push_back(state.h);  // [B, R_l]
  for (const CellState& state : heard.final) memory.final_states.push_back(state.c);
  return memory;
}

}  // namespace attn
