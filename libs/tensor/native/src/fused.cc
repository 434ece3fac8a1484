// Fused training kernels: GELU (tanh approximation), layer norm, softmax cross-entropy and the
// AdamW update, each one pass over memory instead of a chain of element-wise kernels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "args.h"
#include "dispatch.h"
#include "parallel.h"

namespace memgen {
namespace {

// gelu(out, x)
Napi::Value Gelu(const Napi::CallbackInfo& info) {
  const char* kName = "gelu";
  Napi::Env env = kernelStart(info, kName, 2);
  auto [out, x] = f32Args(info, 0, kName, {"out", "x"});
  requireLength(env, kName, "out", out.length, x.length);
  const LoopTable& k = kernels();
  parallelRanges(x.length, kParallelGrain / 8,
                 [&](size_t b, size_t e) { k.gelu(out.data + b, x.data + b, e - b); });
  return env.Undefined();
}

// geluGrad(dx, dy, x)
Napi::Value GeluGrad(const Napi::CallbackInfo& info) {
  const char* kName = "geluGrad";
  Napi::Env env = kernelStart(info, kName, 3);
  auto [dx, dy, x] = f32Args(info, 0, kName, {"dx", "dy", "x"});
  requireLength(env, kName, "dy", dy.length, x.length);
  requireLength(env, kName, "dx", dx.length, x.length);
  const LoopTable& k = kernels();
  parallelRanges(x.length, kParallelGrain / 8,
                 [&](size_t b, size_t e) { k.geluGrad(dx.data + b, dy.data + b, x.data + b, e - b); });
  return env.Undefined();
}

// layerNorm(y, mean, rstd, x, gamma, beta, epsilon): over the last axis (gamma's length).
Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const char* kName = "layerNorm";
  Napi::Env env = kernelStart(info, kName, 7);
  auto [y, mean, rstd, x, gamma, beta] = f32Args(info, 0, kName, {"y", "mean", "rstd", "x", "gamma", "beta"});
  const float epsilon = static_cast<float>(numberArg(info, 6, kName, "epsilon"));
  const size_t cols = gamma.length;
  if (cols == 0) fail(env, kName, "gamma is empty");
  requireLength(env, kName, "beta", beta.length, cols);
  if (x.length % cols != 0) fail(env, kName, "x's last axis differs from gamma's length");
  const size_t rows = x.length / cols;
  requireLength(env, kName, "y", y.length, x.length);
  requireLength(env, kName, "mean", mean.length, rows);
  requireLength(env, kName, "rstd", rstd.length, rows);
  const LoopTable& k = kernels();
  parallelRanges(rows, grainFor(cols * 3), [&](size_t b, size_t e) {
    k.layerNormRows(y.data + b * cols, mean.data + b, rstd.data + b, x.data + b * cols, gamma.data, beta.data, e - b,
                    cols, epsilon);
  });
  return env.Undefined();
}

// layerNormGrad(dx, dgamma, dbeta, dy, x, mean, rstd, gamma)
Napi::Value LayerNormGrad(const Napi::CallbackInfo& info) {
  const char* kName = "layerNormGrad";
  Napi::Env env = kernelStart(info, kName, 8);
  auto [dx, dgamma, dbeta, dy, x, mean, rstd, gamma] = f32Args(info, 0, kName, {"dx", "dgamma", "dbeta", "dy", "x", "mean", "rstd", "gamma"});
  const size_t cols = gamma.length;
  if (cols == 0) fail(env, kName, "gamma is empty");
  if (x.length % cols != 0) fail(env, kName, "x's last axis differs from gamma's length");
  const size_t rows = x.length / cols;
  requireLength(env, kName, "dy", dy.length, x.length);
  requireLength(env, kName, "dx", dx.length, x.length);
  requireLength(env, kName, "mean", mean.length, rows);
  requireLength(env, kName, "rstd", rstd.length, rows);
  requireLength(env, kName, "dgamma", dgamma.length, cols);
  requireLength(env, kName, "dbeta", dbeta.length, cols);
  const LoopTable& k = kernels();
  parallelRanges(rows, grainFor(cols * 4), [&](size_t b, size_t e) {
    k.layerNormGradRows(dx.data + b * cols, dy.data + b * cols, x.data + b * cols, mean.data + b, rstd.data + b,
                        gamma.data, e - b, cols);
  });
  // dgamma = Σ_rows dy · xhat, dbeta = Σ_rows dy; columns split across threads.
  const size_t blocks = (cols + 15) / 16;
  parallelRanges(blocks, grainFor(rows * 16 * 2), [&](size_t b, size_t e) {
    const size_t j0 = b * 16;
    const size_t j1 = std::min(cols, e * 16);
    for (size_t j = j0; j < j1; j++) {
      dgamma.data[j] = 0.0f;
      dbeta.data[j] = 0.0f;
    }
    for (size_t r = 0; r < rows; r++) {
      const float mu = mean.data[r];
      const float rs = rstd.data[r];
      const float* dyr = dy.data + r * cols;
      const float* xr = x.data + r * cols;
      for (size_t j = j0; j < j1; j++) {
        dgamma.data[j] += dyr[j] * (xr[j] - mu) * rs;
        dbeta.data[j] += dyr[j];
      }
    }
  });
  return env.Undefined();
}

void requireLabels(Napi::Env env, const char* kernel, const I32Arg& labels, size_t cols) {
  for (size_t r = 0; r < labels.length; r++) {
    if (labels.data[r] < 0 || static_cast<size_t>(labels.data[r]) >= cols) {
      fail(env, kernel,
           "label " + std::to_string(labels.data[r]) + " at row " + std::to_string(r) + " is not in [0, " +
               std::to_string(cols) + ")");
    }
  }
}

// softmaxCrossEntropy(loss, probs, logits, labels): per row, loss = -log softmax(logits)[label].
Napi::Value SoftmaxCrossEntropy(const Napi::CallbackInfo& info) {
  const char* kName = "softmaxCrossEntropy";
  Napi::Env env = kernelStart(info, kName, 4);
  auto [loss, probs, logits] = f32Args(info, 0, kName, {"loss", "probs", "logits"});
  I32Arg labels = i32Arg(info, 3, kName, "labels");
  const size_t rows = labels.length;
  requireLength(env, kName, "loss", loss.length, rows);
  if (rows == 0) return env.Undefined();
  if (logits.length % rows != 0 || logits.length == 0) fail(env, kName, "logits are not [labels, classes]");
  const size_t cols = logits.length / rows;
  requireLength(env, kName, "probs", probs.length, logits.length);
  requireLabels(env, kName, labels, cols);
  const LoopTable& k = kernels();
  parallelRanges(rows, grainFor(cols * 4), [&](size_t b, size_t e) {
    k.softmaxCrossEntropyRows(loss.data + b, probs.data + b * cols, logits.data + b * cols, labels.data + b, e - b,
                              cols);
  });
  return env.Undefined();
}

// softmaxCrossEntropyGrad(dlogits, probs, labels, dloss): (probs - onehot(label)) · dloss[row];
// dloss has one value per row, or a single value for all rows.
Napi::Value SoftmaxCrossEntropyGrad(const Napi::CallbackInfo& info) {
  const char* kName = "softmaxCrossEntropyGrad";
  Napi::Env env = kernelStart(info, kName, 4);
  auto [dlogits, probs] = f32Args(info, 0, kName, {"dlogits", "probs"});
  I32Arg labels = i32Arg(info, 2, kName, "labels");
  F32Arg dloss = f32Arg(info, 3, kName, "dloss");
  const size_t rows = labels.length;
  requireLength(env, kName, "dlogits", dlogits.length, probs.length);
  if (rows == 0) {
    requireLength(env, kName, "probs", probs.length, 0);
    return env.Undefined();
  }
  if (probs.length % rows != 0 || probs.length == 0) fail(env, kName, "probs are not [labels, classes]");
  if (dloss.length != rows && dloss.length != 1) fail(env, kName, "dloss must have one value per row, or one");
  const size_t cols = probs.length / rows;
  requireLabels(env, kName, labels, cols);
  const bool perRow = dloss.length == rows;
  parallelRanges(rows, grainFor(cols), [&](size_t b, size_t e) {
    for (size_t r = b; r < e; r++) {
      const float g = dloss.data[perRow ? r : 0];
      const float* pr = probs.data + r * cols;
      float* dr = dlogits.data + r * cols;
      for (size_t j = 0; j < cols; j++) dr[j] = pr[j] * g;
      dr[labels.data[r]] -= g;
    }
  });
  return env.Undefined();
}

// adamw(p, m, v, p0, m0, v0, g, lr, beta1, beta2, epsilon, weightDecay, step): decoupled weight
// decay (PyTorch's torch.optim.AdamW); m, v are the biased moments; step ≥ 1 sets the bias corrections.
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  const char* kName = "adamw";
  Napi::Env env = kernelStart(info, kName, 13);
  auto [p, m, v, p0, m0, v0, g] = f32Args(info, 0, kName, {"p", "m", "v", "p0", "m0", "v0", "g"});
  const size_t n = p0.length;
  for (const F32Arg* a : {&p, &m, &v, &m0, &v0, &g}) requireLength(env, kName, "a state array", a->length, n);
  const double lr = numberArg(info, 7, kName, "lr");
  const double beta1 = numberArg(info, 8, kName, "beta1");
  const double beta2 = numberArg(info, 9, kName, "beta2");
  const double epsilon = numberArg(info, 10, kName, "epsilon");
  const double weightDecay = numberArg(info, 11, kName, "weightDecay");
  const double step = static_cast<double>(intArg(info, 12, kName, "step", 1, int64_t{1} << 40));
  const double c1 = 1.0 - std::pow(beta1, step);
  const double c2 = 1.0 - std::pow(beta2, step);
  const auto decay = static_cast<float>(1.0 - lr * weightDecay);
  const auto stepSize = static_cast<float>(lr / c1);
  const auto invSqrtC2 = static_cast<float>(1.0 / std::sqrt(c2));
  const LoopTable& k = kernels();
  parallelRanges(n, kParallelGrain / 2, [&](size_t b, size_t e) {
    k.adamw(p.data + b, m.data + b, v.data + b, p0.data + b, m0.data + b, v0.data + b, g.data + b, e - b,
            static_cast<float>(beta1), static_cast<float>(beta2), static_cast<float>(1.0 - beta1),
            static_cast<float>(1.0 - beta2), static_cast<float>(epsilon), decay, stepSize, invSqrtC2);
  });
  return env.Undefined();
}

}  // namespace

void registerFused(Napi::Env env, Napi::Object exports) {
  exportKernels(env, exports, {{"gelu", Gelu}, {"geluGrad", GeluGrad}, {"layerNorm", LayerNorm},
                               {"layerNormGrad", LayerNormGrad}, {"softmaxCrossEntropy", SoftmaxCrossEntropy},
                               {"softmaxCrossEntropyGrad", SoftmaxCrossEntropyGrad}, {"adamw", AdamW}});
}

}  // namespace memgen
