#include "layout-bridge.h"

LayoutBridge::LayoutBridge(const dnnl::engine& engine,
                           const dnnl::memory::desc& plain,
                           const dnnl::memory::desc& chosen,
                           Direction direction)
    : direction_(direction), plain_(plain, engine, DNNL_MEMORY_NONE) {
  if (plain == chosen) return;
  chosen_ = dnnl::memory(chosen, engine);
  reorder_ = direction == Direction::Input ? dnnl::reorder(plain_, chosen_)
                                           : dnnl::reorder(chosen_, plain_);
}

dnnl::memory LayoutBridge::bind(dnnl::stream& stream, const float* data) {
  // oneDNN only reads from inputs; its handle type is not const-qualified.
  plain_.set_data_handle(const_cast<float*>(data));
  if (!chosen_) return plain_;
  if (direction_ == Direction::Input) reorder_.execute(stream, plain_, chosen_);
  return chosen_;
}

void LayoutBridge::finish(dnnl::stream& stream) {
  if (chosen_ && direction_ == Direction::Output) {
    reorder_.execute(stream, chosen_, plain_);
  }
}
