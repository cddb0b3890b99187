// Times the attention forward pass (core/bench.h) and prints the JSON.
// Usage: bench_attention [--n 1024,2048,4096] [--d 64] [--heads 1] [--threads 2] [--repeats 5] [--causal]
//                        [--no-reference]
#include "allocator.h"
#include "bench.h"

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

int main(int argc, char **argv)
{
    attention::keepFreedMemoryForReuse();
    attention::BenchOptions o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--n" && next) {
            o.n.clear();
            std::stringstream ss(argv[++i]);
            for (std::string item; std::getline(ss, item, ',');)
                o.n.push_back(std::atoi(item.c_str()));
        } else if (a == "--d" && next) {
            o.d = std::atoi(argv[++i]);
        } else if (a == "--heads" && next) {
            o.heads = std::atoi(argv[++i]);
        } else if (a == "--threads" && next) {
            o.threads = std::atoi(argv[++i]);
        } else if (a == "--repeats" && next) {
            o.repeats = std::atoi(argv[++i]);
        } else if (a == "--causal") {
            o.causal = true;
        } else if (a == "--no-reference") {
            o.reference = false;
        } else {
            std::fprintf(stderr, "unknown argument: %s\n", a.c_str());
            return 2;
        }
    }
    std::printf("%s\n", attention::runAttentionBench(o).c_str());
    return 0;
}
