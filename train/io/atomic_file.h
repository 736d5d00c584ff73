// Writing a file so that a crash never leaves it half-written.
//
// The contents go to "<path>.tmp" first, are flushed to disk, and only then renamed over
// <path>. rename() within one directory is atomic on POSIX file systems: a reader (or a resumed
// run) sees either the old file or the new one, never a mixture.
#pragma once

#include <string>

namespace attn {

void write_file_atomically(const std::string& path, const std::string& contents);

// The whole file as bytes; throws naming the path when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace attn
