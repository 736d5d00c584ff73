// Atomic file writes: temporary file, flush, fsync, rename (see atomic_file.h).
#include "train/io/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace attn {

static std::runtime_error file_error(const std::string& what, const std::string& path) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw file_error("cannot create", temporary);
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw file_error("cannot write", temporary);
    }
    written += static_cast<size_t>(n);
  }
  // Without fsync the rename could reach the disk before the data does.
  if (::fsync(fd) != 0 || ::close(fd) != 0) throw file_error("cannot flush", temporary);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw file_error("cannot rename to", path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace attn
