// Data movement on 4-byte elements (float32 or int32): strided copies (Transpose, Slice, Tile),
// Concat, Split, Gather and UnsortedSegmentSum.
#include <algorithm>
#include <cstring>
#include <vector>

#include "args.h"
#include "dispatch.h"
#include "parallel.h"

namespace memgen {
namespace {

void requireSameType(Napi::Env env, const char* kernel, const WordArg& a, const WordArg& b) {
  if (a.type != b.type) fail(env, kernel, "input and output element types differ");
}

// A true transpose (the output's last axis walks the input with a large stride while the axis
// before it walks it contiguously): copy in 32×32 tiles so both sides stay in cache, instead of
// touching a new cache line for every element read.
void transposeTiles(uint32_t* out, const uint32_t* x, size_t offset, const std::vector<int64_t>& dims,
                    const std::vector<int64_t>& sizes, size_t total) {
  constexpr size_t kTile = 32;
  const size_t rank = sizes.size();
  const size_t cols = static_cast<size_t>(sizes[rank - 1]);
  const size_t colStride = static_cast<size_t>(dims[2 * rank - 1]);
  const size_t rows = static_cast<size_t>(sizes[rank - 2]);
  const size_t outer = total / (rows * cols);
  const size_t rowBlocks = (rows + kTile - 1) / kTile;
  parallelRanges(outer * rowBlocks, grainFor(kTile * cols), [&](size_t begin, size_t end) {
    for (size_t item = begin; item < end; item++) {
      const size_t o = item / rowBlocks;
      const size_t r0 = (item % rowBlocks) * kTile;
      const size_t r1 = std::min(rows, r0 + kTile);
      size_t base = offset;
      size_t rest = o;
      for (size_t d = rank - 2; d-- > 0;) {
        base += (rest % static_cast<size_t>(sizes[d])) * static_cast<size_t>(dims[2 * d + 1]);
        rest /= static_cast<size_t>(sizes[d]);
      }
      uint32_t* block = out + o * rows * cols;
      for (size_t c0 = 0; c0 < cols; c0 += kTile) {
        const size_t c1 = std::min(cols, c0 + kTile);
        for (size_t r = r0; r < r1; r++) {
          for (size_t c = c0; c < c1; c++) block[r * cols + c] = x[base + r + c * colStride];
        }
      }
    }
  });
}

// stridedCopy(out, x, offset, dims): out (contiguous) = x[offset + Σ index_d · stride_d], with
// dims a flat [size, stride] list, outermost first.
// stridedScatter(out, x, offset, dims): the reverse, out[offset + Σ index_d · stride_d] = x
// (contiguous) — Pad writes its input into the interior of the output this way.
Napi::Value Strided(const Napi::CallbackInfo& info, bool scatter) {
  const char* kName = scatter ? "stridedScatter" : "stridedCopy";
  Napi::Env env = kernelStart(info, kName, 4);
  WordArg dense = wordArg(info, scatter ? 1 : 0, kName, scatter ? "x" : "out");
  WordArg strided = wordArg(info, scatter ? 0 : 1, kName, scatter ? "out" : "x");
  requireSameType(env, kName, dense, strided);
  const size_t offset = static_cast<size_t>(intArg(info, 2, kName, "offset", 0, int64_t{1} << 52));
  std::vector<int64_t> dims = intListArg(info, 3, kName, "dims");
  if (dims.empty() || dims.size() % 2 != 0) fail(env, kName, "dims must hold [size, stride] pairs");
  const size_t rank = dims.size() / 2;
  std::vector<int64_t> sizes(rank);
  size_t last = offset;
  for (size_t d = 0; d < rank; d++) {
    sizes[d] = dims[2 * d];
    last += static_cast<size_t>(dims[2 * d] > 0 ? dims[2 * d] - 1 : 0) * static_cast<size_t>(dims[2 * d + 1]);
  }
  const size_t total = checkedProduct(env, kName, sizes);
  requireLength(env, kName, scatter ? "x" : "out", dense.length, total);
  if (total == 0) return env.Undefined();
  if (last >= strided.length) fail(env, kName, "the strided array is too short for offset and strides");
  const size_t inner = static_cast<size_t>(sizes[rank - 1]);
  const size_t innerStride = static_cast<size_t>(dims[2 * rank - 1]);
  if (!scatter && rank >= 2 && innerStride != 1 && dims[2 * rank - 3] == 1) {
    transposeTiles(dense.data, strided.data, offset, dims, sizes, total);
    return env.Undefined();
  }
  const size_t rows = total / inner;
  parallelRanges(rows, grainFor(inner), [&](size_t begin, size_t end) {
    std::vector<int64_t> index(rank, 0);
    size_t off = offset;
    size_t rest = begin;
    for (size_t d = rank - 1; d-- > 0;) {
      index[d] = static_cast<int64_t>(rest % static_cast<size_t>(sizes[d]));
      rest /= static_cast<size_t>(sizes[d]);
      off += static_cast<size_t>(index[d] * dims[2 * d + 1]);
    }
    for (size_t r = begin; r < end; r++) {
      uint32_t* packed = dense.data + r * inner;
      uint32_t* spread = strided.data + off;
      if (innerStride == 1) {
        if (scatter) {
          std::memcpy(spread, packed, inner * sizeof(uint32_t));
        } else {
          std::memcpy(packed, spread, inner * sizeof(uint32_t));
        }
      } else if (scatter) {
        for (size_t j = 0; j < inner; j++) spread[j * innerStride] = packed[j];
      } else {
        for (size_t j = 0; j < inner; j++) packed[j] = spread[j * innerStride];
      }
      for (size_t d = rank - 1; d-- > 0;) {
        off += static_cast<size_t>(dims[2 * d + 1]);
        if (++index[d] < sizes[d]) break;
        off -= static_cast<size_t>(sizes[d] * dims[2 * d + 1]);
        index[d] = 0;
      }
    }
  });
  return env.Undefined();
}

Napi::Value StridedCopy(const Napi::CallbackInfo& info) { return Strided(info, false); }
Napi::Value StridedScatter(const Napi::CallbackInfo& info) { return Strided(info, true); }

struct Part {
  uint32_t* data;
  size_t width;
};

// The parts of a Concat (inputs) or Split (outputs): each is [outer, width_i] with Σ width_i = width.
std::vector<Part> parts(Napi::Env env, const char* kernel, Napi::Array list, const WordArg& whole, size_t outer) {
  std::vector<Part> result;
  size_t width = 0;
  for (uint32_t i = 0; i < list.Length(); i++) {
    WordArg p = wordValue(env, list.Get(i), kernel, "parts[" + std::to_string(i) + "]");
    requireSameType(env, kernel, p, whole);
    if (outer == 0 ? p.length != 0 : p.length % outer != 0) fail(env, kernel, "a part is not [outer, width]");
    const size_t w = outer == 0 ? 0 : p.length / outer;
    result.push_back({p.data, w});
    width += w;
  }
  if (width * outer != whole.length) fail(env, kernel, "the parts do not add up to the whole");
  return result;
}

// concat(out, inputs, outer) / split(x, outputs, outer): along the axis after the first `outer` rows.
Napi::Value ConcatOrSplit(const Napi::CallbackInfo& info, bool concat) {
  const char* kName = concat ? "concat" : "split";
  Napi::Env env = kernelStart(info, kName, 3);
  WordArg whole = wordArg(info, 0, kName, concat ? "out" : "x");
  Napi::Array list = arrayArg(info, 1, kName, concat ? "inputs" : "outputs");
  const size_t outer = static_cast<size_t>(intArg(info, 2, kName, "outer", 0, int64_t{1} << 52));
  std::vector<Part> ps = parts(env, kName, list, whole, outer);
  if (whole.length == 0) return env.Undefined();
  const size_t width = whole.length / outer;
  parallelRanges(outer, grainFor(width), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      size_t at = r * width;
      for (const Part& p : ps) {
        if (concat) {
          std::memcpy(whole.data + at, p.data + r * p.width, p.width * sizeof(uint32_t));
        } else {
          std::memcpy(p.data + r * p.width, whole.data + at, p.width * sizeof(uint32_t));
        }
        at += p.width;
      }
    }
  });
  return env.Undefined();
}

Napi::Value Concat(const Napi::CallbackInfo& info) { return ConcatOrSplit(info, true); }
Napi::Value Split(const Napi::CallbackInfo& info) { return ConcatOrSplit(info, false); }

// gather(out, x, indices, outer, axisSize, inner): out[o, i, :] = x[o, indices[i], :].
// Returns -1, or the position of the first index outside [0, axisSize) (nothing written then).
Napi::Value Gather(const Napi::CallbackInfo& info) {
  const char* kName = "gather";
  Napi::Env env = kernelStart(info, kName, 6);
  WordArg out = wordArg(info, 0, kName, "out");
  WordArg x = wordArg(info, 1, kName, "x");
  requireSameType(env, kName, out, x);
  I32Arg indices = i32Arg(info, 2, kName, "indices");
  const int64_t limit = int64_t{1} << 52;
  const size_t outer = static_cast<size_t>(intArg(info, 3, kName, "outer", 0, limit));
  const size_t axisSize = static_cast<size_t>(intArg(info, 4, kName, "axisSize", 0, limit));
  const size_t inner = static_cast<size_t>(intArg(info, 5, kName, "inner", 0, limit));
  const auto n = static_cast<int64_t>(indices.length);
  requireLength(env, kName, "x", x.length,
                checkedProduct(env, kName, {int64_t(outer), int64_t(axisSize), int64_t(inner)}));
  requireLength(env, kName, "out", out.length, checkedProduct(env, kName, {int64_t(outer), n, int64_t(inner)}));
  for (size_t i = 0; i < indices.length; i++) {
    if (indices.data[i] < 0 || static_cast<size_t>(indices.data[i]) >= axisSize) {
      return Napi::Number::New(env, static_cast<double>(i));
    }
  }
  const size_t rows = outer * indices.length;
  parallelRanges(rows, grainFor(inner), [&](size_t begin, size_t end) {
    for (size_t r = begin; r < end; r++) {
      const size_t o = r / indices.length;
      const size_t i = r % indices.length;
      std::memcpy(out.data + r * inner, x.data + (o * axisSize + static_cast<size_t>(indices.data[i])) * inner,
                  inner * sizeof(uint32_t));
    }
  });
  return Napi::Number::New(env, -1);
}

// segmentSum(out, x, segmentIds, numSegments): out[s, :] = Σ_{i: ids[i] = s} x[i, :];
// ids outside [0, numSegments) are dropped, as in tfjs.
Napi::Value SegmentSum(const Napi::CallbackInfo& info) {
  const char* kName = "segmentSum";
  Napi::Env env = kernelStart(info, kName, 4);
  auto [out, x] = f32Args(info, 0, kName, {"out", "x"});
  I32Arg ids = i32Arg(info, 2, kName, "segmentIds");
  const size_t segments = static_cast<size_t>(intArg(info, 3, kName, "numSegments", 0, int64_t{1} << 40));
  if (ids.length == 0 ? x.length != 0 : x.length % ids.length != 0) fail(env, kName, "x is not [ids, inner]");
  const size_t inner = ids.length == 0 ? 0 : x.length / ids.length;
  requireLength(env, kName, "out", out.length, segments * inner);
  std::memset(out.data, 0, out.length * sizeof(float));
  const LoopTable& k = kernels();
  // Columns are split across threads so no two threads ever add into the same element.
  const size_t blocks = (inner + 15) / 16;
  parallelRanges(blocks, grainFor(ids.length * 16), [&](size_t begin, size_t end) {
    const size_t j0 = begin * 16;
    const size_t j1 = std::min(inner, end * 16);
    for (size_t i = 0; i < ids.length; i++) {
      const int32_t s = ids.data[i];
      if (s < 0 || static_cast<size_t>(s) >= segments) continue;
      k.accumulate(out.data + static_cast<size_t>(s) * inner + j0, x.data + i * inner + j0, j1 - j0);
    }
  });
  return env.Undefined();
}

}  // namespace

void registerLayout(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"stridedCopy", StridedCopy}, {"stridedScatter", StridedScatter},
                               {"concat", Concat}, {"split", Split}, {"gather", Gather},
                               {"segmentSum", SegmentSum}});
}

}  // namespace memgen
