// N-API argument unpacking shared by the binding files: typed arrays are used in place (no
// copies); the JS side guarantees sizes, the checks here only stop out-of-bounds writes.
#pragma once
#include <node_api.h>

#include <string>

namespace lrg {

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  bool failed = false;

  Args(napi_env e, napi_callback_info info) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  }

  void fail(const char* message) {
    if (!failed) napi_throw_type_error(env, nullptr, message);
    failed = true;
  }

  template <typename T>
  T* array(size_t i, napi_typedarray_type want, size_t* length = nullptr) {
    if (length != nullptr) *length = 0;
    napi_typedarray_type type;
    size_t len = 0;
    void* data = nullptr;
    if (i >= argc || napi_get_typedarray_info(env, argv[i], &type, &len, &data, nullptr, nullptr) != napi_ok ||
        type != want) {
      fail("lrgate_native: expected a typed array argument of the right type");
      return nullptr;
    }
    if (length != nullptr) *length = len;
    return static_cast<T*>(data);
  }
  float* f32(size_t i, size_t* length = nullptr) { return array<float>(i, napi_float32_array, length); }
  int32_t* i32(size_t i, size_t* length = nullptr) { return array<int32_t>(i, napi_int32_array, length); }

  double num(size_t i) {
    double v = 0;
    if (i >= argc || napi_get_value_double(env, argv[i], &v) != napi_ok) fail("lrgate_native: expected a number");
    return v;
  }
  int integer(size_t i) { return static_cast<int>(num(i)); }
  bool flag(size_t i) {
    bool v = false;
    if (i >= argc || napi_get_value_bool(env, argv[i], &v) != napi_ok) fail("lrgate_native: expected a boolean");
    return v;
  }
  void need(bool ok, const char* message) {
    if (!ok) fail(message);
  }
};

inline napi_value undefinedValue(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

inline napi_value numberValue(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

inline napi_value stringValue(napi_env env, const std::string& s) {
  napi_value v;
  napi_create_string_utf8(env, s.c_str(), s.size(), &v);
  return v;
}

inline void exportFunction(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

// Defined in kernel_bindings.cc: the fused transformer, loss, optimizer and elementwise kernels.
void exportKernelBindings(napi_env env, napi_value exports);
// Defined in decoder_bindings.cc: the whole-model evaluation decoder.
void exportDecoderBindings(napi_env env, napi_value exports);

}  // namespace lrg
