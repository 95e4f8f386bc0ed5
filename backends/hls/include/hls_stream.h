/*
 * snnc's minimal stand-in for Vitis HLS <hls_stream.h>, for C-simulation with g++ when
 * the Vitis headers are not installed (set XILINX_HLS to use the real ones).
 *
 * hls::stream<T> is an unbounded FIFO: write() appends, read() removes the oldest
 * element. As in Vitis C-simulation, reading an empty stream prints a warning and
 * returns a default-constructed T (in hardware it would block forever).
 * Streams cannot be copied.
 */
#ifndef SNNC_HLS_STREAM_SHIM_H
#define SNNC_HLS_STREAM_SHIM_H

#include <stddef.h>
#include <stdio.h>

#include <deque>
#include <string>

namespace hls {

template <typename T>
class stream {
  public:
    stream() : name_("stream") {}
    explicit stream(const char* name) : name_(name) {}
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    void write(const T& v) { q_.push_back(v); }
    T read() {
        if (q_.empty()) {
            fprintf(stderr, "WARNING: hls::stream '%s' is read while empty\n", name_.c_str());
            return T();
        }
        T v = q_.front();
        q_.pop_front();
        return v;
    }
    void read(T& v) { v = read(); }
    bool read_nb(T& v) {
        if (q_.empty()) return false;
        v = read();
        return true;
    }
    bool write_nb(const T& v) {
        write(v);
        return true;
    }
    bool empty() const { return q_.empty(); }
    bool full() const { return false; }
    size_t size() const { return q_.size(); }
    void operator<<(const T& v) { write(v); }
    void operator>>(T& v) { v = read(); }

  private:
    std::deque<T> q_;
    std::string name_;
};

}  // namespace hls

#endif  // SNNC_HLS_STREAM_SHIM_H
