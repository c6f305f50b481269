// Node-API surface of the oneDNN kernels. Every function reads and writes the
// caller's Float32Arrays in place (no copies) and checks their lengths against
// the shapes first, since the arrays are views into the tfjs wasm heap and an
// overrun would corrupt other tensors.
#include <omp.h>

#include <napi.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "conv.h"
#include "matmul.h"
#include "optim.h"
#include "reduce.h"

namespace {

// One thread by default: the learner shares the machine with agent threads.
constexpr int kDefaultThreads = 1;

float* floatArray(const Napi::Value& value, int64_t expectedLength,
                  const char* name) {
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw Napi::TypeError::New(value.Env(),
                               std::string(name) + " must be a Float32Array");
  }
  auto array = value.As<Napi::Float32Array>();
  if (static_cast<int64_t>(array.ElementLength()) != expectedLength) {
    throw Napi::RangeError::New(
        value.Env(), std::string(name) + " has " +
                         std::to_string(array.ElementLength()) +
                         " elements; the shape needs " +
                         std::to_string(expectedLength));
  }
  return array.Data();
}

// The element count of a typed array argument, for functions whose sizes come
// from their first array; floatArray then checks the type and the others' lengths.
int64_t typedArrayLength(const Napi::Value& value, const char* name) {
  if (!value.IsTypedArray()) {
    throw Napi::TypeError::New(value.Env(), std::string(name) + " must be a Float32Array");
  }
  return static_cast<int64_t>(value.As<Napi::TypedArray>().ElementLength());
}

float* optionalFloatArray(const Napi::Value& value, int64_t expectedLength,
                          const char* name) {
  return value.IsNull() || value.IsUndefined()
             ? nullptr
             : floatArray(value, expectedLength, name);
}

int64_t positiveInt(const Napi::Object& object, const char* key,
                    int64_t minimum) {
  const Napi::Value value = object.Get(key);
  const int64_t number = value.IsNumber() ? value.As<Napi::Number>().Int64Value() : minimum - 1;
  if (number < minimum) {
    throw Napi::TypeError::New(object.Env(),
                               std::string(key) + " must be an integer >= " +
                                   std::to_string(minimum));
  }
  return number;
}

ConvGeometry convGeometry(const Napi::Value& value) {
  if (!value.IsObject()) {
    throw Napi::TypeError::New(value.Env(), "geometry must be an object");
  }
  const auto g = value.As<Napi::Object>();
  return {positiveInt(g, "batch", 1),         positiveInt(g, "inHeight", 1),
          positiveInt(g, "inWidth", 1),       positiveInt(g, "inChannels", 1),
          positiveInt(g, "outHeight", 1),     positiveInt(g, "outWidth", 1),
          positiveInt(g, "outChannels", 1),   positiveInt(g, "filterHeight", 1),
          positiveInt(g, "filterWidth", 1),   positiveInt(g, "strideHeight", 1),
          positiveInt(g, "strideWidth", 1),   positiveInt(g, "dilationHeight", 1),
          positiveInt(g, "dilationWidth", 1), positiveInt(g, "padTop", 0),
          positiveInt(g, "padLeft", 0),       positiveInt(g, "padBottom", 0),
          positiveInt(g, "padRight", 0),      g.Get("channelsLast").ToBoolean()};
}

MatMulShape matMulShape(const Napi::Value& value) {
  if (!value.IsObject()) {
    throw Napi::TypeError::New(value.Env(), "shape must be an object");
  }
  const auto s = value.As<Napi::Object>();
  MatMulShape shape{positiveInt(s, "batchA", 1),
                    positiveInt(s, "batchB", 1),
                    positiveInt(s, "m", 1),
                    positiveInt(s, "n", 1),
                    positiveInt(s, "k", 1),
                    s.Get("transposeA").ToBoolean(),
                    s.Get("transposeB").ToBoolean()};
  if (shape.batchA != shape.batchB && shape.batchA != 1 && shape.batchB != 1) {
    throw Napi::RangeError::New(
        value.Env(), "batchA (" + std::to_string(shape.batchA) +
                         ") and batchB (" + std::to_string(shape.batchB) +
                         ") must be equal or one of them 1");
  }
  return shape;
}

}  // namespace

class OneDnnAddon : public Napi::Addon<OneDnnAddon> {
 public:
  OneDnnAddon(Napi::Env env, Napi::Object exports)
      : engine_(dnnl::engine::kind::cpu, 0),
        stream_(engine_),
        conv_(engine_),
        matMul_(engine_) {
    omp_set_num_threads(kDefaultThreads);
    DefineAddon(exports,
                {InstanceMethod("conv2dForward", &OneDnnAddon::Conv2dForward),
                 InstanceMethod("conv2dBackwardData", &OneDnnAddon::Conv2dBackwardData),
                 InstanceMethod("conv2dBackwardFilter", &OneDnnAddon::Conv2dBackwardFilter),
                 InstanceMethod("matMul", &OneDnnAddon::MatMul),
                 InstanceMethod("sumOverRows", &OneDnnAddon::SumOverRows),
                 InstanceMethod("adamStep", &OneDnnAddon::AdamStep),
                 InstanceMethod("clipByGlobalNorm", &OneDnnAddon::ClipByGlobalNorm),
                 InstanceMethod("setNumThreads", &OneDnnAddon::SetNumThreads),
                 InstanceMethod("numThreads", &OneDnnAddon::NumThreads),
                 InstanceMethod("version", &OneDnnAddon::Version)});
  }

 private:
  // (params, grads, expAvg, expAvgSq, beta1, beta2, stepSize, invBiasCorrection2Sqrt, eps)
  Napi::Value AdamStep(const Napi::CallbackInfo& info) {
    const int64_t n = typedArrayLength(info[0], "params");
    float* params = floatArray(info[0], n, "params");
    const float* grads = floatArray(info[1], n, "grads");
    float* expAvg = floatArray(info[2], n, "expAvg");
    float* expAvgSq = floatArray(info[3], n, "expAvgSq");
    adamStep(params, grads, expAvg, expAvgSq, n,
             info[4].As<Napi::Number>().DoubleValue(),
             info[5].As<Napi::Number>().DoubleValue(),
             info[6].As<Napi::Number>().DoubleValue(),
             info[7].As<Napi::Number>().DoubleValue(),
             info[8].As<Napi::Number>().DoubleValue());
    return info.Env().Undefined();
  }

  // (x, maxNorm, eps) -> the norm before clipping
  Napi::Value ClipByGlobalNorm(const Napi::CallbackInfo& info) {
    const int64_t n = typedArrayLength(info[0], "x");
    const double norm = clipByGlobalNorm(floatArray(info[0], n, "x"), n,
                                         info[1].As<Napi::Number>().DoubleValue(),
                                         info[2].As<Napi::Number>().DoubleValue());
    return Napi::Number::New(info.Env(), norm);
  }

  // (x, filter, bias | null, y, geometry, relu)
  Napi::Value Conv2dForward(const Napi::CallbackInfo& info) {
    const ConvGeometry g = convGeometry(info[4]);
    conv_.forward(stream_, g, floatArray(info[0], g.inputSize(), "x"),
                  floatArray(info[1], g.filterSize(), "filter"),
                  optionalFloatArray(info[2], g.outChannels, "bias"),
                  info[5].ToBoolean(),
                  floatArray(info[3], g.outputSize(), "y"));
    return info.Env().Undefined();
  }

  // (dy, filter, dx, geometry)
  Napi::Value Conv2dBackwardData(const Napi::CallbackInfo& info) {
    const ConvGeometry g = convGeometry(info[3]);
    conv_.backwardData(stream_, g, floatArray(info[0], g.outputSize(), "dy"),
                       floatArray(info[1], g.filterSize(), "filter"),
                       floatArray(info[2], g.inputSize(), "dx"));
    return info.Env().Undefined();
  }

  // (x, dy, dFilter, geometry)
  Napi::Value Conv2dBackwardFilter(const Napi::CallbackInfo& info) {
    const ConvGeometry g = convGeometry(info[3]);
    conv_.backwardFilter(stream_, g, floatArray(info[0], g.inputSize(), "x"),
                         floatArray(info[1], g.outputSize(), "dy"),
                         floatArray(info[2], g.filterSize(), "dFilter"));
    return info.Env().Undefined();
  }

  // (a, b, bias | null, c, shape, relu)
  Napi::Value MatMul(const Napi::CallbackInfo& info) {
    const MatMulShape s = matMulShape(info[4]);
    matMul_.run(stream_, s, floatArray(info[0], s.batchA * s.m * s.k, "a"),
                floatArray(info[1], s.batchB * s.k * s.n, "b"),
                optionalFloatArray(info[2], s.n, "bias"), info[5].ToBoolean(),
                floatArray(info[3], s.batch() * s.m * s.n, "c"));
    return info.Env().Undefined();
  }

  // (x, y, rows): y [cols] = column sums of x [rows, cols]
  Napi::Value SumOverRows(const Napi::CallbackInfo& info) {
    if (!info[2].IsNumber() || info[2].As<Napi::Number>().Int64Value() < 1) {
      throw Napi::TypeError::New(info.Env(), "rows must be an integer >= 1");
    }
    const int64_t rows = info[2].As<Napi::Number>().Int64Value();
    if (!info[1].IsTypedArray()) {
      throw Napi::TypeError::New(info.Env(), "y must be a Float32Array");
    }
    const auto cols = static_cast<int64_t>(info[1].As<Napi::TypedArray>().ElementLength());
    sumOverRows(floatArray(info[0], rows * cols, "x"), rows, cols,
                floatArray(info[1], cols, "y"));
    return info.Env().Undefined();
  }

  // OpenMP's thread count is per calling thread, so this only affects the
  // JavaScript thread (main or worker) that loaded this instance.
  Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
    if (!info[0].IsNumber() || info[0].As<Napi::Number>().Int32Value() < 1) {
      throw Napi::TypeError::New(info.Env(), "threads must be an integer >= 1");
    }
    omp_set_num_threads(info[0].As<Napi::Number>().Int32Value());
    return info.Env().Undefined();
  }

  Napi::Value NumThreads(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), omp_get_max_threads());
  }

  Napi::Value Version(const Napi::CallbackInfo& info) {
    const dnnl_version_t* v = dnnl_version();
    return Napi::String::New(info.Env(), std::to_string(v->major) + "." +
                                             std::to_string(v->minor) + "." +
                                             std::to_string(v->patch));
  }

  dnnl::engine engine_;
  dnnl::stream stream_;
  ConvKernels conv_;
  MatMulKernels matMul_;
};

NODE_API_ADDON(OneDnnAddon)
