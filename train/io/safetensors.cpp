// The safetensors format: an 8-byte length, a JSON header, raw little-endian tensor bytes.
#include "train/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "train/io/atomic_file.h"
#include "train/io/json.h"

namespace attn {

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian bytes; attn assumes a little-endian CPU");

static const char* dtype_name() { return sizeof(real) == 8 ? "F64" : "F32"; }

// A .safetensors file in pieces: the length and the header, then each tensor's values in the
// order of their data_offsets. Saving writes the pieces one after another, so a checkpoint of
// 100 MB is never assembled in memory (that copy, twice over while a string grew, was a
// training run's peak memory).
struct SafetensorsParts {
  std::string head;            // the 8-byte length and the header, padded
  std::vector<Tensor> values;  // contiguous
};

static std::string_view bytes_of(const Tensor& values) {
  return {reinterpret_cast<const char*>(values.data()),
          static_cast<size_t>(values.numel()) * sizeof(real)};
}

static SafetensorsParts encode_parts(const StateDict& tensors, const Metadata& metadata) {
  SafetensorsParts parts;
  Json header;
  int64_t end = 0;  // of the data written so far
  for (const auto& [name, tensor] : tensors) {
    parts.values.push_back(tensor.contiguous());
    const Tensor& values = parts.values.back();
    Json::Array shape;
    for (int64_t size : values.shape()) shape.push_back(Json(size));
    const int64_t begin = end;
    end += static_cast<int64_t>(bytes_of(values).size());
    header[name] = Json(Json::Object{{"dtype", Json(dtype_name())},
                                     {"shape", Json(shape)},
                                     {"data_offsets", Json(Json::Array{Json(begin), Json(end)})}});
  }
  if (!metadata.empty()) {
    Json::Object entries;
    for (const auto& [key, value] : metadata) entries[key] = Json(value);
    header["__metadata__"] = Json(entries);
  }
  std::string text = header.is_null() ? "{}" : header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned
  const uint64_t length = text.size();
  parts.head = std::string(reinterpret_cast<const char*>(&length), 8) + text;
  return parts;
}

std::string encode_safetensors(const StateDict& tensors, const Metadata& metadata) {
  const SafetensorsParts parts = encode_parts(tensors, metadata);
  std::string bytes = parts.head;
  for (const Tensor& values : parts.values) bytes.append(bytes_of(values));
  return bytes;
}

// Copies `count` elements of type From at `source` into `out`, converting to real.
template <typename From>
static void convert_into(const char* source, int64_t count, real* out) {
  for (int64_t i = 0; i < count; ++i) {
    From value;
    std::memcpy(&value, source + i * static_cast<int64_t>(sizeof(From)), sizeof(From));
    out[i] = static_cast<real>(value);
  }
}

// Where one tensor's bytes lie in the data section.
struct Extent {
  int64_t begin, end;
  std::string name;
};

static Tensor decode_tensor(const Json& entry, const std::string& name, const std::string& data,
                            Extent& extent) {
  auto fail = [&](const std::string& what) { return std::runtime_error(what); };
  const std::string dtype = entry.at("dtype").as_string();
  const int64_t element_size = dtype == "F32" ? 4 : dtype == "F64" ? 8 : 0;
  if (element_size == 0) throw fail("unsupported dtype " + dtype + " (attn reads F32 and F64)");
  Shape shape;
  for (const Json& size : entry.at("shape").as_array()) {
    shape.push_back(size.as_int());
    if (shape.back() < 0) throw fail("negative size in its shape");
  }
  const int64_t count = numel(shape);  // throws, naming the shape, past 2^63 - 1
  const Json::Array& offsets = entry.at("data_offsets").as_array();
  if (offsets.size() != 2) throw fail("data_offsets needs two numbers");
  const int64_t begin = offsets[0].as_int(), end = offsets[1].as_int();
  const int64_t available = static_cast<int64_t>(data.size());
  if (begin < 0 || end < begin || end > available)
    throw fail("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
               "] fall outside the file's " + std::to_string(available) + " data bytes");
  // Compared by division: count * element_size could pass 2^63 for a hostile shape.
  if ((end - begin) % element_size != 0 || (end - begin) / element_size != count)
    throw fail("shape " + to_string(shape) + " needs " + std::to_string(count) + " values of " +
               std::to_string(element_size) + " bytes, data_offsets hold " +
               std::to_string(end - begin) + " bytes");
  extent = {begin, end, name};
  Tensor tensor(shape);
  if (element_size == 4) convert_into<float>(data.data() + begin, count, tensor.data());
  else convert_into<double>(data.data() + begin, count, tensor.data());
  return tensor;
}

// The format's rule: the tensors' byte ranges tile the data section, with no gap and no overlap.
static void check_tiling(std::vector<Extent> extents, int64_t data_size) {
  std::sort(extents.begin(), extents.end(), [](const Extent& a, const Extent& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  int64_t next = 0;
  std::string previous;
  for (const Extent& extent : extents) {
    if (extent.begin < next)
      throw std::runtime_error("tensors " + previous + " and " + extent.name +
                               " overlap in the data section");
    if (extent.begin > next)
      throw std::runtime_error("bytes " + std::to_string(next) + ".." +
                               std::to_string(extent.begin) + " of the data section belong to no "
                               "tensor");
    next = extent.end;
    previous = extent.name;
  }
  if (next != data_size)
    throw std::runtime_error("bytes " + std::to_string(next) + ".." + std::to_string(data_size) +
                             " of the data section belong to no tensor");
}

StateDict decode_safetensors(const std::string& bytes, const std::string& source,
                             Metadata* metadata) {
  if (bytes.size() < 8) throw std::runtime_error(source + ": too short for a safetensors file");
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  if (length > bytes.size() - 8)
    throw std::runtime_error(source + ": header length " + std::to_string(length) +
                             " runs past the end of the file");
  Json header;
  try {
    header = Json::parse(bytes.substr(8, length));
  } catch (const std::exception& error) {
    throw std::runtime_error(source + ": bad header: " + error.what());
  }
  const std::string data = bytes.substr(8 + length);
  StateDict tensors;
  std::vector<Extent> extents;
  std::string place = "header";
  try {
    for (const auto& [name, entry] : header.as_object()) {
      if (name == "__metadata__") {
        place = "metadata";
        for (const auto& [key, value] : entry.as_object()) {
          const std::string& text = value.as_string();
          if (metadata) (*metadata)[key] = text;
        }
        continue;
      }
      place = "tensor " + name;
      extents.emplace_back();
      tensors[name] = decode_tensor(entry, name, data, extents.back());
    }
    place = "data section";
    check_tiling(extents, static_cast<int64_t>(data.size()));
  } catch (const std::exception& error) {
    throw std::runtime_error(source + ": " + place + ": " + error.what());
  }
  return tensors;
}

void save_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata) {
  const SafetensorsParts parts = encode_parts(tensors, metadata);
  std::vector<std::string_view> pieces = {parts.head};
  for (const Tensor& values : parts.values) pieces.push_back(bytes_of(values));
  write_file_atomically(path, pieces);
}

StateDict load_safetensors(const std::string& path, Metadata* metadata) {
  return decode_safetensors(read_file(path), path, metadata);
}

}  // namespace attn
