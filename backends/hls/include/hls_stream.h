/*
 * snnc's minimal stand-in for Vitis HLS <hls_stream.h>, for C-simulation with g++ when
 * the Vitis headers are not installed (set XILINX_HLS to use the real ones).
 *
 * hls::stream<T, DEPTH> is a FIFO: write() appends, read() removes the oldest element.
 * DEPTH = 0 (the default, as for the testbench's streams) is unbounded.
 *
 * Dataflow: hls::shim::dataflow({f1, f2, ...}) runs the processes of a DATAFLOW region
 * concurrently, one thread each, as the hardware does. Inside a running region a
 * stream of depth D blocks write() while it holds D elements and read() while it is
 * empty, so a FIFO that is too shallow for the schedule shows as a deadlock: when every
 * live process of the region waits on a stream that cannot serve it, the shim prints the blocked streams (name,
 * full or empty, depth), unwinds every process, and dataflow() returns false;
 * hls::shim::take_deadlock() then reports it once (the generated C entry point returns
 * -3, the testbench fails). Outside a region (sequential code) no stream blocks: a read
 * of an empty stream prints a warning and returns T(), as in Vitis C-simulation.
 * Which FIFO fills up depends on the number of timesteps only, not on the data, so the
 * generated top runs the region on threads once per number of timesteps (checked_set)
 * and in order, with unbounded FIFOs, after that (as fast as the sequential design).
 * Streams cannot be copied. The generated code uses dataflow() only when this shim is
 * included (SNNC_HLS_SHIM_THREADS); with the Vitis headers it calls the processes in
 * order, as Vitis C-simulation does.
 */
#ifndef SNNC_HLS_STREAM_SHIM_H
#define SNNC_HLS_STREAM_SHIM_H

#define SNNC_HLS_SHIM_THREADS 1

#include <stddef.h>
#include <stdio.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hls {
namespace shim {

struct deadlock_error {};

// A process blocked on a stream: what it waits for, and whether it still has to (evaluated
// under the region's mutex: a notified process that has not run yet is not blocked).
struct waiter {
    std::string what;
    std::function<bool()> blocked;
    std::condition_variable* cv;     // the stream's, notified when it changes
};

// The one running dataflow region: its live processes and the blocked ones.
struct region {
    std::mutex m;
    int running = 0;
    bool dead = false;
    std::vector<const waiter*> waits;
};

inline region& state() {
    static region r;
    return r;
}

inline bool& deadlock_seen() {
    static bool seen = false;
    return seen;
}

// Called with r.m held when a process blocks or ends: a deadlock when every live process
// waits on a stream that still cannot serve it.
inline void check_deadlock(region& r) {
    if (r.dead || r.running == 0 || static_cast<int>(r.waits.size()) < r.running) {
        return;
    }
    for (const waiter* w : r.waits) {
        if (!w->blocked()) {
            return;
        }
    }
    r.dead = true;
    fprintf(stderr, "DEADLOCK in the DATAFLOW region: all %d live process(es) are blocked:", r.running);
    for (size_t k = 0; k < r.waits.size(); k++) {
        fprintf(stderr, "%s %s", k ? "," : "", r.waits[k]->what.c_str());
    }
    fprintf(stderr, "\n");
    for (const waiter* w : r.waits) {
        w->cv->notify_all();
    }
}

// Block the calling process (r.m held through `lk`) until notified; throws on deadlock.
inline void wait(region& r, std::unique_lock<std::mutex>& lk, const std::string& what,
                 const std::function<bool()>& blocked, std::condition_variable& cv) {
    if (r.dead) {
        throw deadlock_error();
    }
    const waiter me{what, blocked, &cv};
    r.waits.push_back(&me);
    check_deadlock(r);
    if (!r.dead) {
        cv.wait(lk);
    }
    for (size_t k = 0; k < r.waits.size(); k++) {
        if (r.waits[k] == &me) {
            r.waits.erase(r.waits.begin() + static_cast<long>(k));
            break;
        }
    }
    if (r.dead) {
        throw deadlock_error();
    }
}

// Run the processes of one DATAFLOW region concurrently; false when they deadlocked.
inline bool dataflow(std::initializer_list<std::function<void()> > procs) {
    region& r = state();
    {
        std::lock_guard<std::mutex> lk(r.m);
        r.running = static_cast<int>(procs.size());
        r.dead = false;
        r.waits.clear();
    }
    std::vector<std::thread> threads;
    for (const std::function<void()>& p : procs) {
        threads.emplace_back([&r, p] {
            try {
                p();
            } catch (const deadlock_error&) {
            }
            std::lock_guard<std::mutex> lk(r.m);
            r.running--;
            check_deadlock(r);
        });
    }
    for (std::thread& t : threads) {
        t.join();
    }
    std::lock_guard<std::mutex> lk(r.m);
    const bool dead = r.dead;
    r.dead = false;
    if (dead) {
        deadlock_seen() = true;
    }
    return !dead;
}

// The values of a key (the number of timesteps) a DATAFLOW region already ran with on blocking
// FIFOs. The traffic of every channel depends on the timesteps only, never on the data, so one
// blocking run per value shows any deadlock; the generated top runs the later calls in order.
struct checked_set {
    std::vector<int> seen;
    bool first(int key) {
        std::lock_guard<std::mutex> lk(state().m);
        for (int k : seen) {
            if (k == key) {
                return false;
            }
        }
        seen.push_back(key);
        return true;
    }
};

// Whether a region deadlocked since the last call (and clear it).
inline bool take_deadlock() {
    std::lock_guard<std::mutex> lk(state().m);
    const bool seen = deadlock_seen();
    deadlock_seen() = false;
    return seen;
}

}  // namespace shim

template <typename T, int DEPTH = 0>
class stream;

// The FIFO itself; stream<T, D> derives from it (as in Vitis), so both bind to a stream<T>&.
template <typename T>
class stream<T, 0> {
  public:
    stream() : name_("stream"), depth_(0) {}
    explicit stream(const char* name) : name_(name), depth_(0) {}
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    void write(const T& v) {
        shim::region& r = shim::state();
        std::unique_lock<std::mutex> lk(r.m);
        while (depth_ > 0 && r.running > 0 && q_.size() >= depth_) {
            shim::wait(r, lk, "'" + name_ + "' full (depth " + std::to_string(depth_) + ")",
                       [this] { return q_.size() >= depth_; }, cv_);
        }
        q_.push_back(v);
        cv_.notify_one();        // the reader, if it waits (one reader and one writer per stream)
    }
    T read() {
        shim::region& r = shim::state();
        std::unique_lock<std::mutex> lk(r.m);
        while (q_.empty()) {
            if (r.running == 0) {
                fprintf(stderr, "WARNING: hls::stream '%s' is read while empty\n", name_.c_str());
                return T();
            }
            shim::wait(r, lk, "'" + name_ + "' empty", [this] { return q_.empty(); }, cv_);
        }
        T v = q_.front();
        q_.pop_front();
        cv_.notify_one();        // the writer, if it waits
        return v;
    }
    void read(T& v) { v = read(); }
    bool read_nb(T& v) {
        std::lock_guard<std::mutex> lk(shim::state().m);
        if (q_.empty()) return false;
        v = q_.front();
        q_.pop_front();
        cv_.notify_one();
        return true;
    }
    bool write_nb(const T& v) {
        std::lock_guard<std::mutex> lk(shim::state().m);
        if (depth_ > 0 && q_.size() >= depth_) return false;
        q_.push_back(v);
        cv_.notify_one();
        return true;
    }
    bool empty() const {
        std::lock_guard<std::mutex> lk(shim::state().m);
        return q_.empty();
    }
    bool full() const {
        std::lock_guard<std::mutex> lk(shim::state().m);
        return depth_ > 0 && q_.size() >= depth_;
    }
    size_t size() const {
        std::lock_guard<std::mutex> lk(shim::state().m);
        return q_.size();
    }
    void operator<<(const T& v) { write(v); }
    void operator>>(T& v) { v = read(); }

  protected:
    stream(const char* name, size_t depth) : name_(name), depth_(depth) {}

  private:
    std::deque<T> q_;
    std::string name_;
    size_t depth_;
    std::condition_variable cv_;     // its one reader or its one writer waits here
};

// A FIFO of DEPTH elements (blocking inside a running dataflow region).
template <typename T, int DEPTH>
class stream : public stream<T, 0> {
  public:
    stream() : stream<T, 0>("stream", DEPTH) {}
    explicit stream(const char* name) : stream<T, 0>(name, DEPTH) {}
};

}  // namespace hls

#endif  // SNNC_HLS_STREAM_SHIM_H
