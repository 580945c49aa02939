// The compute backend interface: one narrow surface that the CPU (oneDNN)
// and CUDA backends both implement. Everything a node's training step needs
// goes through here; nothing above gpu/ knows which backend runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/assert.hpp"
#include "core/mass_space.hpp"
#include "core/result.hpp"

namespace sgp::gpu {

/// Move-only owner of `size` floats in a backend's memory (host memory for
/// the CPU backend, device memory for CUDA). Frees through the deleter that
/// the backend gave it.
class buffer {
 public:
  using deleter = void (*)(float*);

  buffer() = default;
  buffer(float* data, std::size_t size, deleter free) : data_(data), size_(size), free_(free) {}
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
  buffer(buffer&& other) noexcept { swap(other); }
  buffer& operator=(buffer&& other) noexcept {
    buffer tmp(std::move(other));
    swap(tmp);
    return *this;
  }
  ~buffer() {
    if (data_ != nullptr && free_ != nullptr) free_(data_);
  }

  [[nodiscard]] float* data() { return data_; }
  [[nodiscard]] const float* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  void swap(buffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(free_, other.free_);
  }
  float* data_ = nullptr;
  std::size_t size_ = 0;
  deleter free_ = nullptr;
};

/// Shape of one sample, channels-first (an MLP input is {1, 28, 28} too).
struct sample_shape {
  int channels = 1;
  int height = 28;
  int width = 28;
  [[nodiscard]] std::size_t elements() const {
    return static_cast<std::size_t>(channels) * height * width;
  }
};

/// A batch in host memory: `size` samples, NCHW float images, int32 labels.
/// (The CUDA backend also takes images that already sit in its device
/// memory, as benchmarks with synthetic data keep them; labels stay on the
/// host.)
struct host_batch {
  const float* images = nullptr;
  const std::int32_t* labels = nullptr;
  int size = 0;
};

/// What one parameter tensor is; decides initialisation and weight decay.
enum class param_kind { weight, bias, bn_scale, bn_shift };

/// One parameter tensor inside the flat parameter vector.
struct param_segment {
  std::string name;  ///< e.g. "conv1.weight"
  param_kind kind;
  std::size_t offset;  ///< first element in the flat vector
  std::size_t size;    ///< number of elements
  std::size_t fan_in;  ///< inputs per output unit (for initialisation)
};

/// Where each parameter lives in the flat vector. Parameters that get weight
/// decay (conv and linear weights) come first: [0, decayed) is decayed,
/// [decayed, total) (biases, batch-norm scale and shift) is not, so the
/// optimizer needs one split point instead of a mask.
struct param_layout {
  std::vector<param_segment> segments;
  std::size_t total = 0;
  std::size_t decayed = 0;
};

/// Loss and accuracy counts of one evaluated batch.
struct eval_counts {
  double loss_sum = 0.0;  ///< sum (not mean) of per-sample cross-entropy
  std::int64_t correct = 0;
  std::int64_t samples = 0;
};

/// SGD hyper-parameters (momentum buffers stay local to a node).
struct sgd_options {
  float momentum = 0.9f;
  bool nesterov = true;
  float weight_decay = 1e-4f;
  /// Callers pass this: decay every parameter (the reference code), not
  /// only [0, decayed) (weights).
  bool decay_all = false;
};

/// One model replica on a backend: the network's layers and their scratch
/// memory for one maximum batch size. Parameters are not owned here: every
/// call gets the flat parameter vector it should compute with, so push-sum
/// can hand it the de-biased z = x / w.
class model {
 public:
  virtual ~model() = default;

  [[nodiscard]] virtual const std::string& name() const = 0;
  [[nodiscard]] virtual const param_layout& layout() const = 0;
  [[nodiscard]] virtual sample_shape input_shape() const = 0;
  [[nodiscard]] virtual int classes() const = 0;
  [[nodiscard]] virtual int max_batch() const = 0;

  /// Fills `params` (layout().total floats) with the initial weights:
  /// Kaiming-uniform weights as PyTorch does, zero biases, BN scale 1 and
  /// shift 0. Same seed, same weights, on every backend.
  virtual void initialize(buffer& params, std::uint64_t seed) = 0;

  /// Training-mode forward and backward at `params` on `batch` (size ≤
  /// max_batch()): writes d(mean loss)/d(params) into `grads` (overwritten,
  /// not accumulated), updates batch-norm running statistics, returns the
  /// mean softmax cross-entropy.
  virtual float forward_backward(const buffer& params, const host_batch& batch, buffer& grads) = 0;

  /// forward_backward in two halves, so that the caller can prepare the
  /// next batch on the host while the device computes: begin queues the
  /// step (a backend may return before it has run), end waits for it and
  /// returns the mean loss. Until end returns, `params`, `batch` and `grads`
  /// stay as they are, and no other call is made on this model but
  /// prefetch. The default runs the whole step in begin.
  virtual void begin_forward_backward(const buffer& params, const host_batch& batch,
                                      buffer& grads) {
    pending_loss_ = forward_backward(params, batch, grads);
  }
  virtual float end_forward_backward() { return pending_loss_; }

  /// A hint: `batch` is what the next forward_backward will get. A backend
  /// may start moving it to the device now, overlapping the step in
  /// progress; forward_backward then uses that copy when it is given the
  /// same batch (same pointers and size), so the caller must not change the
  /// batch's memory in between. The CPU backend has nothing to do.
  virtual void prefetch(const host_batch& batch) { (void)batch; }

  /// Inference-mode forward (batch norm uses running statistics).
  virtual eval_counts evaluate(const buffer& params, const host_batch& batch) = 0;

  /// Non-trainable state (batch-norm running means and variances), flat;
  /// empty for models without batch norm. Saved in checkpoints.
  virtual std::span<float> running_stats() = 0;

 private:
  float pending_loss_ = 0.0f;  ///< the default begin/end_forward_backward
};

/// A dataset's images held in a backend's memory (backend::resident_images),
/// so that a batch is gathered there instead of on the host.
class resident_images {
 public:
  virtual ~resident_images() = default;
};

/// A compute backend: allocates buffers, builds models, runs the flat-buffer
/// kernels of the optimizer and of push-sum.
class backend {
 public:
  virtual ~backend() = default;

  [[nodiscard]] virtual std::string name() const = 0;

  /// `n` floats in this backend's memory, zero-filled.
  virtual buffer allocate(std::size_t n) = 0;

  /// Copies between host memory and a buffer (sizes must match).
  virtual void upload(std::span<const float> host, buffer& dst) = 0;
  virtual void download(const buffer& src, std::span<float> host) = 0;

  /// `images` (samples of `sample_elements` floats each) copied once into
  /// this backend's memory, so that gather_images can build batches there:
  /// a GPU then copies no batch from the host per step. Shared by the
  /// backends of one device that ask for the same images. nullptr where
  /// batches stay on the host: the CPU, or a set that would take more than
  /// a quarter of the GPU's free memory.
  virtual std::shared_ptr<const resident_images> make_resident_images(std::span<const float> images,
                                                                      std::size_t sample_elements) {
    (void)images;
    (void)sample_elements;
    return nullptr;
  }
  /// dst's first indices.size() samples = the samples `indices` of `set`
  /// (which this backend's make_resident_images made), queued in order with
  /// this backend's other work: data::gather_batch in backend memory.
  virtual void gather_images(const resident_images& set, std::span<const std::size_t> indices,
                             buffer& dst) {
    (void)set;
    (void)indices;
    (void)dst;
    SGP_ASSERT(false && "gather_images on a backend without resident images");
  }

  /// Builds a model by name ("mlp", "cnn") for `input` samples and `classes`
  /// outputs and batches of at most `max_batch`. Unknown names are an error.
  virtual core::result<std::unique_ptr<model>> make_model(const std::string& name,
                                                          sample_shape input, int classes,
                                                          int max_batch) = 0;

  /// One SGD step on the flat vector, in place:
  ///   g' = g + wd * x            (only for i < decayed)
  ///   m  = momentum * m + g'
  ///   d  = nesterov ? g' + momentum * m : m
  ///   x  = x - lr * d
  virtual void sgd_step(const sgd_options& opt, float lr, std::size_t decayed, buffer& x,
                        const buffer& grads, buffer& momentum) = 0;

  /// The same step as a delta, x unchanged: momentum is updated as above and
  ///   delta = -lr * d
  /// (a push-sum node adds w * delta to its numerator).
  virtual void sgd_delta(const sgd_options& opt, float lr, std::size_t decayed, const buffer& x,
                         const buffer& grads, buffer& momentum, buffer& delta) = 0;

  /// A push-sum mass space in this backend's memory starting from the host
  /// numerator `x` (see core/mass_space.hpp): host memory for the CPU, the
  /// GPU's memory for CUDA, where pushes are device-to-device copies ordered
  /// by events on this backend's stream. Spans given to the space are
  /// buffers of this backend (buffer::data(), buffer::size()).
  virtual std::unique_ptr<core::mass_space> make_mass_space(std::span<const float> x) = 0;

  // Push-sum's flat kernels (sizes must match).

  /// dst = src.
  virtual void copy(const buffer& src, buffer& dst) = 0;
  /// x *= factor (the share a node keeps after pushing p·x away).
  virtual void scale(buffer& x, float factor) = 0;
  /// x += share; then z = x / w (w > 0). Push-sum's mix and de-bias in one pass.
  virtual void mix_debias(buffer& x, const buffer& share, double w, buffer& z) = 0;
};

/// Names of the models that every backend builds.
std::vector<std::string> model_names();

}  // namespace sgp::gpu
