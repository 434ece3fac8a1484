# The memgen native engine: N-API kernels for the 'native' tfjs backend.
# Baseline x86-64 code with AVX2/AVX-512 copies of the hot loops chosen at load time
# (src/dispatch.cc), so one build runs on any x86-64 machine. BLAS: Debian's OpenMP OpenBLAS,
# so BLAS and our own OpenMP loops share one thread pool.
{
  "targets": [
    {
      "target_name": "memgen_native",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/dispatch.cc",
        "src/matmul.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/layout.cc",
        "src/fused.cc",
        "src/attention.cc",
        "src/optim.cc",
        "src/linear.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/x86_64-linux-gnu/openblas-openmp"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++20", "-O3", "-fopenmp", "-ffast-math", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "libraries": [
        "-L/usr/lib/x86_64-linux-gnu/openblas-openmp",
        "-Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp",
        "-lopenblas",
        "-fopenmp",
        "-lmvec",
        "-lm"
      ],
      "conditions": [
        ["OS=='linux' and '<!(echo $MEMGEN_NATIVE_SANITIZE)'=='address'", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g"],
          "libraries": ["-fsanitize=address"]
        }]
      ]
    }
  ]
}
