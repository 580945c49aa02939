// conv_plan: building the one-convolution operation graph, ranking its
// engine configurations with cuDNN's heuristics, timing them, and running
// the fastest.
#include "gpu/cuda/cudnn_conv_plan.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <array>
#include <limits>
#include <mutex>
#include <vector>

#include "core/assert.hpp"
#include "core/log.hpp"
#include "gpu/cuda/check.hpp"
#include "gpu/cuda/cudnn_find.hpp"

namespace sgp::gpu::cuda {
namespace {

/// Largest workspace a configuration may ask for.
constexpr std::int64_t max_workspace = std::int64_t{1} << 30;
constexpr int timed_runs = 3;
constexpr std::int64_t x_id = 'x';
constexpr std::int64_t w_id = 'w';
constexpr std::int64_t y_id = 'y';

void set(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t name,
         cudnnBackendAttributeType_t type, std::int64_t count, const void* value) {
  SGP_CUDA_CHECK(cudnnBackendSetAttribute(d, name, type, count, value));
}

void set_descriptor(cudnnBackendDescriptor_t d, cudnnBackendAttributeName_t name,
                    const backend_descriptor& value) {
  const cudnnBackendDescriptor_t v = value.get();
  set(d, name, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &v);
}

std::string describe(const conv_problem& p) {
  static constexpr std::array names{"forward", "backward filter", "backward data"};
  return std::string("convolution ") + names[static_cast<int>(p.direction)] + " (x " +
         std::to_string(p.x.n) + "x" + std::to_string(p.x.c) + "x" + std::to_string(p.x.h) + "x" +
         std::to_string(p.x.w) + ", " + std::to_string(p.y.c) + " filters " +
         std::to_string(p.kernel) + "x" + std::to_string(p.kernel) + " stride " +
         std::to_string(p.stride) + ")";
}

/// The descriptors of the problem's operation graph; kept alive with every
/// plan made from it.
struct op_graph {
  std::vector<std::unique_ptr<backend_descriptor>> parts;
  const backend_descriptor* graph = nullptr;

  backend_descriptor& make(cudnnBackendDescriptorType_t type) {
    parts.push_back(std::make_unique<backend_descriptor>(type));
    return *parts.back();
  }

  /// A bf16 NHWC tensor (a KRSC filter is one too: [k, c, r, s]).
  backend_descriptor& tensor(std::int64_t id, int n, int c, int h, int w) {
    auto& t = make(CUDNN_BACKEND_TENSOR_DESCRIPTOR);
    const cudnnDataType_t type = CUDNN_DATA_BFLOAT16;
    const std::array<std::int64_t, 4> dims{n, c, h, w};
    const std::array<std::int64_t, 4> strides{std::int64_t{h} * w * c, 1, std::int64_t{w} * c, c};
    const std::int64_t alignment = 16;
    set(t.get(), CUDNN_ATTR_TENSOR_DATA_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &type);
    set(t.get(), CUDNN_ATTR_TENSOR_DIMENSIONS, CUDNN_TYPE_INT64, 4, dims.data());
    set(t.get(), CUDNN_ATTR_TENSOR_STRIDES, CUDNN_TYPE_INT64, 4, strides.data());
    set(t.get(), CUDNN_ATTR_TENSOR_UNIQUE_ID, CUDNN_TYPE_INT64, 1, &id);
    set(t.get(), CUDNN_ATTR_TENSOR_BYTE_ALIGNMENT, CUDNN_TYPE_INT64, 1, &alignment);
    SGP_CUDA_CHECK(cudnnBackendFinalize(t.get()));
    return t;
  }
};

std::shared_ptr<op_graph> build_graph(cudnnHandle_t cudnn, const conv_problem& p) {
  auto g = std::make_shared<op_graph>();
  const auto& x = g->tensor(x_id, p.x.n, p.x.c, p.x.h, p.x.w);
  const auto& w = g->tensor(w_id, p.y.c, p.x.c, p.kernel, p.kernel);
  const auto& y = g->tensor(y_id, p.y.n, p.y.c, p.y.h, p.y.w);

  auto& conv = g->make(CUDNN_BACKEND_CONVOLUTION_DESCRIPTOR);
  const cudnnDataType_t compute = CUDNN_DATA_FLOAT;
  const cudnnConvolutionMode_t mode = CUDNN_CROSS_CORRELATION;
  const std::int64_t dims = 2;
  const std::array<std::int64_t, 2> dilation{1, 1};
  const std::array<std::int64_t, 2> stride{p.stride, p.stride};
  const std::array<std::int64_t, 2> padding{p.padding, p.padding};
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_COMP_TYPE, CUDNN_TYPE_DATA_TYPE, 1, &compute);
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_CONV_MODE, CUDNN_TYPE_CONVOLUTION_MODE, 1, &mode);
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_SPATIAL_DIMS, CUDNN_TYPE_INT64, 1, &dims);
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_DILATIONS, CUDNN_TYPE_INT64, 2, dilation.data());
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_FILTER_STRIDES, CUDNN_TYPE_INT64, 2, stride.data());
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_PRE_PADDINGS, CUDNN_TYPE_INT64, 2, padding.data());
  set(conv.get(), CUDNN_ATTR_CONVOLUTION_POST_PADDINGS, CUDNN_TYPE_INT64, 2, padding.data());
  SGP_CUDA_CHECK(cudnnBackendFinalize(conv.get()));

  const float alpha = 1.0f;
  backend_descriptor* op = nullptr;
  switch (p.direction) {
    case conv_direction::forward:
      op = &g->make(CUDNN_BACKEND_OPERATION_CONVOLUTION_FORWARD_DESCRIPTOR);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_X, x);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_W, w);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_Y, y);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_CONV_DESC, conv);
      set(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha);
      set(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_FORWARD_BETA, CUDNN_TYPE_FLOAT, 1, &p.beta);
      break;
    case conv_direction::backward_filter:
      op = &g->make(CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_FILTER_DESCRIPTOR);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_X, x);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_DW, w);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_DY, y);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_CONV_DESC, conv);
      set(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_ALPHA, CUDNN_TYPE_FLOAT, 1,
          &alpha);
      set(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_FILTER_BETA, CUDNN_TYPE_FLOAT, 1,
          &p.beta);
      break;
    case conv_direction::backward_data:
      op = &g->make(CUDNN_BACKEND_OPERATION_CONVOLUTION_BACKWARD_DATA_DESCRIPTOR);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DX, x);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_W, w);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_DY, y);
      set_descriptor(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_CONV_DESC, conv);
      set(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_ALPHA, CUDNN_TYPE_FLOAT, 1, &alpha);
      set(op->get(), CUDNN_ATTR_OPERATION_CONVOLUTION_BWD_DATA_BETA, CUDNN_TYPE_FLOAT, 1, &p.beta);
      break;
  }
  SGP_CUDA_CHECK(cudnnBackendFinalize(op->get()));

  auto& graph = g->make(CUDNN_BACKEND_OPERATIONGRAPH_DESCRIPTOR);
  const cudnnBackendDescriptor_t ops = op->get();
  set(graph.get(), CUDNN_ATTR_OPERATIONGRAPH_OPS, CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &ops);
  set(graph.get(), CUDNN_ATTR_OPERATIONGRAPH_HANDLE, CUDNN_TYPE_HANDLE, 1, &cudnn);
  SGP_CUDA_CHECK(cudnnBackendFinalize(graph.get()));
  g->graph = &graph;
  return g;
}

/// The heuristics' configurations, best first (at most `limit`).
std::vector<std::shared_ptr<backend_descriptor>> ranked_configs(const op_graph& g,
                                                                cudnnBackendHeurMode_t mode,
                                                                int limit) {
  backend_descriptor heur(CUDNN_BACKEND_ENGINEHEUR_DESCRIPTOR);
  set_descriptor(heur.get(), CUDNN_ATTR_ENGINEHEUR_OPERATION_GRAPH, *g.graph);
  set(heur.get(), CUDNN_ATTR_ENGINEHEUR_MODE, CUDNN_TYPE_HEUR_MODE, 1, &mode);
  if (cudnnBackendFinalize(heur.get()) != CUDNN_STATUS_SUCCESS) return {};
  std::int64_t available = 0;
  SGP_CUDA_CHECK(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                          CUDNN_TYPE_BACKEND_DESCRIPTOR, 0, &available, nullptr));
  const auto n = static_cast<int>(std::min<std::int64_t>(available, limit));
  std::vector<std::shared_ptr<backend_descriptor>> configs;
  std::vector<cudnnBackendDescriptor_t> raw;
  for (int i = 0; i < n; ++i) {
    configs.push_back(std::make_shared<backend_descriptor>(CUDNN_BACKEND_ENGINECFG_DESCRIPTOR));
    raw.push_back(configs.back()->get());
  }
  std::int64_t returned = 0;
  if (n > 0) {
    SGP_CUDA_CHECK(cudnnBackendGetAttribute(heur.get(), CUDNN_ATTR_ENGINEHEUR_RESULTS,
                                            CUDNN_TYPE_BACKEND_DESCRIPTOR, n, &returned,
                                            raw.data()));
  }
  configs.resize(static_cast<std::size_t>(std::clamp<std::int64_t>(returned, 0, n)));
  return configs;
}

/// The engine's global index, or -1 when it compiles at run time, when it is
/// not deterministic and `deterministic_only`, or when its notes cannot be
/// read.
std::int64_t usable_engine(const backend_descriptor& config, bool deterministic_only) {
  backend_descriptor engine(CUDNN_BACKEND_ENGINE_DESCRIPTOR);
  cudnnBackendDescriptor_t e = engine.get();
  std::int64_t count = 0;
  if (cudnnBackendGetAttribute(config.get(), CUDNN_ATTR_ENGINECFG_ENGINE,
                               CUDNN_TYPE_BACKEND_DESCRIPTOR, 1, &count,
                               &e) != CUDNN_STATUS_SUCCESS) {
    return -1;
  }
  std::array<cudnnBackendBehaviorNote_t, CUDNN_BEHAVIOR_NOTE_TYPE_COUNT> notes{};
  std::int64_t n = 0;
  if (cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_BEHAVIOR_NOTE, CUDNN_TYPE_BEHAVIOR_NOTE,
                               notes.size(), &n, notes.data()) != CUDNN_STATUS_SUCCESS) {
    return -1;
  }
  for (std::int64_t i = 0; i < n; ++i) {
    if (notes[static_cast<std::size_t>(i)] == CUDNN_BEHAVIOR_NOTE_RUNTIME_COMPILATION) return -1;
  }
  if (deterministic_only) {
    std::array<cudnnBackendNumericalNote_t, CUDNN_NUMERICAL_NOTE_TYPE_COUNT> numerics{};
    if (cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_NUMERICAL_NOTE, CUDNN_TYPE_NUMERICAL_NOTE,
                                 numerics.size(), &n, numerics.data()) != CUDNN_STATUS_SUCCESS) {
      return -1;
    }
    for (std::int64_t i = 0; i < n; ++i) {
      if (numerics[static_cast<std::size_t>(i)] == CUDNN_NUMERICAL_NOTE_NONDETERMINISTIC) {
        return -1;
      }
    }
  }
  std::int64_t index = -1;
  if (cudnnBackendGetAttribute(e, CUDNN_ATTR_ENGINE_GLOBAL_INDEX, CUDNN_TYPE_INT64, 1, &count,
                               &index) != CUDNN_STATUS_SUCCESS) {
    return -1;
  }
  return index;
}

/// A device buffer for the search, zeroed on `stream` (the cuDNN handle's),
/// freed at scope exit. On that stream, not the legacy default one: the
/// handle's stream is non-blocking, so a plain cudaMemset could run while a
/// candidate's kernel already uses the buffer. Seen on the H200 with two
/// ResNet-50 processes on one GPU: in about 1 start of 3, one process
/// stayed in this search's cudaEventSynchronize for good, a split-K wgrad
/// kernel on the device (its counters zeroed under it, as far as a stack
/// shows); zeroed on this stream, 18 of 18 starts ran.
class scratch {
 public:
  scratch(std::size_t bytes, cudaStream_t stream) : bytes_(std::max<std::size_t>(bytes, 16)) {
    SGP_CUDA_CHECK(cudaMalloc(&data_, bytes_));
    SGP_CUDA_CHECK(cudaMemsetAsync(data_, 0, bytes_, stream));
  }
  scratch(const scratch&) = delete;
  scratch& operator=(const scratch&) = delete;
  ~scratch() { (void)cudaFree(data_); }
  [[nodiscard]] void* get() const { return data_; }

 private:
  std::size_t bytes_;
  void* data_ = nullptr;
};

cudnnStatus_t run(cudnnHandle_t cudnn, const backend_descriptor& plan, const void* a, const void* b,
                  void* out, void* workspace, conv_direction d) {
  backend_descriptor pack(CUDNN_BACKEND_VARIANT_PACK_DESCRIPTOR);
  // Operand order by direction, mapped onto the graph's x, w, y ids.
  std::array<std::int64_t, 3> ids{};
  switch (d) {
    case conv_direction::forward:
      ids = {x_id, w_id, y_id};
      break;
    case conv_direction::backward_filter:
      ids = {x_id, y_id, w_id};
      break;
    case conv_direction::backward_data:
      ids = {w_id, y_id, x_id};
      break;
  }
  std::array<void*, 3> ptrs{const_cast<void*>(a), const_cast<void*>(b), out};
  set(pack.get(), CUDNN_ATTR_VARIANT_PACK_UNIQUE_IDS, CUDNN_TYPE_INT64, 3, ids.data());
  set(pack.get(), CUDNN_ATTR_VARIANT_PACK_DATA_POINTERS, CUDNN_TYPE_VOID_PTR, 3, ptrs.data());
  set(pack.get(), CUDNN_ATTR_VARIANT_PACK_WORKSPACE, CUDNN_TYPE_VOID_PTR, 1, &workspace);
  SGP_CUDA_CHECK(cudnnBackendFinalize(pack.get()));
  return cudnnBackendExecute(cudnn, plan.get(), pack.get());
}

}  // namespace

backend_descriptor::backend_descriptor(cudnnBackendDescriptorType_t type) {
  SGP_CUDA_CHECK(cudnnBackendCreateDescriptor(type, &d_));
}

backend_descriptor::~backend_descriptor() {
  if (d_ != nullptr) (void)cudnnBackendDestroyDescriptor(d_);
}

std::shared_ptr<const conv_plan> conv_plan::tune(cudnnHandle_t cudnn, const conv_problem& p,
                                                 int max_candidates) {
  const std::lock_guard lock(find_mutex());
  const auto graph = build_graph(cudnn, p);
  auto configs = ranked_configs(*graph, CUDNN_HEUR_MODE_A, max_candidates);
  if (configs.empty()) configs = ranked_configs(*graph, CUDNN_HEUR_MODE_FALLBACK, max_candidates);

  cudaStream_t stream = nullptr;
  SGP_CUDA_CHECK(cudnnGetStream(cudnn, &stream));
  const std::size_t elem = 2;
  const scratch x(p.x.elements() * elem, stream);
  const scratch w(static_cast<std::size_t>(p.y.c) * p.x.c * p.kernel * p.kernel * elem, stream);
  const scratch y(p.y.elements() * elem, stream);
  const void* a = p.direction == conv_direction::backward_data ? w.get() : x.get();
  const void* b = p.direction == conv_direction::forward ? w.get() : y.get();
  void* out = p.direction == conv_direction::forward           ? y.get()
              : p.direction == conv_direction::backward_filter ? w.get()
                                                               : x.get();
  cudaEvent_t start = nullptr;
  cudaEvent_t stop = nullptr;
  SGP_CUDA_CHECK(cudaEventCreate(&start));
  SGP_CUDA_CHECK(cudaEventCreate(&stop));

  // Reproducible: the first deterministic configuration that runs, untimed.
  const bool reproducible = reproducible_convolutions().load();
  std::shared_ptr<conv_plan> best;
  float best_ms = std::numeric_limits<float>::infinity();
  int tried = 0;
  for (const auto& config : configs) {
    if (reproducible && best) break;
    const std::int64_t engine = usable_engine(*config, reproducible);
    if (engine < 0) continue;
    auto plan = std::make_shared<backend_descriptor>(CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR);
    set(plan->get(), CUDNN_ATTR_EXECUTION_PLAN_HANDLE, CUDNN_TYPE_HANDLE, 1, &cudnn);
    set_descriptor(plan->get(), CUDNN_ATTR_EXECUTION_PLAN_ENGINE_CONFIG, *config);
    if (cudnnBackendFinalize(plan->get()) != CUDNN_STATUS_SUCCESS) continue;
    std::int64_t bytes = 0;
    std::int64_t count = 0;
    SGP_CUDA_CHECK(cudnnBackendGetAttribute(plan->get(), CUDNN_ATTR_EXECUTION_PLAN_WORKSPACE_SIZE,
                                            CUDNN_TYPE_INT64, 1, &count, &bytes));
    if (bytes < 0 || bytes > max_workspace) continue;
    const scratch workspace(static_cast<std::size_t>(bytes), stream);
    // One untimed run (first-use costs), then the timed ones.
    if (run(cudnn, *plan, a, b, out, workspace.get(), p.direction) != CUDNN_STATUS_SUCCESS) {
      (void)cudaGetLastError();
      continue;
    }
    SGP_CUDA_CHECK(cudaEventRecord(start, stream));
    bool ok = true;
    for (int r = 0; r < timed_runs && ok; ++r) {
      ok = run(cudnn, *plan, a, b, out, workspace.get(), p.direction) == CUDNN_STATUS_SUCCESS;
    }
    SGP_CUDA_CHECK(cudaEventRecord(stop, stream));
    SGP_CUDA_CHECK(cudaEventSynchronize(stop));
    if (!ok) continue;
    float ms = 0.0f;
    SGP_CUDA_CHECK(cudaEventElapsedTime(&ms, start, stop));
    ms /= timed_runs;
    ++tried;
    if (ms < best_ms) {
      best_ms = ms;
      best.reset(new conv_plan());
      best->direction_ = p.direction;
      best->config_ = config;
      best->plan_ = plan;
      best->graph_ = graph;
      best->workspace_ = static_cast<std::size_t>(bytes);
      best->description_ = "engine " + std::to_string(engine) + ", " + std::to_string(ms) + " ms";
    }
  }
  if (best && !reproducible) {
    best->description_ += " (fastest of " + std::to_string(tried) + " timed)";
  }
  if (best && core::log_enabled(core::log_level::debug)) {
    core::log(core::log_level::debug, "cudnn", describe(p) + ": " + best->description_);
  }
  (void)cudaEventDestroy(start);
  (void)cudaEventDestroy(stop);
  if (!best) {
    const std::string why =
        "no engine configuration runs (" + std::to_string(configs.size()) + " offered)";
    detail::fail("cuDNN", why.c_str(), describe(p).c_str(), __FILE__, __LINE__);
  }
  return best;
}

void conv_plan::execute(cudnnHandle_t cudnn, const void* a, const void* b, void* out,
                        void* workspace) const {
  SGP_CUDA_CHECK(run(cudnn, *plan_, a, b, out, workspace, direction_));
}

}  // namespace sgp::gpu::cuda
