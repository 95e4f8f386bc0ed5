/*
 * snnc's minimal stand-in for Vitis HLS <ap_int.h>, for C-simulation with g++ when
 * the Vitis headers are not installed (set XILINX_HLS to use the real ones).
 *
 * It implements the subset of ap_int<W> / ap_uint<W> that snnc's generated code
 * uses, with the Vitis semantics:
 *   - a value is a W-bit two's complement (ap_int) or unsigned (ap_uint) integer;
 *     construction and assignment from any integer or ap type wrap modulo 2^W;
 *   - a + b and a - b give max(W_a, W_b) + 1 bits, a * b gives W_a + W_b bits (an
 *     unsigned operand mixed with a signed one gets one more bit first), so that the
 *     result is exact; the result is signed when either operand is, and a - b always;
 *   - a << n and a >> n keep the type of a (bits shifted out of a << n are lost;
 *     >> is arithmetic, i.e. floor division by 2^n, for ap_int);
 *   - comparisons compare the mathematical values of operands of any widths and signs.
 * Limits: widths 1..128 (values are held in a 128-bit integer) and every
 * intermediate result must fit 128 bits; the Vitis headers go to 1024 bits and
 * beyond. Not provided: division, floating-point conversions, writable range()/bit
 * references, implicit conversion to C integers (use to_int64() and friends).
 */
#ifndef SNNC_AP_INT_SHIM_H
#define SNNC_AP_INT_SHIM_H

#include <stdint.h>

#include <ostream>
#include <string>
#include <type_traits>

namespace snnc_ap {

typedef __int128 s128;
typedef unsigned __int128 u128;

static const int MAX_W = 128;

constexpr int cap(int w) { return w > MAX_W ? MAX_W : w; }
constexpr int wmax(int a, int b) { return a > b ? a : b; }

/* The 128-bit pattern of a W-bit value: bit W-1 copied upwards (signed) or zeros (unsigned). */
template <int W, bool S>
constexpr u128 norm(u128 x) {
    return W >= MAX_W ? x
                      : (S ? (u128)(((s128)(x << (MAX_W - W))) >> (MAX_W - W)) : ((x << (MAX_W - W)) >> (MAX_W - W)));
}

/* Width and signedness of a C integer type (bool is one unsigned bit). */
template <typename T>
struct c_int {
    static const int W = std::is_same<T, bool>::value ? 1 : (int)sizeof(T) * 8;
    static const bool S = std::is_signed<T>::value;
};

template <typename T>
constexpr u128 from_c(T v) {
    return std::is_signed<T>::value ? (u128)(s128)v : (u128)v;
}

}  // namespace snnc_ap

template <int W, bool S>
struct ap_int_base;

namespace snnc_ap {

/* Result types of binary operators (see the file comment). */
template <int W1, bool S1, int W2, bool S2>
struct rtype {
    static const int w1 = W1 + ((S2 && !S1) ? 1 : 0);
    static const int w2 = W2 + ((S1 && !S2) ? 1 : 0);
    static const bool S = S1 || S2;
    typedef ap_int_base<cap(wmax(w1, w2) + 1), S> plus;
    typedef ap_int_base<cap(wmax(w1, w2) + 1), true> minus;
    typedef ap_int_base<cap(W1 + W2), S> mult;
    typedef ap_int_base<cap(wmax(w1, w2)), S> logic;
};

template <typename T>
struct is_c_int : std::integral_constant<bool, std::is_integral<T>::value> {};

}  // namespace snnc_ap

template <int W, bool S>
struct ap_int_base {
    static_assert(W >= 1 && W <= snnc_ap::MAX_W,
                  "snnc's ap_int shim supports widths of 1..128 bits; set XILINX_HLS to use the Vitis HLS headers");
    /* The value's bits, normalized by snnc_ap::norm<W, S>. */
    snnc_ap::u128 V;

    /* constexpr: constant tables (weights) are initialized at compile time */
    constexpr ap_int_base() : V(0) {}
    template <int W2, bool S2>
    constexpr ap_int_base(const ap_int_base<W2, S2>& o) : V(snnc_ap::norm<W, S>(o.V)) {}
    template <typename T, typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>
    constexpr ap_int_base(T v) : V(snnc_ap::norm<W, S>(snnc_ap::from_c(v))) {}

    static ap_int_base from_bits(snnc_ap::u128 bits) {
        ap_int_base r;
        r.V = snnc_ap::norm<W, S>(bits);
        return r;
    }

    /* ---- conversions out */
    int length() const { return W; }
    bool to_bool() const { return V != 0; }
    int to_int() const { return (int)(snnc_ap::s128)V; }
    unsigned to_uint() const { return (unsigned)V; }
    long to_long() const { return (long)(snnc_ap::s128)V; }
    unsigned long to_ulong() const { return (unsigned long)V; }
    int64_t to_int64() const { return (int64_t)(snnc_ap::s128)V; }
    uint64_t to_uint64() const { return (uint64_t)V; }
    bool is_neg() const { return S && (snnc_ap::s128)V < 0; }

    /* ---- read-only bit access */
    bool operator[](int i) const { return i >= 0 && i < W && ((V >> i) & 1) != 0; }
    bool bit(int i) const { return (*this)[i]; }
    ap_int_base<W, false> range(int hi, int lo) const {
        if (hi < lo || lo < 0 || hi >= W) return ap_int_base<W, false>();
        const int n = hi - lo + 1;
        snnc_ap::u128 mask = n >= snnc_ap::MAX_W ? ~(snnc_ap::u128)0 : (((snnc_ap::u128)1) << n) - 1;
        return ap_int_base<W, false>::from_bits((V >> lo) & mask);
    }

    /* ---- shifts keep the type */
    ap_int_base operator<<(int n) const {
        if (n < 0) return *this >> -n;
        return from_bits(n >= snnc_ap::MAX_W ? 0 : V << n);
    }
    ap_int_base operator>>(int n) const {
        if (n < 0) return *this << -n;
        if (n >= snnc_ap::MAX_W) n = snnc_ap::MAX_W - 1;
        return from_bits(S ? (snnc_ap::u128)((snnc_ap::s128)V >> n) : V >> n);
    }
    template <int W2, bool S2>
    ap_int_base operator<<(const ap_int_base<W2, S2>& n) const { return *this << (int)n.to_int64(); }
    template <int W2, bool S2>
    ap_int_base operator>>(const ap_int_base<W2, S2>& n) const { return *this >> (int)n.to_int64(); }

    /* ---- unary */
    ap_int_base<snnc_ap::cap(W + 1), true> operator-() const {
        return ap_int_base<snnc_ap::cap(W + 1), true>::from_bits(0 - V);
    }
    ap_int_base operator+() const { return *this; }
    ap_int_base operator~() const { return from_bits(~V); }
    bool operator!() const { return V == 0; }

    ap_int_base& operator++() { return *this = from_bits(V + 1); }
    ap_int_base& operator--() { return *this = from_bits(V - 1); }
    ap_int_base operator++(int) { ap_int_base r = *this; ++*this; return r; }
    ap_int_base operator--(int) { ap_int_base r = *this; --*this; return r; }

    /* ---- compound assignment (the result wraps to this type) */
    template <typename O> ap_int_base& operator+=(const O& o) { return *this = *this + o; }
    template <typename O> ap_int_base& operator-=(const O& o) { return *this = *this - o; }
    template <typename O> ap_int_base& operator*=(const O& o) { return *this = *this * o; }
    template <typename O> ap_int_base& operator&=(const O& o) { return *this = *this & o; }
    template <typename O> ap_int_base& operator|=(const O& o) { return *this = *this | o; }
    template <typename O> ap_int_base& operator^=(const O& o) { return *this = *this ^ o; }
    ap_int_base& operator<<=(int n) { return *this = *this << n; }
    ap_int_base& operator>>=(int n) { return *this = *this >> n; }
};

/* ---- binary operators between ap types */
#define SNNC_AP_BINARY(OP, KIND)                                                                  \
    template <int W1, bool S1, int W2, bool S2>                                                 \
    inline typename snnc_ap::rtype<W1, S1, W2, S2>::KIND operator OP(const ap_int_base<W1, S1>& a, \
                                                                   const ap_int_base<W2, S2>& b) { \
        return snnc_ap::rtype<W1, S1, W2, S2>::KIND::from_bits(a.V OP b.V);                      \
    }                                                                                           \
    template <int W, bool S, typename T,                                                        \
              typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>            \
    inline typename snnc_ap::rtype<W, S, snnc_ap::c_int<T>::W, snnc_ap::c_int<T>::S>::KIND      \
    operator OP(const ap_int_base<W, S>& a, T b) {                                              \
        return a OP ap_int_base<snnc_ap::c_int<T>::W, snnc_ap::c_int<T>::S>(b);                 \
    }                                                                                           \
    template <int W, bool S, typename T,                                                        \
              typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>            \
    inline typename snnc_ap::rtype<snnc_ap::c_int<T>::W, snnc_ap::c_int<T>::S, W, S>::KIND      \
    operator OP(T a, const ap_int_base<W, S>& b) {                                              \
        return ap_int_base<snnc_ap::c_int<T>::W, snnc_ap::c_int<T>::S>(a) OP b;                 \
    }

SNNC_AP_BINARY(+, plus)
SNNC_AP_BINARY(-, minus)
SNNC_AP_BINARY(*, mult)
SNNC_AP_BINARY(&, logic)
SNNC_AP_BINARY(|, logic)
SNNC_AP_BINARY(^, logic)
#undef SNNC_AP_BINARY

/* ---- comparisons of mathematical values */
namespace snnc_ap {
template <int W1, bool S1, int W2, bool S2>
inline int compare(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {
    const bool na = a.is_neg(), nb = b.is_neg();
    if (na != nb) return na ? -1 : 1;
    return a.V < b.V ? -1 : (a.V > b.V ? 1 : 0);
}
}  // namespace snnc_ap

#define SNNC_AP_COMPARE(OP)                                                                       \
    template <int W1, bool S1, int W2, bool S2>                                                 \
    inline bool operator OP(const ap_int_base<W1, S1>& a, const ap_int_base<W2, S2>& b) {        \
        return snnc_ap::compare(a, b) OP 0;                                                     \
    }                                                                                           \
    template <int W, bool S, typename T,                                                        \
              typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>            \
    inline bool operator OP(const ap_int_base<W, S>& a, T b) {                                  \
        return snnc_ap::compare(a, ap_int_base<snnc_ap::c_int<T>::W, snnc_ap::c_int<T>::S>(b)) OP 0; \
    }                                                                                           \
    template <int W, bool S, typename T,                                                        \
              typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>            \
    inline bool operator OP(T a, const ap_int_base<W, S>& b) {                                  \
        return snnc_ap::compare(ap_int_base<snnc_ap::c_int<T>::W, snnc_ap::c_int<T>::S>(a), b) OP 0; \
    }

SNNC_AP_COMPARE(==)
SNNC_AP_COMPARE(!=)
SNNC_AP_COMPARE(<)
SNNC_AP_COMPARE(<=)
SNNC_AP_COMPARE(>)
SNNC_AP_COMPARE(>=)
#undef SNNC_AP_COMPARE

/* ---- decimal printing */
template <int W, bool S>
inline std::ostream& operator<<(std::ostream& os, const ap_int_base<W, S>& a) {
    snnc_ap::u128 m = a.is_neg() ? (snnc_ap::u128)0 - a.V : a.V;
    std::string digits;
    do {
        digits.insert(digits.begin(), (char)('0' + (int)(m % 10)));
        m /= 10;
    } while (m != 0);
    if (a.is_neg()) digits.insert(digits.begin(), '-');
    return os << digits;
}

/* ---- the user-facing types */
template <int W>
struct ap_int : ap_int_base<W, true> {
    typedef ap_int_base<W, true> Base;
    constexpr ap_int() {}
    template <int W2, bool S2>
    constexpr ap_int(const ap_int_base<W2, S2>& o) : Base(o) {}
    template <typename T, typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>
    constexpr ap_int(T v) : Base(v) {}
};

template <int W>
struct ap_uint : ap_int_base<W, false> {
    typedef ap_int_base<W, false> Base;
    constexpr ap_uint() {}
    template <int W2, bool S2>
    constexpr ap_uint(const ap_int_base<W2, S2>& o) : Base(o) {}
    template <typename T, typename = typename std::enable_if<snnc_ap::is_c_int<T>::value>::type>
    constexpr ap_uint(T v) : Base(v) {}
};

#endif  // SNNC_AP_INT_SHIM_H
