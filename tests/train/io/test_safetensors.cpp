// safetensors: the byte layout, round trips, and errors that name the file and the tensor.
#include <doctest/doctest.h>

#include <sys/resource.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "train/io/atomic_file.h"
#include "train/io/json.h"
#include "train/io/safetensors.h"
#include "tests/temporary_path.h"

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
  const std::string path = temporary_path("roundtrip.safetensors");
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
  CHECK(error_of([&] { decode_safetensors(bytes + "xxxx", "x.safetensors"); })
            .find("belong to no tensor") != std::string::npos);
  std::string huge = bytes;
  huge[7] = 0x7f;  // header length far beyond the file
  CHECK(error_of([&] { decode_safetensors(huge, "x.safetensors"); })
            .find("runs past the end of the file") != std::string::npos);
}

// A file of the given header text and `data_bytes` zero bytes of data.
static std::string raw_file(const std::string& header, size_t data_bytes) {
  const uint64_t length = header.size();
  return std::string(reinterpret_cast<const char*>(&length), 8) + header +
         std::string(data_bytes, '\0');
}

TEST_CASE("safetensors: hostile headers are refused by name: overlaps, gaps, overflowing shapes") {
  const std::string f32 = R"("dtype":"F32")";
  // Two tensors over the same 8 bytes.
  const std::string overlap = raw_file(R"({"a":{)" + f32 + R"(,"shape":[2],"data_offsets":[0,8]},)"
                                       R"("b":{)" + f32 + R"(,"shape":[2],"data_offsets":[0,8]}})", 8);
  CHECK(error_of([&] { decode_safetensors(overlap, "x.st"); }) ==
        "x.st: data section: tensors a and b overlap in the data section");
  // 4 bytes at the end that belong to no tensor.
  const std::string gap = raw_file(R"({"a":{)" + f32 + R"(,"shape":[1],"data_offsets":[0,4]}})", 8);
  CHECK(error_of([&] { decode_safetensors(gap, "x.st"); }) ==
        "x.st: data section: bytes 4..8 of the data section belong to no tensor");
  // A shape whose element count wraps around 2^64 to a small number.
  const std::string wrap = raw_file(
      R"({"a":{)" + f32 + R"(,"shape":[4294967296,4294967296,1],"data_offsets":[0,0]}})", 0);
  CHECK(error_of([&] { decode_safetensors(wrap, "x.st"); }).find(
            "x.st: tensor a: shape [4294967296,4294967296,1] has more elements") == 0);
  // A shape far larger than its data: refused before anything is allocated.
  const std::string big = raw_file(
      R"({"a":{"dtype":"F64","shape":[1125899906842624],"data_offsets":[0,8]}})", 8);
  CHECK(error_of([&] { decode_safetensors(big, "x.st"); }) ==
        "x.st: tensor a: shape [1125899906842624] needs 1125899906842624 values of 8 bytes, "
        "data_offsets hold 8 bytes");
  // Metadata must be text; names must be unique.
  const std::string metadata = raw_file(R"({"__metadata__":{"step":12}})", 0);
  CHECK(error_of([&] { decode_safetensors(metadata, "x.st"); }) ==
        "x.st: metadata: json: expected a string");
  const std::string twice = raw_file(R"({"a":{)" + f32 + R"(,"shape":[1],"data_offsets":[0,4]},)"
                                     R"("a":{)" + f32 + R"(,"shape":[1],"data_offsets":[0,4]}})", 4);
  CHECK(error_of([&] { decode_safetensors(twice, "x.st"); }).find("duplicate key \"a\"") !=
        std::string::npos);
}

TEST_CASE("atomic_file: writing replaces the file whole and leaves no temporary") {
  const std::string path = temporary_path("atomic.txt");
  write_file_atomically(path, "first");
  write_file_atomically(path, "second");
  CHECK(read_file(path) == "second");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path);
  CHECK_THROWS_WITH(read_file(path), ("cannot open " + path + ": No such file or directory").c_str());
}

TEST_CASE("atomic_file: a directory where a file is expected is named as such") {
  const std::string dir = std::filesystem::temp_directory_path().string();
  CHECK_THROWS_WITH(read_file(dir), (dir + " is a directory, not a file").c_str());
  CHECK_THROWS_WITH(write_file_atomically(dir, "x"), (dir + " is a directory, not a file").c_str());
}

TEST_CASE("atomic_file: a write that fails (a full disk) leaves the old file and no temporary") {
  const std::string path = temporary_path("full.txt");
  write_file_atomically(path, "old");
  // A file size limit makes write() fail with EFBIG, as a full disk makes it fail with ENOSPC.
  struct rlimit before{};
  ::getrlimit(RLIMIT_FSIZE, &before);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit small = before;
  small.rlim_cur = 1024;
  ::setrlimit(RLIMIT_FSIZE, &small);
  const std::string expected = "cannot write " + path + ".tmp";
  CHECK_THROWS_WITH(write_file_atomically(path, std::string(4096, 'x')),
                    doctest::Contains(expected.c_str()));
  ::setrlimit(RLIMIT_FSIZE, &before);
  std::signal(SIGXFSZ, old_handler);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK(read_file(path) == "old");
  std::filesystem::remove(path);
}
