// Writes small .npy and IDX files for the tests of the user's own data.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace sgp::test {

/// A version-1 .npy file: `descr` as NumPy writes it ("|u1", "<f4", "<i8"),
/// `shape` as the header's tuple text ("(3, 2)", "(5,)"), the raw bytes.
inline void write_npy(const std::string& path, const std::string& descr, const std::string& shape,
                      const void* data, std::size_t bytes, bool fortran = false) {
  std::string header = "{'descr': '" + descr +
                       "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': " + shape + ", }";
  // Magic, version, length, header: a multiple of 64 bytes, ending in '\n'.
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const auto len = static_cast<std::uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out << header;
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

template <class T>
void write_npy(const std::string& path, const std::string& descr, const std::string& shape,
               const std::vector<T>& values) {
  write_npy(path, descr, shape, values.data(), values.size() * sizeof(T));
}

/// An IDX file (magic 0x000008NN with dims.size() dimensions), gzipped when asked.
inline void write_idx(const std::string& path, const std::vector<std::uint32_t>& dims,
                      const std::vector<std::uint8_t>& bytes, bool gzip) {
  std::string content = {0, 0, 8, static_cast<char>(dims.size())};
  for (const auto d : dims) {
    content += static_cast<char>(d >> 24);
    content += static_cast<char>(d >> 16);
    content += static_cast<char>(d >> 8);
    content += static_cast<char>(d);
  }
  content.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, content.data(), static_cast<unsigned>(content.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary) << content;
  }
}

/// `n` learnable samples of `classes` classes: class k lights up row k of an
/// h x w image (h >= classes), with some noise from a fixed sequence.
inline void make_images(int n, int classes, int h, int w, std::vector<std::uint8_t>& pixels,
                        std::vector<std::uint8_t>& labels) {
  pixels.assign(static_cast<std::size_t>(n) * h * w, 0);
  labels.resize(static_cast<std::size_t>(n));
  std::uint32_t noise = 12345;
  for (int i = 0; i < n; ++i) {
    const int k = i % classes;
    labels[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(k);
    for (int p = 0; p < h * w; ++p) {
      noise = noise * 1664525u + 1013904223u;
      const bool lit = p / w == k;
      pixels[static_cast<std::size_t>(i) * h * w + p] =
          static_cast<std::uint8_t>((lit ? 180 : 0) + (noise >> 27));
    }
  }
}

}  // namespace sgp::test
