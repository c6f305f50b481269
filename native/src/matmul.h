// Batched matrix product on oneDNN's matmul primitive, cached per shape.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>

#include <oneapi/dnnl/dnnl.hpp>

// c[batch, m, n] = a[batch, m, k] * b[batch, k, n], all row-major. With
// transposeA the stored a is [batch, k, m]; with transposeB the stored b is
// [batch, n, k]. One of batchA and batchB may be 1 and is then broadcast.
struct MatMulShape {
  int64_t batchA, batchB, m, n, k;
  bool transposeA, transposeB;

  using Key = std::array<int64_t, 7>;
  Key key() const;
  int64_t batch() const { return batchA > batchB ? batchA : batchB; }
};

class MatMulKernels {
 public:
  explicit MatMulKernels(const dnnl::engine& engine);
  ~MatMulKernels();

  // bias is null or [n], added to every row before the optional ReLU.
  void run(dnnl::stream& stream, const MatMulShape& s, const float* a,
           const float* b, const float* bias, bool relu, float* c);

 private:
  struct Primitive;
  using Key = std::pair<MatMulShape::Key, std::pair<bool, bool>>;

  dnnl::engine engine_;
  std::map<Key, std::unique_ptr<Primitive>> cache_;
};
