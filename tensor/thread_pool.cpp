// A persistent pool of std::threads running data-parallel loops (see thread_pool.h).
//
// The split: [0, count) is cut into `chunks` contiguous ranges,
//   chunks = clamp(count / min_chunk, 1, num_threads())
//   chunk c = [c * q + min(c, r), (c + 1) * q + min(c + 1, r))   where q = count / chunks,
//                                                                   r = count % chunks
// so the first r chunks are one element longer. The split depends only on count, min_chunk and
// the thread count: a body that reduces per chunk gets the same numbers run after run.
//
// The handshake, for one parallel_for: the caller publishes the job under the mutex and bumps
// `generation_`; worker w runs chunk w + 1, the caller runs chunk 0, and the last worker to finish
// wakes the caller. Workers are created once, on first need, and live until exit. Between jobs a
// worker spins for up to a millisecond (a batch of small matmuls calls parallel_for back to back,
// and waking a sleeping thread costs tens of microseconds) and then sleeps on a condition variable.
//
// A parallel_for from inside a chunk (or from a second thread while the pool is busy) runs the
// same chunks one after another on the calling thread: no nested fan-out, no deadlock, and the
// same split as the parallel run.
#include "tensor/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tensor/error.h"

namespace attn {

namespace {

using Body = std::function<void(int64_t begin, int64_t end)>;

// True on pool workers, and on a caller while its parallel_for runs: nested calls run serially.
thread_local bool inside_parallel_for = false;

// Marks the calling thread as inside a parallel_for for the lifetime of this object.
struct InsideParallelFor {
  InsideParallelFor() { inside_parallel_for = true; }
  ~InsideParallelFor() { inside_parallel_for = false; }
};

// Chunk `index` of `chunks` over [0, count): contiguous, sizes differing by at most one.
void run_chunk(const Body& body, int64_t count, int chunks, int index) {
  const int64_t quotient = count / chunks, remainder = count % chunks;
  const int64_t begin = index * quotient + std::min<int64_t>(index, remainder);
  const int64_t end = begin + quotient + (index < remainder ? 1 : 0);
  body(begin, end);
}

// Tells the core we are busy-waiting, so the other hyper-thread (if any) gets the pipeline.
void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How long a waiting thread polls before it sleeps. Waking a sleeping thread costs tens of
// microseconds, and up to a hundred in a virtual machine. Decoding one sentence calls
// parallel_for a few times per token with a tenth of a millisecond of one-thread work between
// (a softmax, a tanh): polling must outlast such gaps, or every product pays a wake-up.
constexpr std::chrono::microseconds kSpinTime{1000};

// Polls done() until it holds or kSpinTime has passed; the caller then sleeps if need be.
template <class Done>
void spin_until(const Done& done) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinTime;
  while (!done() && std::chrono::steady_clock::now() < deadline) cpu_relax();
}

class ThreadPool {
 public:
  ~ThreadPool();
  // Runs chunks 1.. on workers and chunk 0 here; returns when all are done. Rethrows the first
  // exception a chunk threw.
  void run(const Body& body, int64_t count, int chunks);
  // Guards against two outside threads dispatching at once; the loser runs serially.
  std::mutex& dispatch() { return dispatch_; }

 private:
  void ensure_workers(int count);
  void worker_loop(int index);
  bool wait_for_job(uint64_t seen);
  void finish_chunk(std::exception_ptr error);

  std::mutex dispatch_;
  std::mutex mutex_;                  // guards the job fields below and the two waits
  std::condition_variable wake_;      // workers sleep here between jobs
  std::condition_variable finished_;  // the caller sleeps here until the last chunk is done
  std::vector<std::thread> workers_;

  const Body* body_ = nullptr;  // the current job
  int64_t count_ = 0;
  int chunks_ = 0;
  std::exception_ptr error_;  // the first exception thrown by a chunk
  bool stopping_ = false;
  std::atomic<uint64_t> generation_{0};  // bumped once per job
  std::atomic<int> pending_{0};          // worker chunks of the current job still running
};

ThreadPool& pool() {
  static ThreadPool instance;
  return instance;
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  generation_.fetch_add(1, std::memory_order_release);
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
}

void ThreadPool::ensure_workers(int count) {
  while (static_cast<int>(workers_.size()) < count) {
    const int index = static_cast<int>(workers_.size());
    workers_.emplace_back([this, index] { worker_loop(index); });
  }
}

void ThreadPool::run(const Body& body, int64_t count, int chunks) {
  ensure_workers(chunks - 1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    count_ = count;
    chunks_ = chunks;
    error_ = nullptr;
    pending_.store(chunks - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();

  std::exception_ptr error;
  try {
    run_chunk(body, count, chunks, 0);
  } catch (...) {
    error = std::current_exception();
  }
  // The workers still read `body`: wait for them even when chunk 0 threw.
  spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; });
  std::unique_lock<std::mutex> lock(mutex_);
  finished_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
  if (!error) error = error_;
  body_ = nullptr;
  lock.unlock();
  if (error) std::rethrow_exception(error);
}

// Spins, then sleeps, until a job newer than `seen` (or shutdown) is published. False on shutdown.
bool ThreadPool::wait_for_job(uint64_t seen) {
  spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
  return !stopping_;
}

void ThreadPool::finish_chunk(std::exception_ptr error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (error && !error_) error_ = error;
  // Decrement under the mutex so the caller cannot miss the wake-up between test and sleep.
  if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) finished_.notify_one();
}

void ThreadPool::worker_loop(int index) {
  inside_parallel_for = true;
  uint64_t seen = 0;
  while (wait_for_job(seen)) {
    const Body* body;
    int64_t count;
    int chunks;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      seen = generation_.load(std::memory_order_acquire);
      body = body_;
      count = count_;
      chunks = chunks_;
    }
    // Worker `index` owns chunk index + 1; a job with fewer chunks leaves it idle.
    if (body == nullptr || index + 1 >= chunks) continue;
    std::exception_ptr error;
    try {
      run_chunk(*body, count, chunks, index + 1);
    } catch (...) {
      error = std::current_exception();
    }
    finish_chunk(error);
  }
}

// ATTN_NUM_THREADS when it holds a positive number, else the number of cores.
int default_thread_count() {
  if (const char* text = std::getenv("ATTN_NUM_THREADS")) {
    const int count = std::atoi(text);
    if (count > 0) return count;
  }
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::atomic<int>& thread_count() {
  static std::atomic<int> count{default_thread_count()};
  return count;
}

}  // namespace

int num_threads() { return thread_count().load(std::memory_order_relaxed); }

void set_num_threads(int count) {
  check(count >= 1, "set_num_threads",
        [&] { return "needs at least 1 thread, got " + std::to_string(count); });
  thread_count().store(count, std::memory_order_relaxed);
}

void parallel_for(int64_t count, int64_t min_chunk, const Body& body) {
  if (count <= 0) return;
  const int64_t by_size = count / std::max<int64_t>(min_chunk, 1);
  const int chunks = static_cast<int>(std::clamp<int64_t>(by_size, 1, num_threads()));
  if (chunks == 1) {
    body(0, count);
    return;
  }

  // Nested, or a second outside thread while the pool is busy: the same chunks, one by one.
  std::unique_lock<std::mutex> dispatch(pool().dispatch(), std::defer_lock);
  if (inside_parallel_for || !dispatch.try_lock()) {
    for (int c = 0; c < chunks; ++c) run_chunk(body, count, chunks, c);
    return;
  }
  InsideParallelFor scope;
  pool().run(body, count, chunks);
}

}  // namespace attn
