// Operation codes shared with the TypeScript side (libs/tensor/src/native/addon.ts mirrors them).
#pragma once

namespace memgen {

enum BinaryOp { kAdd = 0, kSub, kMul, kDiv, kSquaredDifference, kMaximum, kMinimum, kPow, kBinaryOpCount };

enum UnaryOp {
  kNeg = 0,
  kExp,
  kLog,
  kTanh,
  kSqrt,
  kRsqrt,
  kSquare,
  kAbs,
  kRelu,
  kSigmoid,
  kReciprocal,
  kErf,
  kElu,
  kLeakyRelu,
  kUnaryOpCount
};

enum ReduceOp { kSum = 0, kMean, kMax, kMin, kProd, kReduceOpCount };

}  // namespace memgen
