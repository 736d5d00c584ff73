// Atomic file writes: temporary file, flush, fsync, rename (see atomic_file.h).
#include "train/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace attn {

// "cannot open PATH: No such file or directory", from errno.
static std::runtime_error file_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// Writes all of `contents` to `fd`; false (errno set) on failure.
static bool write_all(int fd, std::string_view contents) {
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += static_cast<size_t>(n);
  }
  return true;
}

// Flushes the directory holding `path`, so a rename inside it is on disk (best effort: some file
// systems do not support it, and the data itself is already flushed).
static void flush_directory_of(const std::string& path) {
  const std::string directory = std::filesystem::path(path).parent_path().string();
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  write_file_atomically(path, std::vector<std::string_view>{contents});
}

void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces) {
  if (std::filesystem::is_directory(path))
    throw std::runtime_error(path + " is a directory, not a file");
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw file_error("cannot create", temporary);
  // Without fsync the rename could reach the disk before the data does.
  bool written = true;
  for (std::string_view piece : pieces) written = written && write_all(fd, piece);
  written = written && ::fsync(fd) == 0;
  const int saved_errno = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    ::unlink(temporary.c_str());
    errno = written ? errno : saved_errno;
    throw file_error("cannot write", temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::runtime_error error = file_error("cannot rename to", path);
    ::unlink(temporary.c_str());
    throw error;
  }
  flush_directory_of(path);
}

std::ifstream open_for_reading(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored))
    throw std::runtime_error(path + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error("cannot open", path);
  return in;
}

std::string read_file(const std::string& path) {
  std::ifstream in = open_for_reading(path);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) throw file_error("cannot read", path);
  return contents.str();
}

}  // namespace attn
