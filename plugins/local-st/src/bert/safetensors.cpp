// Reads the whole file once: the weights are copied into the model anyway, so mapping it
// would only save a transient copy.
#include "bert/safetensors.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace pmx::localst::bert {
namespace {

// A header larger than this is not a model file (real ones are a few hundred KiB).
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

std::string shape_text(const std::vector<uint64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

size_t dtype_size(const std::string& dtype) {
    if (dtype == "F64" || dtype == "I64" || dtype == "U64") return 8;
    if (dtype == "F32" || dtype == "I32" || dtype == "U32") return 4;
    if (dtype == "F16" || dtype == "BF16" || dtype == "I16" || dtype == "U16") return 2;
    if (dtype == "I8" || dtype == "U8" || dtype == "BOOL" || dtype == "F8_E4M3" || dtype == "F8_E5M2") return 1;
    return 0;
}

float half_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    uint32_t bits = 0;
    if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);  // inf or NaN
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant != 0) {
        // Subnormal half: normalise it, since every half subnormal is a float normal.
        exp = 113;
        while ((mant & 0x400u) == 0) {
            mant <<= 1;
            --exp;
        }
        bits = sign | (exp << 23) | ((mant & 0x3FFu) << 13);
    } else {
        bits = sign;
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

float bf16_to_float(uint16_t h) {
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

}  // namespace

SafeTensors::SafeTensors(const std::filesystem::path& path) : path_(path.string()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path_);
    unsigned char len_bytes[8];
    if (!in.read(reinterpret_cast<char*>(len_bytes), sizeof len_bytes))
        throw std::runtime_error(path_ + ": truncated safetensors file (no header length)");
    uint64_t header_len = 0;
    for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
    const uint64_t file_size = std::filesystem::file_size(path);
    if (header_len > kMaxHeaderBytes || header_len > file_size - 8)
        throw std::runtime_error(path_ + ": truncated or not a safetensors file (header of " +
                                 std::to_string(header_len) + " bytes in a file of " +
                                 std::to_string(file_size) + ")");
    std::string header(header_len, '\0');
    if (!in.read(header.data(), static_cast<std::streamsize>(header_len)))
        throw std::runtime_error(path_ + ": truncated safetensors header");
    data_.resize(file_size - 8 - header_len);
    if (!in.read(reinterpret_cast<char*>(data_.data()), static_cast<std::streamsize>(data_.size())))
        throw std::runtime_error(path_ + ": read error");

    rapidjson::Document doc;
    doc.Parse(header.data(), header.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::runtime_error(path_ + ": safetensors header is not a JSON object" +
                                 (doc.HasParseError() ? std::string(" (") + rapidjson::GetParseError_En(doc.GetParseError()) + ")" : ""));
    for (auto m = doc.MemberBegin(); m != doc.MemberEnd(); ++m) {
        const std::string name(m->name.GetString(), m->name.GetStringLength());
        if (name == "__metadata__") continue;
        const auto& v = m->value;
        const std::string bad = path_ + ": tensor " + name + " has a malformed header entry";
        if (!v.IsObject() || !v.HasMember("dtype") || !v["dtype"].IsString() || !v.HasMember("shape") ||
            !v["shape"].IsArray() || !v.HasMember("data_offsets") || !v["data_offsets"].IsArray() ||
            v["data_offsets"].Size() != 2 || !v["data_offsets"][0].IsUint64() || !v["data_offsets"][1].IsUint64())
            throw std::runtime_error(bad);
        Tensor t;
        t.dtype = v["dtype"].GetString();
        uint64_t count = 1;
        for (const auto& d : v["shape"].GetArray()) {
            if (!d.IsUint64()) throw std::runtime_error(bad);
            const uint64_t n = d.GetUint64();
            if (n != 0 && count > UINT64_MAX / n) throw std::runtime_error(bad);
            t.shape.push_back(n);
            count *= n;
        }
        t.begin = v["data_offsets"][0].GetUint64();
        t.end = v["data_offsets"][1].GetUint64();
        if (t.begin > t.end) throw std::runtime_error(bad);
        if (t.end > data_.size())
            throw std::runtime_error(path_ + ": truncated safetensors file (tensor " + name + " ends at byte " +
                                     std::to_string(t.end) + " of " + std::to_string(data_.size()) +
                                     " data bytes)");
        const size_t elem = dtype_size(t.dtype);
        if (elem != 0 && (count > UINT64_MAX / elem || t.end - t.begin != count * elem))
            throw std::runtime_error(path_ + ": tensor " + name + " holds " + std::to_string(t.end - t.begin) +
                                     " bytes, but " + t.dtype + " " + shape_text(t.shape) + " needs " +
                                     std::to_string(count * elem));
        tensors_.emplace(name, std::move(t));
    }
}

std::vector<float> SafeTensors::get(const std::string& name, const std::vector<uint64_t>& shape) const {
    const auto it = tensors_.find(name);
    if (it == tensors_.end()) throw std::runtime_error(path_ + ": tensor " + name + " is missing");
    const Tensor& t = it->second;
    if (t.shape != shape)
        throw std::runtime_error(path_ + ": tensor " + name + " has shape " + shape_text(t.shape) + ", expected " +
                                 shape_text(shape));
    const unsigned char* p = data_.data() + t.begin;
    const size_t bytes = t.end - t.begin;
    std::vector<float> out;
    // Little-endian hosts only (x86-64, aarch64): the bytes are copied as they are.
    if (t.dtype == "F32") {
        out.resize(bytes / 4);
        std::memcpy(out.data(), p, bytes);
    } else if (t.dtype == "F16" || t.dtype == "BF16") {
        out.resize(bytes / 2);
        const bool half = t.dtype == "F16";
        for (size_t i = 0; i < out.size(); ++i) {
            uint16_t h;
            std::memcpy(&h, p + 2 * i, 2);
            out[i] = half ? half_to_float(h) : bf16_to_float(h);
        }
    } else {
        throw std::runtime_error(path_ + ": tensor " + name + " has dtype " + t.dtype +
                                 "; only F32, F16 and BF16 are supported");
    }
    return out;
}

}  // namespace pmx::localst::bert
