// Writing a file so that a crash never leaves it half-written, and reading one back.
//
// The contents go to "<path>.tmp" first, are flushed to disk, and only then renamed over
// <path>. rename() within one directory is atomic on POSIX file systems: a reader (or a resumed
// run) sees either the old file or the new one, never a mixture. The directory is flushed after
// the rename, so the new name survives a power cut too.
#pragma once

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace attn {

// If anything fails, the temporary file is removed again (a full disk keeps no leftover) and the
// error names the file and the reason.
void write_file_atomically(const std::string& path, const std::string& contents);
// The same, for contents in pieces written one after another (a large file need not be
// assembled in memory first).
void write_file_atomically(const std::string& path, const std::vector<std::string_view>& pieces);

// A file opened for reading; throws "cannot open PATH: <reason>" or "PATH is a directory, not a
// file".
std::ifstream open_for_reading(const std::string& path);
// The whole file as bytes; throws as open_for_reading does.
std::string read_file(const std::string& path);

}  // namespace attn
