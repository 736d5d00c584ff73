// An exclusive lock on a model directory, so that two training runs never write into one.
//
// Two `attn train` on one --out would each write config.json, the weights and the checkpoint,
// leaving files from two different runs side by side (a config from one, weights from the
// other). The lock is flock() on DIR/train.lock, taken before anything is written and held while
// the DirectoryLock lives. The operating system releases it when its process ends in any way, so
// a run killed with kill -9 leaves no stale lock behind: the file stays, the lock does not.
#pragma once

#include <string>

namespace attn {

class DirectoryLock {
 public:
  // Locks `dir` (which must exist), or throws "DIR is in use by another training run (pid N)".
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace attn
