// Attributes shared by the forward primitives: an optional fused ReLU.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

// A primitive_attr that applies ReLU to the output when `relu` is set.
inline dnnl::primitive_attr reluAttr(bool relu) {
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  return attr;
}
