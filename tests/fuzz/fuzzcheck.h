// Shared by the fuzz harnesses: a check that stops the run with a message, and a reader of input bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

// A broken promise aborts, so libFuzzer (or the seed runner) reports the input that caused it.
#define FUZZ_CHECK(condition, ...)                                                                           \
    do {                                                                                                     \
        if (!(condition)) {                                                                                  \
            std::fprintf(stderr, "%s:%d: check failed: %s\n  ", __FILE__, __LINE__, #condition);             \
            std::fprintf(stderr, __VA_ARGS__);                                                               \
            std::fputc('\n', stderr);                                                                        \
            std::abort();                                                                                    \
        }                                                                                                    \
    } while (0)

namespace fuzz {

// Hands out the input front to back; past the end it gives zeros, so every input means something.
class ByteReader
{
public:
    ByteReader(const std::uint8_t *data, std::size_t size) : m_data(data), m_size(size) {}

    std::uint8_t byte() { return m_pos < m_size ? m_data[m_pos++] : 0; }
    std::string bytes(std::size_t count)
    {
        const std::size_t n = count < remaining() ? count : remaining();
        std::string out(reinterpret_cast<const char *>(m_data + m_pos), n);
        m_pos += n;
        return out;
    }
    // One bit at a time, least significant first.
    bool bit()
    {
        if (m_bit == 0)
            m_current = byte();
        const bool b = (m_current >> m_bit) & 1u;
        m_bit = (m_bit + 1) % 8;
        return b;
    }
    std::size_t remaining() const { return m_size - m_pos; }

private:
    const std::uint8_t *m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    std::uint8_t m_current = 0;
    int m_bit = 0;
};

} // namespace fuzz
