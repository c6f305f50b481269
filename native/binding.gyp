{
  "targets": [
    {
      "target_name": "onednn",
      "sources": [
        "src/addon.cc",
        "src/conv.cc",
        "src/layout-bridge.cc",
        "src/matmul.cc",
        "src/optim.cc",
        "src/reduce.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_CPP_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++1y", "-std=gnu++17"],
      "libraries": ["-ldnnl", "-lgomp"]
    }
  ]
}
