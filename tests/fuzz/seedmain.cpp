// Runs every file named on the command line (or found in a named folder) through one fuzz harness, so
// that the seed corpus and the saved regressions are a CTest suite in builds without libFuzzer.
#include <sys/resource.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

int main(int argc, char **argv)
{
    // The same memory ceiling as tools/fuzz gives libFuzzer: an input that makes the code under test
    // reserve gigabytes fails here with std::bad_alloc instead of passing on a large machine.
    // Not under AddressSanitizer: its shadow memory alone takes terabytes of address space. (g++ says so
    // with __SANITIZE_ADDRESS__, clang with __has_feature.)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SEEDS_UNDER_ASAN 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(SEEDS_UNDER_ASAN)
    const rlim_t ceiling = rlim_t(4) << 30;
    const rlimit limit{ceiling, ceiling};
    setrlimit(RLIMIT_AS, &limit);
#endif

    std::vector<std::filesystem::path> files;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        if (std::filesystem::is_directory(arg)) {
            for (const auto &entry : std::filesystem::directory_iterator(arg))
                if (entry.is_regular_file())
                    files.push_back(entry.path());
        } else if (std::filesystem::is_regular_file(arg)) {
            files.push_back(arg);
        } else {
            std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
            return 2;
        }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        std::fprintf(stderr, "no inputs: name seed files or folders that hold some\n");
        return 2;
    }
    for (const auto &path : files) {
        std::ifstream in(path, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::fprintf(stderr, "%s (%zu bytes)\n", path.c_str(), bytes.size());
        std::fflush(stderr);
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(bytes.data()), bytes.size());
    }
    std::printf("ran %zu inputs, every check held\n", files.size());
    return 0;
}
