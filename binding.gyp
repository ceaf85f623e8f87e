{
  "targets": [
    {
      "target_name": "stayalive_native",
      "sources": [
        "native/module.cc",
        "native/send-batch.cc",
        "native/signal-batch.cc",
        "native/socket.cc",
        "native/socket-io.cc",
        "native/socket-poll.cc",
        "native/tcp-prober.cc",
        "native/util.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
