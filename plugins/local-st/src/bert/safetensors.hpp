// A reader for the safetensors format: an 8-byte little-endian header length, a JSON header
// naming each tensor's dtype, shape and byte range, then the raw little-endian data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace pmx::localst::bert {

// The file is read whole at open; tensors are converted to float32 on request.
// Errors (unreadable file, bad header, truncated data, missing tensor, wrong shape or an
// unsupported dtype) throw std::runtime_error naming the file and the tensor.
class SafeTensors {
public:
    explicit SafeTensors(const std::filesystem::path& path);

    bool contains(const std::string& name) const { return tensors_.count(name) != 0; }

    // The tensor as row-major floats; its shape must equal `shape`. F32, F16 and BF16 are
    // accepted (half precision is widened).
    std::vector<float> get(const std::string& name, const std::vector<uint64_t>& shape) const;

private:
    struct Tensor {
        std::string dtype;
        std::vector<uint64_t> shape;
        uint64_t begin = 0;  // byte offsets into data_
        uint64_t end = 0;
    };

    std::string path_;
    std::vector<unsigned char> data_;  // everything after the header
    std::map<std::string, Tensor> tensors_;
};

}  // namespace pmx::localst::bert
