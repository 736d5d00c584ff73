// attn caption: Show, Attend and Tell on generated scenes (train/caption_trainer.h).
//
//   attn caption train --shapes | --mnist IDX_IMAGES  --out DIR [options]
//   attn caption test  --model DIR [--mnist IDX_IMAGES] [--held-out] [--seed N] [--scenes N]
//                      [--beam K]
//   attn caption show  --model DIR (--image FILE.pgm|ppm | [--mnist IDX_IMAGES] [--seed N]
//                      [--scene I]) --out caption.svg
//
// test composes fresh scenes (digits the model never saw, by default) and prints exact match,
// BLEU-4 and attention correctness against uniform attention. show draws one image and, for
// each word said, where the model looked (the paper's Figures 2-3).
#include <cstdio>
#include <iostream>

#include "tools/attn/arguments.h"
#include "tools/attn/commands.h"
#include "train/caption_trainer.h"
#include "train/io/atomic_file.h"
#include "train/io/netpbm.h"
#include "train/report/image_attention_svg.h"

namespace attn::cli {

namespace {

const char* kUsage =
    "usage: attn caption train --shapes | --mnist IDX_IMAGES  --out DIR [options]\n"
    "       attn caption test  --model DIR [--mnist IDX_IMAGES] [--held-out] [--seed N]\n"
    "                          [--scenes N] [--beam K] [--digits FIRST:LAST] [--errors N]\n"
    "       attn caption show  --model DIR (--image FILE.pgm|ppm | [--mnist IDX_IMAGES]\n"
    "                          [--seed N] [--scene I] [--held-out]) --out caption.svg\n"
    "\n"
    "Image captioning with attention (Xu et al. 2015, Show, Attend and Tell). train generates\n"
    "scenes: two coloured shapes (--shapes), or 2 to 4 MNIST digits on a 64x64 canvas, read left\n"
    "to right (--mnist; the labels file is found beside the images, MNIST's naming). test\n"
    "captions freshly composed scenes: of an MNIST model, from the 10% of its file's digits it\n"
    "never saw, or from every digit of another IDX file (--mnist; --digits FIRST:LAST picks\n"
    "some); with --shapes models,\n"
    "--held-out composes scenes with the colour-shape pairs training never showed; --errors N\n"
    "prints the first N wrong captions beside their references, with the scene's number (show\n"
    "--scene I draws it) and the IDX images its digits came from. show writes\n"
    "the attention picture of one image (PGM/PPM of the model's size) or generated scene.\n";

std::string help_text() {
  CaptionOptions defaults;
  std::string help = kUsage;
  help += "\ntrain: the model\n";
  help += "  --preset NAME                micro | tiny | small (default tiny for --shapes, small for --mnist)\n";
  help += settings_help(defaults.model.settings());
  help += "train: optimisation (saved with the model)\n";
  help += settings_help(defaults.saved_settings());
  help += "train: this run\n";
  help += settings_help(defaults.run_settings());
  return help;
}

CaptionOptions parse_train(const std::vector<std::string>& args) {
  CaptionOptions options;
  Settings model = options.model.settings(), saved = options.saved_settings(),
           run = options.run_settings();
  std::set<std::string> with_value = {"mnist", "out", "preset"};
  for (const Settings* settings : {&model, &saved, &run})
    for (const std::string& name : option_names(*settings)) with_value.insert(name);
  const Arguments a("caption train", args, with_value, {"shapes", "quiet"});
  if (a.has("shapes") == a.has("mnist"))
    throw UsageError{"attn caption train: give exactly one of --shapes and --mnist IDX_IMAGES"};
  options.data.kind = a.has("shapes") ? "shapes" : "mnist";
  options.data.images = a.text("mnist");
  options.out_dir = a.required("out");
  try {
    options.model.apply_preset(a.text("preset", a.has("shapes") ? "tiny" : "small"));
  } catch (const std::exception& error) {
    throw UsageError{std::string("attn caption train: --preset: ") + error.what()};
  }
  options.explicit_settings = apply_training_settings(a, model, saved, run);
  options.quiet = a.has("quiet");
  return options;
}

int train(const std::vector<std::string>& args) {
  const CaptionOptions options = parse_train(args);
  const CaptionTrainResult result = train_captioner(options, std::cerr);
  std::cout << options.out_dir << ": validation exact match " << result.best_exact << "%, "
            << result.steps << " steps, " << static_cast<int64_t>(result.seconds) << " s\n";
  return 0;
}

// The scenes a test or picture draws on: the model's kind of data. Digits: --digits FIRST:LAST
// if given; else every digit of another file (--mnist), or the test split of the file it
// trained on.
std::unique_ptr<SceneSource> scenes_for(CaptionModel& loaded, const Arguments& a) {
  const uint64_t seed = static_cast<uint64_t>(whole_number(a, "seed", 1, 0));
  const HeldOutMode mode = a.has("held-out") ? HeldOutMode::held_out : HeldOutMode::seen_only;
  if (loaded.data.kind == "shapes") return loaded.data.source(seed, {}, mode);
  const bool other_file = a.has("mnist") && a.text("mnist") != loaded.data.images;
  if (other_file) loaded.data.images = a.text("mnist");
  DigitPool digits = other_file ? digit_range(0, loaded.data.digit_count()) : loaded.data.split().test;
  if (a.has("digits")) {
    const std::string text = a.text("digits");
    const size_t colon = text.find(':');
    try {
      digits = digit_range(std::stoll(text.substr(0, colon)), std::stoll(text.substr(colon + 1)));
    } catch (const std::exception&) {
      throw UsageError{"attn " + a.command() + ": --digits expects FIRST:LAST, got '" + text + "'"};
    }
  }
  return loaded.data.source(seed, digits);
}

int test(const std::vector<std::string>& args) {
  const Arguments a("caption test", args,
                    {"model", "mnist", "seed", "scenes", "beam", "digits", "errors"}, {"held-out"});
  CaptionModel loaded = CaptionModel::load(a.required("model"));
  const std::unique_ptr<SceneSource> source = scenes_for(loaded, a);
  const int64_t count = whole_number(a, "scenes", 1000, 1);
  const int64_t beam = whole_number(a, "beam", 1, 1);
  const int64_t errors = whole_number(a, "errors", 0, 0);
  const CaptionScores scores =
      score_captions(*loaded.model, loaded.vocabulary, *source, count, beam, errors);
  for (const WrongCaption& wrong : scores.wrong) {
    std::cout << "said:      " << wrong.said << "\nreference: " << wrong.reference << "  (scene "
              << wrong.scene;
    if (!wrong.sources.empty()) {
      std::cout << "; images";
      for (const int64_t image : wrong.sources) std::cout << " " << image;
    }
    std::cout << ")\n";
  }
  char line[256];
  std::snprintf(line, sizeof(line), "exact match %.2f%%, BLEU-4 %.2f on %lld scenes\n", scores.exact,
                scores.bleu, static_cast<long long>(scores.scenes));
  std::cout << line;
  if (beam == 1) {
    std::snprintf(line, sizeof(line),
                  "attention correctness %.3f (uniform attention: %.3f) over %lld object words\n",
                  scores.correctness, scores.uniform, static_cast<long long>(scores.checked_words));
    std::cout << line;
  }
  return 0;
}

int show(const std::vector<std::string>& args) {
  const Arguments a("caption show", args,
                    {"model", "image", "mnist", "seed", "scene", "out"}, {"held-out"});
  CaptionModel loaded = CaptionModel::load(a.required("model"));
  const std::string out = a.required("out");
  const CaptionerConfig& config = loaded.model->config();
  Scene scene;
  if (a.has("image")) {
    scene.image = read_netpbm(a.text("image"));
    if (scene.image.channels != config.image_channels || scene.image.height != config.image_height ||
        scene.image.width != config.image_width)
      throw UsageError{"attn caption show: " + a.text("image") + " is " +
                       std::to_string(scene.image.channels) + "x" + std::to_string(scene.image.height) +
                       "x" + std::to_string(scene.image.width) + " (channels x rows x columns); the model reads " +
                       std::to_string(config.image_channels) + "x" + std::to_string(config.image_height) +
                       "x" + std::to_string(config.image_width)};
  } else {
    scene = scenes_for(loaded, a)->scene(static_cast<uint64_t>(whole_number(a, "scene", 0, 0)));
  }
  const Captioned caption =
      caption_images(*loaded.model, loaded.vocabulary, stack_images({scene}))[0];
  std::vector<Box> boxes;  // the object each word names, when the scene knows it
  for (size_t t = 0; t < caption.words.size() && !scene.names.empty(); ++t) {
    const bool named = t < scene.names.size() && scene.names[t] >= 0;
    boxes.push_back(named ? scene.objects[static_cast<size_t>(scene.names[t])] : Box{});
  }
  std::string said;
  for (const std::string& word : caption.words) said += (said.empty() ? "" : " ") + word;
  write_file_atomically(out, image_attention_svg(scene.image, caption.words, caption.attention,
                                                 config.grid_height(), config.grid_width(), said,
                                                 boxes));
  std::cout << said << "\nwrote " << out << "\n";
  return 0;
}

}  // namespace

int caption_command(const std::vector<std::string>& args) {
  return run_subcommand("caption", args, help_text(),
                        {{"train", train}, {"test", test}, {"show", show}});
}

}  // namespace attn::cli
