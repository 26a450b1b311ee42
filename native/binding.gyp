{
  "targets": [
    {
      "target_name": "lrgate_native",
      "sources": [
        "src/addon.cc",
        "src/kernel_bindings.cc",
        "src/blas.cc",
        "src/attention.cc",
        "src/cached_attention.cc",
        "src/decode_attention.cc",
        "src/gpt_decoder.cc",
        "src/decoder_bindings.cc",
        "src/layer_norm.cc",
        "src/elementwise.cc",
        "src/cross_entropy.cc",
        "src/optimizer.cc",
        "src/parallel.cc"
      ],
      "cflags_cc": ["-O3", "-std=c++17", "-fno-exceptions", "-fno-math-errno", "-fno-trapping-math"],
      "libraries": ["-ldl", "-lpthread"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
