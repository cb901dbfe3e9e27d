#ifndef LKWEBHOOK_DETAIL_KEYED_WORKER_POOL_HPP
#define LKWEBHOOK_DETAIL_KEYED_WORKER_POOL_HPP

// The queueing engine of async_dispatcher: a fixed set of worker threads,
// one FIFO per worker, a global bound on queued jobs, and routing by a key
// hash so that jobs with the same key (the room) run one after another in
// submission order on the same worker.
//
// try_submit never blocks and never drops: it either queues the job (true)
// or refuses it (false, queue full or shutting down), and the caller answers
// 503 + Retry-After. shutdown() stops accepting, lets every worker run its
// queue dry, and joins them; every job accepted before shutdown() is run.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "../config.hpp"

namespace lkwebhook::detail {

template <class Job, class Run>
class keyed_worker_pool {
public:
    /// `run(Job&)` is called on a worker thread for every accepted job; it
    /// must not throw (the dispatcher wraps user code).
    keyed_worker_pool(std::size_t workers, std::size_t capacity, Run run)
        : run_(std::move(run)), capacity_(capacity == 0 ? 1 : capacity) {
        const std::size_t n = workers == 0 ? 1 : workers;
        lanes_.reserve(n);
        for (std::size_t i = 0; i < n; ++i) lanes_.push_back(std::make_unique<lane>());
        threads_.reserve(n);
        for (std::size_t i = 0; i < n; ++i) threads_.emplace_back([this, i] { work(*lanes_[i]); });
    }

    ~keyed_worker_pool() { shutdown(); }

    keyed_worker_pool(const keyed_worker_pool&) = delete;
    keyed_worker_pool& operator=(const keyed_worker_pool&) = delete;

    /// Queues `job` on the worker owning `key_hash`; false when full or stopped.
    [[nodiscard]] bool try_submit(std::uint64_t key_hash, Job&& job) {
        // Reserve a slot first, so the bound holds under any interleaving.
        std::size_t depth = depth_.load(std::memory_order_relaxed);
        do {
            if (depth >= capacity_) return false;
        } while (!depth_.compare_exchange_weak(depth, depth + 1, std::memory_order_relaxed));
        lane& l = *lanes_[static_cast<std::size_t>(key_hash % lanes_.size())];
        {
            std::lock_guard lock(l.mutex);
            if (l.stopping) {
                depth_.fetch_sub(1, std::memory_order_relaxed);
                return false;
            }
            // Give the reserved slot back when the queue cannot grow.
            undo_on_exception([&] { l.jobs.push_back(std::move(job)); },
                              [&] { depth_.fetch_sub(1, std::memory_order_relaxed); });
        }
        l.wake.notify_one();
        return true;
    }

    /// Stops accepting, runs every queued job, joins the workers. Idempotent;
    /// must not be called from a worker thread.
    void shutdown() {
        std::call_once(shutdown_once_, [this] {
            for (auto& l : lanes_) {
                {
                    std::lock_guard lock(l->mutex);
                    l->stopping = true;
                }
                l->wake.notify_all();
            }
            for (auto& t : threads_) {
                if (t.joinable()) t.join();
            }
        });
    }

    /// Jobs accepted and not yet finished (queued or running). Reading 0 (acquire)
    /// makes every finished job's effects visible to the reader.
    [[nodiscard]] std::size_t depth() const noexcept { return depth_.load(std::memory_order_acquire); }
    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
    [[nodiscard]] std::size_t workers() const noexcept { return lanes_.size(); }

private:
    struct lane {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<Job> jobs;
        bool stopping = false;
    };

    void work(lane& l) {
        for (;;) {
            std::unique_lock lock(l.mutex);
            l.wake.wait(lock, [&] { return l.stopping || !l.jobs.empty(); });
            if (l.jobs.empty()) return;  // stopping and drained
            Job job = std::move(l.jobs.front());
            l.jobs.pop_front();
            lock.unlock();  // user code never runs under our lock (J4)
            run_(job);
            // Release: whoever sees the smaller depth (wait_idle) also sees the job's effects.
            depth_.fetch_sub(1, std::memory_order_release);
        }
    }

    Run run_;
    std::size_t capacity_;
    std::atomic<std::size_t> depth_{0};
    std::vector<std::unique_ptr<lane>> lanes_;
    std::vector<std::thread> threads_;
    std::once_flag shutdown_once_;
};

}  // namespace lkwebhook::detail

#endif  // LKWEBHOOK_DETAIL_KEYED_WORKER_POOL_HPP
