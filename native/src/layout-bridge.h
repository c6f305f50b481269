// Binds a caller's plain float buffer to one argument of a oneDNN primitive
// whose layout the library chose (format_tag::any). The JIT kernels run several
// times faster on blocked weight layouts (e.g. OIhw16i16o) than on the plain
// [filterHeight, filterWidth, inChannels, outChannels] layout tfjs uses, so
// weights go through a reorder; arguments whose layouts already agree are
// passed through without a copy.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

enum class Direction { Input, Output };

class LayoutBridge {
 public:
  LayoutBridge(const dnnl::engine& engine, const dnnl::memory::desc& plain,
               const dnnl::memory::desc& chosen, Direction direction);

  // The memory to hand to the primitive. For an input, the caller's data is
  // reordered into the chosen layout first when the layouts differ.
  dnnl::memory bind(dnnl::stream& stream, const float* data);

  // After the primitive ran: copies an output back into the caller's buffer
  // when it went through the chosen layout.
  void finish(dnnl::stream& stream);

 private:
  Direction direction_;
  dnnl::memory plain_;
  dnnl::memory chosen_;  // empty when the layouts agree
  dnnl::reorder reorder_;
};
