// 2-D convolution forward, backward-data and backward-filter on oneDNN, with
// the primitives cached per geometry (creating them costs far more than
// running them at the sizes used here).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>

#include <oneapi/dnnl/dnnl.hpp>

// Shapes follow tfjs: input and output are [batch, height, width, channels]
// (or [batch, channels, height, width] when channelsLast is false), the filter
// is [filterHeight, filterWidth, inChannels, outChannels]. Dilations count as
// in tfjs (1 = none). Pads are the zero rows/columns added on each side.
struct ConvGeometry {
  int64_t batch, inHeight, inWidth, inChannels;
  int64_t outHeight, outWidth, outChannels;
  int64_t filterHeight, filterWidth;
  int64_t strideHeight, strideWidth;
  int64_t dilationHeight, dilationWidth;
  int64_t padTop, padLeft, padBottom, padRight;
  bool channelsLast;

  using Key = std::array<int64_t, 18>;
  Key key() const;
  int64_t inputSize() const { return batch * inHeight * inWidth * inChannels; }
  int64_t outputSize() const { return batch * outHeight * outWidth * outChannels; }
  int64_t filterSize() const { return filterHeight * filterWidth * inChannels * outChannels; }
};

class ConvKernels {
 public:
  explicit ConvKernels(const dnnl::engine& engine);
  ~ConvKernels();

  // y = conv(x, filter) [+ bias] [then ReLU]; bias is null or [outChannels].
  void forward(dnnl::stream& stream, const ConvGeometry& g, const float* x,
               const float* filter, const float* bias, bool relu, float* y);
  // dx = gradient of the convolution with respect to its input, given dy.
  void backwardData(dnnl::stream& stream, const ConvGeometry& g,
                    const float* dy, const float* filter, float* dx);
  // dFilter = gradient with respect to the filter, given x and dy.
  void backwardFilter(dnnl::stream& stream, const ConvGeometry& g,
                      const float* x, const float* dy, float* dFilter);

 private:
  struct Forward;
  struct BackwardData;
  struct BackwardFilter;
  // The fused bias and ReLU select different forward primitives.
  using ForwardKey = std::pair<ConvGeometry::Key, std::pair<bool, bool>>;

  dnnl::engine engine_;
  std::map<ForwardKey, std::unique_ptr<Forward>> forward_;
  std::map<ConvGeometry::Key, std::unique_ptr<BackwardData>> backwardData_;
  std::map<ConvGeometry::Key, std::unique_ptr<BackwardFilter>> backwardFilter_;
};
