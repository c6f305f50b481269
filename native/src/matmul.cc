#include "matmul.h"
#include "post-ops.h"

#include <unordered_map>

using dnnl::memory;

namespace {

constexpr auto kF32 = memory::data_type::f32;

// A row-major [batch, rows, cols] matrix, stored transposed ([batch, cols,
// rows]) when `transposed`.
memory::desc matrix(int64_t batch, int64_t rows, int64_t cols,
                    bool transposed) {
  const int64_t batchStride = rows * cols;
  return memory::desc({batch, rows, cols}, kF32,
                      transposed ? memory::dims{batchStride, 1, rows}
                                 : memory::dims{batchStride, cols, 1});
}

}  // namespace

MatMulShape::Key MatMulShape::key() const {
  return {batchA, batchB, m, n, k, transposeA ? 1 : 0, transposeB ? 1 : 0};
}

struct MatMulKernels::Primitive {
  dnnl::matmul primitive;
  memory a, b, bias, c;

  Primitive(const dnnl::engine& engine, const MatMulShape& s, bool hasBias,
            bool relu)
      : Primitive(engine, describe(engine, s, hasBias, relu)) {}

 private:
  Primitive(const dnnl::engine& engine, const dnnl::matmul::primitive_desc& pd)
      : primitive(pd),
        a(pd.src_desc(), engine, DNNL_MEMORY_NONE),
        b(pd.weights_desc(), engine, DNNL_MEMORY_NONE),
        bias(pd.bias_desc().is_zero()
                 ? memory()
                 : memory(pd.bias_desc(), engine, DNNL_MEMORY_NONE)),
        c(pd.dst_desc(), engine, DNNL_MEMORY_NONE) {}

  static dnnl::matmul::primitive_desc describe(const dnnl::engine& engine,
                                               const MatMulShape& s,
                                               bool hasBias, bool relu) {
    const memory::desc biasDesc =
        hasBias ? memory::desc({1, 1, s.n}, kF32, memory::format_tag::abc)
                : memory::desc();
    dnnl::matmul::desc desc(matrix(s.batchA, s.m, s.k, s.transposeA),
                            matrix(s.batchB, s.k, s.n, s.transposeB), biasDesc,
                            matrix(s.batch(), s.m, s.n, false));
    return {desc, reluAttr(relu), engine};
  }
};

MatMulKernels::MatMulKernels(const dnnl::engine& engine) : engine_(engine) {}
MatMulKernels::~MatMulKernels() = default;

void MatMulKernels::run(dnnl::stream& stream, const MatMulShape& s,
                        const float* a, const float* b, const float* bias,
                        bool relu, float* c) {
  const bool hasBias = bias != nullptr;
  const Key key{s.key(), {hasBias, relu}};
  auto found = cache_.find(key);
  if (found == cache_.end()) {
    found = cache_.emplace(key, std::make_unique<Primitive>(engine_, s, hasBias, relu)).first;
  }
  Primitive& p = *found->second;
  // oneDNN only reads from inputs; its handle type is not const-qualified.
  p.a.set_data_handle(const_cast<float*>(a));
  p.b.set_data_handle(const_cast<float*>(b));
  p.c.set_data_handle(c);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, p.a}, {DNNL_ARG_WEIGHTS, p.b}, {DNNL_ARG_DST, p.c}};
  if (hasBias) {
    p.bias.set_data_handle(const_cast<float*>(bias));
    args.emplace(DNNL_ARG_BIAS, p.bias);
  }
  p.primitive.execute(stream, args);
  stream.wait();
}
