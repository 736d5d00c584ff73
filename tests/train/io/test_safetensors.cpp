// safetensors: the byte layout, round trips, and errors that name the file and the tensor.
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "train/io/atomic_file.h"
#include "train/io/json.h"
#include "train/io/safetensors.h"

using namespace attn;

TEST_CASE("safetensors: the file is a length, a JSON header and the raw values") {
  const StateDict tensors{{"w", Tensor::from_vector({2}, {1.5f, -2})}};
  const std::string bytes = encode_safetensors(tensors, {{"format", "attn"}});
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  CHECK(length % 8 == 0);  // padded so the data is aligned
  const Json header = Json::parse(bytes.substr(8, length));
  CHECK(header.at("w").at("dtype").as_string() == (sizeof(real) == 4 ? "F32" : "F64"));
  CHECK(header.at("w").at("shape").as_array()[0].as_int() == 2);
  CHECK(header.at("w").at("data_offsets").as_array()[1].as_int() == 2 * int64_t(sizeof(real)));
  CHECK(header.at("__metadata__").at("format").as_string() == "attn");
  real first = 0;
  std::memcpy(&first, bytes.data() + 8 + length, sizeof(real));
  CHECK(first == 1.5f);
}

TEST_CASE("safetensors: tensors and metadata survive a save and a load") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "attn_test_roundtrip.safetensors").string();
  const StateDict tensors{{"a.weight", Tensor::from_vector({2, 3}, {1, 2, 3, 4, 5, 6})},
                          {"b", Tensor::scalar(7)},
                          {"empty", Tensor::zeros({0, 4})}};
  save_safetensors(path, tensors, {{"step", "12"}});
  Metadata metadata;
  const StateDict loaded = load_safetensors(path, &metadata);
  CHECK(metadata.at("step") == "12");
  REQUIRE(loaded.size() == 3);
  CHECK(loaded.at("a.weight").shape() == Shape{2, 3});
  CHECK(loaded.at("a.weight").to_vector() == tensors.at("a.weight").to_vector());
  CHECK(loaded.at("b").item() == 7);
  CHECK(loaded.at("empty").shape() == Shape{0, 4});
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path);
}

TEST_CASE("safetensors: a transposed view is saved in row-major order") {
  const Tensor t = Tensor::from_vector({2, 2}, {1, 2, 3, 4}).transpose(0, 1);
  const StateDict loaded = decode_safetensors(encode_safetensors({{"t", t}}), "memory");
  CHECK(loaded.at("t").to_vector() == std::vector<real>{1, 3, 2, 4});
}

// The message of the error `decode` throws, or "" if it throws none.
template <typename F>
static std::string error_of(F decode) {
  try {
    decode();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

TEST_CASE("safetensors: corrupt files are refused with the file and tensor named") {
  std::string bytes = encode_safetensors({{"w", Tensor::ones({4})}});
  CHECK_THROWS_WITH(decode_safetensors(bytes.substr(0, 4), "x.safetensors"),
                    "x.safetensors: too short for a safetensors file");
  const std::string truncated = bytes.substr(0, bytes.size() - 4);
  CHECK(error_of([&] { decode_safetensors(truncated, "x.safetensors"); })
            .rfind("x.safetensors: tensor w: data_offsets", 0) == 0);
  std::string huge = bytes;
  huge[7] = 0x7f;  // header length far beyond the file
  CHECK(error_of([&] { decode_safetensors(huge, "x.safetensors"); })
            .find("runs past the end of the file") != std::string::npos);
}

TEST_CASE("atomic_file: writing replaces the file whole and leaves no temporary") {
  const std::string path = (std::filesystem::temp_directory_path() / "attn_atomic.txt").string();
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  CHECK(read_file(path) == "second");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(read_file(path), ("cannot open " + path).c_str());
}
