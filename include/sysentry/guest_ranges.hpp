// Guest memory as Unicorn 2.0.1 addresses it. The engine walks our page tables
// for presence and permission checks, but then reads and writes at the
// *virtual* address (its x86 MMU is patched to identity-map; upstream
// unicorn#1953, fixed in 2.1). So every guest page must also be mapped into
// the engine at its virtual address. A RangeMap holds such ranges, each backed
// by host memory, and mirrors them into the engine while attached.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>

namespace sysentry {

class Cpu;

// Zeroed host memory that costs nothing until touched.
class HostBlock {
public:
    explicit HostBlock(size_t size);
    ~HostBlock();
    HostBlock(const HostBlock&) = delete;
    HostBlock& operator=(const HostBlock&) = delete;
    uint8_t* data() const { return data_; }
    size_t size() const { return size_; }
    void discard(size_t offset, size_t len);  // give pages back; they read as zero again

private:
    uint8_t* data_;
    size_t size_;
};

class RangeMap {
public:
    explicit RangeMap(Cpu& cpu) : cpu_(&cpu) {}
    RangeMap(RangeMap&& o) noexcept
        : cpu_(o.cpu_), ranges_(std::move(o.ranges_)), attached_(std::exchange(o.attached_, false)) {}
    RangeMap& operator=(RangeMap&& o) noexcept {
        if (this != &o) {
            clear();
            cpu_ = o.cpu_;
            ranges_ = std::move(o.ranges_);
            attached_ = std::exchange(o.attached_, false);
        }
        return *this;
    }
    ~RangeMap();

    // Backs [va, va+len) (page aligned, currently unbacked) with fresh zeroed memory.
    bool map(uint64_t va, uint64_t len);
    // Drops whatever backs [va, va+len); partial ranges are split.
    void unmap(uint64_t va, uint64_t len);
    bool contains(uint64_t va) const { return host(va) != nullptr; }
    // The host byte behind `va`, and how many bytes follow it in the same range.
    uint8_t* host(uint64_t va, size_t* run = nullptr) const;
    void discard(uint64_t va, uint64_t len);  // MADV_DONTNEED
    // Drops the engine's translated code of [va, va+len), inside one range, while
    // attached; `va`'s page must be present in the current page tables (Cpu::forget_translations).
    void forget_code(uint64_t va, uint64_t len);
    void clear();  // drop every range

    void attach();  // mirror every range into the engine
    void detach();  // withdraw them (the process is switched out)
    bool attached() const { return attached_; }

private:
    struct Range {
        uint64_t len;
        std::shared_ptr<HostBlock> block;
        uint64_t offset;  // into block
    };
    void engine_map(uint64_t va, const Range& r);
    void engine_unmap(uint64_t va, uint64_t len);
    void split_at(uint64_t va);

    Cpu* cpu_;
    std::map<uint64_t, Range> ranges_;  // keyed by start VA
    bool attached_ = false;
};

}  // namespace sysentry
