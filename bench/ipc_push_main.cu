// sgp_bench_ipc: one push (N fp32 values, a ResNet-50's 25.6 million by
// default) from GPU 0 in one OS process to GPU 1 in another process of the
// same host, through CUDA IPC. Issue 12 item 3 asks how pushes between the
// processes of one host over the TCP transport (sgp_bench_tcp, host copies
// and loopback) compare with GPU to GPU (NCCL send/recv or CUDA IPC); this is
// the CUDA IPC side.
//
// The program forks before any CUDA call. The parent (exporter, A) owns the
// buffer on device 0; the child (importer, B) on device 1 opens A's memory
// and event handles, received over a socketpair. Per push:
//   A fills the buffer with the push's pattern and waits for it (untimed),
//     records the interprocess event, starts its clock and sends "go";
//   B waits on the event on its stream (cudaStreamWaitEvent), copies the N
//     values into its own buffer, synchronizes and sends the ack (the message
//     that would let the sender free or reuse its buffer);
//   A stops its clock on the ack.
// B then copies 4097 values spread over the whole buffer back to the host and
// checks them against the pattern (untimed: A waits for that report before
// the next push). Reported: A's clock per push (event, go, copy, ack) and B's
// copy alone (CUDA events), averaged over the pushes after 2 warm-up ones.
// With one GPU both processes use device 0 (a same-device IPC copy).
//   sgp_bench_ipc [millions of values = 25.6] [pushes = 20]
#include <cuda_runtime.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr int warmup_pushes = 2;
constexpr std::size_t check_samples = 4096;  // plus the last value
// A process that waits longer than this for the other one gives up (a hung
// GPU or a stopped process must not leave the benchmark waiting for ever).
constexpr int answer_timeout_s = 120;

struct failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `expr` is the call as written; the message names the function only.
void check(cudaError_t status, const char* expr) {
  if (status == cudaSuccess) return;
  std::string call(expr);
  call = call.substr(0, call.find('('));
  throw failure(call + ": " + cudaGetErrorString(status));
}
#define SGP_CUDA(expr) check((expr), #expr)

// Owns one CUDA handle; `Release` frees it (errors at release are ignored:
// the program is ending or already failing).
template <class T, cudaError_t (*Release)(T)>
class owned {
 public:
  owned() = default;
  owned(const owned&) = delete;
  owned& operator=(const owned&) = delete;
  ~owned() {
    if (handle_) Release(handle_);
  }
  T get() const { return handle_; }
  T* out() { return &handle_; }

 private:
  T handle_{};
};
using device_buffer = owned<void*, cudaFree>;
using ipc_mapping = owned<void*, cudaIpcCloseMemHandle>;
using event = owned<cudaEvent_t, cudaEventDestroy>;
using stream = owned<cudaStream_t, cudaStreamDestroy>;

// Push `push`'s value at index i: 20 bits, so exact in fp32, and different
// from one push to the next.
__host__ __device__ inline float pattern(std::size_t i, std::uint32_t push) {
  return static_cast<float>((static_cast<std::uint32_t>(i) * 2654435761u + push * 40503u) >> 12);
}

__global__ void fill(float* out, std::size_t count, std::uint32_t push) {
  const std::size_t step = std::size_t{gridDim.x} * blockDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < count; i += step) {
    out[i] = pattern(i, push);
  }
}

// Messages on the socketpair, fixed size, in this host's byte order.
struct header {  // A -> B, once
  std::int32_t exporter_device;
  std::int32_t device;  // B's device
  std::uint64_t count;
  std::uint32_t pushes;  // warm-up included
  cudaIpcMemHandle_t memory;
  cudaIpcEventHandle_t ready;
};
struct go {  // A -> B, per push
  std::uint32_t push;
};
struct ack {  // B -> A, per push, after the copy
  std::uint32_t push;
  float copy_ms;
};
struct checked {  // B -> A, per push, after the check
  std::uint32_t push;
  std::uint32_t ok;
};

void send_all(int fd, const void* data, std::size_t size, const char* what) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      throw failure(std::string("sending ") + what + ": the other process has exited");
    }
    if (n <= 0) throw failure(std::string("sending ") + what + ": " + std::strerror(errno));
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

// False on end of file before the first byte.
bool receive_all(int fd, void* data, std::size_t size, const char* what) {
  auto* p = static_cast<char*>(data);
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = read(fd, p + got, size - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ECONNRESET && got == 0) return false;  // the other process died
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      throw failure(std::string("receiving ") + what + ": no answer in " +
                    std::to_string(answer_timeout_s) + " s");
    }
    if (n < 0) throw failure(std::string("receiving ") + what + ": " + std::strerror(errno));
    if (n == 0) {
      if (got == 0) return false;
      throw failure(std::string("receiving ") + what + ": connection closed mid-message");
    }
    got += static_cast<std::size_t>(n);
  }
  return true;
}

template <class T>
void send_message(int fd, const T& m, const char* what) {
  send_all(fd, &m, sizeof m, what);
}
template <class T>
bool receive_message(int fd, T& m, const char* what) {
  return receive_all(fd, &m, sizeof m, what);
}

struct result {
  int device_a = 0;
  int device_b = 0;
  double push_ms = 0;
  double copy_ms = 0;
};

// A, the parent: exports the buffer and the event, times each push.
result export_pushes(int fd, pid_t importer, std::uint64_t count, std::uint32_t repeats) {
  int devices = 0;
  const cudaError_t status = cudaGetDeviceCount(&devices);
  if (status != cudaSuccess || devices == 0) {
    throw failure(std::string("no CUDA GPU visible (cudaGetDeviceCount: ") +
                  (status != cudaSuccess ? cudaGetErrorString(status) : "0 devices") + ")");
  }
  result r;
  r.device_b = devices > 1 ? 1 : 0;
  SGP_CUDA(cudaSetDevice(r.device_a));

  device_buffer buffer;
  SGP_CUDA(cudaMalloc(buffer.out(), count * sizeof(float)));
  event ready;
  SGP_CUDA(cudaEventCreateWithFlags(ready.out(), cudaEventInterprocess | cudaEventDisableTiming));
  stream s;
  SGP_CUDA(cudaStreamCreateWithFlags(s.out(), cudaStreamNonBlocking));

  header h{};
  h.exporter_device = r.device_a;
  h.device = r.device_b;
  h.count = count;
  h.pushes = warmup_pushes + repeats;
  SGP_CUDA(cudaIpcGetMemHandle(&h.memory, buffer.get()));
  SGP_CUDA(cudaIpcGetEventHandle(&h.ready, ready.get()));
  send_message(fd, h, "the handles");

  using clock_type = std::chrono::steady_clock;
  double push_ms = 0;
  double copy_ms = 0;
  for (std::uint32_t push = 0; push < h.pushes; ++push) {
    fill<<<1024, 256, 0, s.get()>>>(static_cast<float*>(buffer.get()), count, push);
    SGP_CUDA(cudaGetLastError());
    SGP_CUDA(cudaStreamSynchronize(s.get()));  // the fill is not part of the push
    SGP_CUDA(cudaEventRecord(ready.get(), s.get()));
    const auto t0 = clock_type::now();
    send_message(fd, go{push}, "go");
    ack a{};
    if (!receive_message(fd, a, "the ack") || a.push != push) {
      throw failure("the importer (pid " + std::to_string(importer) +
                    ") stopped before acking push " + std::to_string(push));
    }
    const auto t1 = clock_type::now();
    checked c{};
    if (!receive_message(fd, c, "the check") || c.push != push || !c.ok) {
      throw failure("the importer (pid " + std::to_string(importer) + ") did not confirm push " +
                    std::to_string(push) + "'s values");
    }
    if (push >= warmup_pushes) {
      push_ms += std::chrono::duration<double, std::milli>(t1 - t0).count();
      copy_ms += a.copy_ms;
    }
  }
  // B closes the socket when it exits, after closing its mapping of the
  // buffer: only then may the buffer be freed.
  char byte = 0;
  if (receive_all(fd, &byte, 1, "the importer's exit")) {
    throw failure("the importer sent more than expected");
  }
  r.push_ms = push_ms / repeats;
  r.copy_ms = copy_ms / repeats;
  return r;
}

// B, the child: imports A's buffer and event, copies each push and checks it.
// Returns false when A sent nothing (A failed before the handles and says why).
bool import_pushes(int fd) {
  header h{};
  if (!receive_message(fd, h, "the handles")) return false;
  SGP_CUDA(cudaSetDevice(h.device));

  ipc_mapping source;
  SGP_CUDA(cudaIpcOpenMemHandle(source.out(), h.memory, cudaIpcMemLazyEnablePeerAccess));
  event ready;
  SGP_CUDA(cudaIpcOpenEventHandle(ready.out(), h.ready));
  device_buffer target;
  const std::size_t bytes = h.count * sizeof(float);
  SGP_CUDA(cudaMalloc(target.out(), bytes));
  stream s;
  SGP_CUDA(cudaStreamCreateWithFlags(s.out(), cudaStreamNonBlocking));
  event start, stop;
  SGP_CUDA(cudaEventCreate(start.out()));
  SGP_CUDA(cudaEventCreate(stop.out()));

  // Every stride-th value, and the last one.
  const std::size_t samples = h.count < check_samples ? h.count : check_samples;
  const std::size_t stride = h.count / samples;
  std::vector<float> sample(samples + 1);
  const auto* copied = static_cast<const float*>(target.get());

  for (std::uint32_t push = 0; push < h.pushes; ++push) {
    go g{};
    if (!receive_message(fd, g, "go") || g.push != push) {
      throw failure("the exporter stopped before push " + std::to_string(push));
    }
    SGP_CUDA(cudaStreamWaitEvent(s.get(), ready.get(), 0));
    SGP_CUDA(cudaEventRecord(start.get(), s.get()));
    // The opened pointer is mapped in this process's context: a plain
    // device-to-device copy (unified addressing routes it over the link).
    SGP_CUDA(cudaMemcpyAsync(target.get(), source.get(), bytes, cudaMemcpyDeviceToDevice, s.get()));
    SGP_CUDA(cudaEventRecord(stop.get(), s.get()));
    SGP_CUDA(cudaStreamSynchronize(s.get()));
    ack a{push, 0.f};
    SGP_CUDA(cudaEventElapsedTime(&a.copy_ms, start.get(), stop.get()));
    send_message(fd, a, "the ack");

    SGP_CUDA(cudaMemcpy2D(sample.data(), sizeof(float), copied, stride * sizeof(float),
                          sizeof(float), samples, cudaMemcpyDeviceToHost));
    SGP_CUDA(
        cudaMemcpy(&sample[samples], copied + h.count - 1, sizeof(float), cudaMemcpyDeviceToHost));
    for (std::size_t k = 0; k <= samples; ++k) {
      const std::size_t i = k < samples ? k * stride : h.count - 1;
      const float want = pattern(i, push);
      if (sample[k] != want) {
        send_message(fd, checked{push, 0}, "the check");
        throw failure("push " + std::to_string(push) + ": value " + std::to_string(i) + " is " +
                      std::to_string(sample[k]) + ", expected " + std::to_string(want));
      }
    }
    send_message(fd, checked{push, 1}, "the check");
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const double millions = argc > 1 ? std::strtod(argv[1], nullptr) : 25.6;
  const long repeats = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 20;
  if (!(millions > 0 && millions <= 4000) || repeats < 1 || repeats > 100000) {
    std::fprintf(stderr,
                 "sgp: error: usage: sgp_bench_ipc [millions of fp32 values, up to 4000 = 25.6] "
                 "[pushes 1..100000 = 20]\n");
    return 2;
  }
  const auto count = static_cast<std::uint64_t>(millions * 1e6 + 0.5);
  if (count == 0) {
    std::fprintf(stderr, "sgp: error: fewer than one value to push\n");
    return 2;
  }

  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
    std::fprintf(stderr, "sgp: error: socketpair: %s\n", std::strerror(errno));
    return 1;
  }
  const timeval timeout{answer_timeout_s, 0};
  for (const int fd : fds) {
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
      std::fprintf(stderr, "sgp: error: setsockopt(SO_RCVTIMEO): %s\n", std::strerror(errno));
      return 1;
    }
  }
  std::fflush(nullptr);
  const pid_t child = fork();  // before any CUDA call, in both processes
  if (child < 0) {
    std::fprintf(stderr, "sgp: error: fork: %s\n", std::strerror(errno));
    return 1;
  }
  if (child == 0) {
    close(fds[0]);
    int rc = 1;
    try {
      rc = import_pushes(fds[1]) ? 0 : 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sgp: error: importer (pid %d): %s\n", static_cast<int>(getpid()),
                   e.what());
    }
    close(fds[1]);
    std::fflush(nullptr);
    _exit(rc);
  }

  close(fds[1]);
  std::string error;
  result r;
  try {
    r = export_pushes(fds[0], child, count, static_cast<std::uint32_t>(repeats));
  } catch (const std::exception& e) {
    error = e.what();
  }
  close(fds[0]);  // an importer still waiting for a message sees the end
  // After a failure the importer may be stuck in a CUDA call: never wait for it.
  if (!error.empty()) (void)kill(child, SIGKILL);
  int status = 0;
  while (waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      std::fprintf(stderr, "sgp: error: waitpid: %s\n", std::strerror(errno));
      return 1;
    }
  }
  if (!error.empty()) {  // after the importer's own message, if it has one
    std::fprintf(stderr, "sgp: error: exporter (pid %d): %s\n", static_cast<int>(getpid()),
                 error.c_str());
    return 1;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "sgp: error: the importer (pid %d) failed\n", static_cast<int>(child));
    return 1;
  }

  if (r.device_a == r.device_b) {
    std::printf(
        "ipc push: only one GPU visible: both processes use GPU %d (a same-device IPC copy)\n",
        r.device_a);
  }
  const double mb = static_cast<double>(count) * sizeof(float) / 1e6;
  std::printf(
      "ipc push: %llu floats (%.1f MB) GPU%d (pid %d) -> GPU%d (pid %d): %.3f ms per push incl. "
      "ack, copy %.3f ms (%.1f GB/s), %ld pushes, values checked\n",
      static_cast<unsigned long long>(count), mb, r.device_a, static_cast<int>(getpid()),
      r.device_b, static_cast<int>(child), r.push_ms, r.copy_ms, mb / 1e3 / (r.copy_ms / 1e3),
      repeats);
  return 0;
}
