// The limits on models, texts and traces: every refusal of an oversized input names one of these.
#pragma once

#include <cstddef>

namespace attention {

// The longest input a trace accepts, in tokens. Every head keeps four (n, n) matrices of doubles, so
// 2,048 tokens cost 128 MiB per head and layer.
constexpr int kMaxTokens = 2048;

// The widest token vector. The shipped models use 8 and 32; BERT-large uses 1,024 and GPT-2 XL 1,600.
constexpr int kMaxDModel = 4096;
// The widest query, key and value vector of one head. Usually d_model / heads, so d_model's limit is ample.
constexpr int kMaxDK = 4096;
// Heads per layer. The shipped models have 1 and 2; GPT-2 XL has 25. The views list every head.
constexpr int kMaxHeads = 64;
// Layers. The shipped models have 1 and 2; GPT-2 XL has 48.
constexpr int kMaxLayers = 64;
// The hidden width of a feed-forward block (the columns of W_1): 4 × kMaxDModel, the usual ratio.
constexpr int kMaxFeedForward = 16384;
// Words in a vocabulary. The shipped models know 375 and 524 words; GPT-2 has 50,257 subwords.
constexpr int kMaxVocabulary = 100000;
// Rows of position embeddings. A trace reads at most kMaxTokens of them; the rest load but stay unused,
// so that models made for longer texts (4,096 or 8,192 positions) still open.
constexpr int kMaxPositions = 8192;

// The largest model file read, in bytes. trained.json is about 1 MB; a weight written in full takes about
// 20 bytes, so this holds some 1.6 million weights. Qt's JSON tree costs up to 16 bytes per number while a
// file is parsed: the worst file of this size (16 million zeros) peaks at about 320 MB while it is refused.
constexpr std::size_t kMaxModelFileBytes = 32u << 20;
// The longest text traced, in bytes (UTF-8). 2,048 tokens of long words are under 50 KB; this is 20 times
// that, and tokenizing it costs a few megabytes. Sentence files are read with the same bound.
constexpr std::size_t kMaxTextBytes = 1u << 20;

// The memory one trace may need (estimateTraceBytes in attention.h): the four (n, n) matrices of every
// head and layer dominate: 1 GiB holds 7 heads × layers at 2,048 tokens (128 MiB each), about 30 at
// 1,024. Measured: the largest such trace printed as tables peaks at 1.0 GB.
constexpr std::size_t kMaxTraceBytes = std::size_t(1) << 30;
// The largest trace `attention-lab-cli trace --json` prints. The JSON document is built whole in memory
// and costs about 4.5 times the trace (measured: a trace estimated at 255 MiB peaks at 1.2 GB), so this
// keeps the command near 1.2 GB. The tables have no such limit: they are written one matrix at a time.
constexpr std::size_t kMaxJsonTraceBytes = std::size_t(256) << 20;

} // namespace attention
