#include "conv.h"
#include "post-ops.h"

#include <unordered_map>

#include "layout-bridge.h"

using dnnl::memory;
using Tag = memory::format_tag;

namespace {

constexpr auto kF32 = memory::data_type::f32;

memory::desc activations(const ConvGeometry& g, int64_t height, int64_t width,
                         int64_t channels) {
  // Plain activations: oneDNN's NHWC kernels beat its blocked-activation ones
  // on these shapes once the reorders in and out are counted.
  return memory::desc({g.batch, channels, height, width}, kF32,
                      g.channelsLast ? Tag::nhwc : Tag::nchw);
}

memory::desc plainInput(const ConvGeometry& g) {
  return activations(g, g.inHeight, g.inWidth, g.inChannels);
}

memory::desc plainOutput(const ConvGeometry& g) {
  return activations(g, g.outHeight, g.outWidth, g.outChannels);
}

memory::dims filterDims(const ConvGeometry& g) {
  return {g.outChannels, g.inChannels, g.filterHeight, g.filterWidth};
}

memory::desc plainFilter(const ConvGeometry& g) {
  return memory::desc(filterDims(g), kF32, Tag::hwio);
}

memory::desc chosenFilter(const ConvGeometry& g) {
  return memory::desc(filterDims(g), kF32, Tag::any);
}

memory::dims strides(const ConvGeometry& g) {
  return {g.strideHeight, g.strideWidth};
}

// oneDNN counts dilation as the number of skipped elements (0 = none).
memory::dims dilations(const ConvGeometry& g) {
  return {g.dilationHeight - 1, g.dilationWidth - 1};
}

memory::dims padBegin(const ConvGeometry& g) { return {g.padTop, g.padLeft}; }
memory::dims padEnd(const ConvGeometry& g) { return {g.padBottom, g.padRight}; }

// The backward primitives need the forward descriptor they invert as a hint.
dnnl::convolution_forward::primitive_desc trainingHint(
    const dnnl::engine& engine, const ConvGeometry& g) {
  dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct,
      plainInput(g), chosenFilter(g), plainOutput(g), strides(g), dilations(g),
      padBegin(g), padEnd(g));
  return {desc, engine};
}

template <typename Cache, typename Key, typename Make>
auto& findOrMake(Cache& cache, const Key& key, Make make) {
  auto found = cache.find(key);
  if (found == cache.end()) found = cache.emplace(key, make()).first;
  return *found->second;
}

}  // namespace

ConvGeometry::Key ConvGeometry::key() const {
  return {batch,        inHeight,      inWidth,     inChannels,    outHeight,
          outWidth,     outChannels,   filterHeight, filterWidth,  strideHeight,
          strideWidth,  dilationHeight, dilationWidth, padTop,      padLeft,
          padBottom,    padRight,      channelsLast ? 1 : 0};
}

struct ConvKernels::Forward {
  dnnl::convolution_forward primitive;
  LayoutBridge x, filter, y;
  memory bias;

  Forward(const dnnl::engine& engine, const ConvGeometry& g, bool hasBias,
          bool relu)
      : Forward(engine, g, hasBias, describe(engine, g, hasBias, relu)) {}

 private:
  Forward(const dnnl::engine& engine, const ConvGeometry& g, bool hasBias,
          const dnnl::convolution_forward::primitive_desc& pd)
      : primitive(pd),
        x(engine, plainInput(g), pd.src_desc(), Direction::Input),
        filter(engine, plainFilter(g), pd.weights_desc(), Direction::Input),
        y(engine, plainOutput(g), pd.dst_desc(), Direction::Output),
        bias(hasBias ? memory(pd.bias_desc(), engine, DNNL_MEMORY_NONE)
                     : memory()) {}

  static dnnl::convolution_forward::primitive_desc describe(
      const dnnl::engine& engine, const ConvGeometry& g, bool hasBias,
      bool relu) {
    const memory::desc biasDesc =
        hasBias ? memory::desc({g.outChannels}, kF32, Tag::a) : memory::desc();
    dnnl::convolution_forward::desc desc(
        dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
        plainInput(g), chosenFilter(g), biasDesc, plainOutput(g), strides(g),
        dilations(g), padBegin(g), padEnd(g));
    return {desc, reluAttr(relu), engine};
  }
};

struct ConvKernels::BackwardData {
  dnnl::convolution_backward_data primitive;
  LayoutBridge dy, filter, dx;

  BackwardData(const dnnl::engine& engine, const ConvGeometry& g)
      : BackwardData(engine, g, describe(engine, g)) {}

 private:
  BackwardData(const dnnl::engine& engine, const ConvGeometry& g,
               const dnnl::convolution_backward_data::primitive_desc& pd)
      : primitive(pd),
        dy(engine, plainOutput(g), pd.diff_dst_desc(), Direction::Input),
        filter(engine, plainFilter(g), pd.weights_desc(), Direction::Input),
        dx(engine, plainInput(g), pd.diff_src_desc(), Direction::Output) {}

  static dnnl::convolution_backward_data::primitive_desc describe(
      const dnnl::engine& engine, const ConvGeometry& g) {
    dnnl::convolution_backward_data::desc desc(
        dnnl::algorithm::convolution_direct, plainInput(g), chosenFilter(g),
        plainOutput(g), strides(g), dilations(g), padBegin(g), padEnd(g));
    return {desc, engine, trainingHint(engine, g)};
  }
};

struct ConvKernels::BackwardFilter {
  dnnl::convolution_backward_weights primitive;
  LayoutBridge x, dy, dFilter;

  BackwardFilter(const dnnl::engine& engine, const ConvGeometry& g)
      : BackwardFilter(engine, g, describe(engine, g)) {}

 private:
  BackwardFilter(const dnnl::engine& engine, const ConvGeometry& g,
                 const dnnl::convolution_backward_weights::primitive_desc& pd)
      : primitive(pd),
        x(engine, plainInput(g), pd.src_desc(), Direction::Input),
        dy(engine, plainOutput(g), pd.diff_dst_desc(), Direction::Input),
        dFilter(engine, plainFilter(g), pd.diff_weights_desc(),
                Direction::Output) {}

  static dnnl::convolution_backward_weights::primitive_desc describe(
      const dnnl::engine& engine, const ConvGeometry& g) {
    dnnl::convolution_backward_weights::desc desc(
        dnnl::algorithm::convolution_direct, plainInput(g), chosenFilter(g),
        plainOutput(g), strides(g), dilations(g), padBegin(g), padEnd(g));
    return {desc, engine, trainingHint(engine, g)};
  }
};

ConvKernels::ConvKernels(const dnnl::engine& engine) : engine_(engine) {}
ConvKernels::~ConvKernels() = default;

void ConvKernels::forward(dnnl::stream& stream, const ConvGeometry& g,
                          const float* x, const float* filter,
                          const float* bias, bool relu, float* y) {
  const bool hasBias = bias != nullptr;
  Forward& k = findOrMake(forward_, ForwardKey{g.key(), {hasBias, relu}}, [&] {
    return std::make_unique<Forward>(engine_, g, hasBias, relu);
  });
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, k.x.bind(stream, x)},
                                       {DNNL_ARG_WEIGHTS, k.filter.bind(stream, filter)},
                                       {DNNL_ARG_DST, k.y.bind(stream, y)}};
  if (hasBias) {
    k.bias.set_data_handle(const_cast<float*>(bias));
    args.emplace(DNNL_ARG_BIAS, k.bias);
  }
  k.primitive.execute(stream, args);
  k.y.finish(stream);
  stream.wait();
}

void ConvKernels::backwardData(dnnl::stream& stream, const ConvGeometry& g,
                               const float* dy, const float* filter,
                               float* dx) {
  BackwardData& k = findOrMake(backwardData_, g.key(), [&] {
    return std::make_unique<BackwardData>(engine_, g);
  });
  k.primitive.execute(stream, {{DNNL_ARG_DIFF_DST, k.dy.bind(stream, dy)},
                               {DNNL_ARG_WEIGHTS, k.filter.bind(stream, filter)},
                               {DNNL_ARG_DIFF_SRC, k.dx.bind(stream, dx)}});
  k.dx.finish(stream);
  stream.wait();
}

void ConvKernels::backwardFilter(dnnl::stream& stream, const ConvGeometry& g,
                                 const float* x, const float* dy,
                                 float* dFilter) {
  BackwardFilter& k = findOrMake(backwardFilter_, g.key(), [&] {
    return std::make_unique<BackwardFilter>(engine_, g);
  });
  k.primitive.execute(stream,
                      {{DNNL_ARG_SRC, k.x.bind(stream, x)},
                       {DNNL_ARG_DIFF_DST, k.dy.bind(stream, dy)},
                       {DNNL_ARG_DIFF_WEIGHTS, k.dFilter.bind(stream, dFilter)}});
  k.dFilter.finish(stream);
  stream.wait();
}
