// The trace as one JSON object, in the shape `attention-lab-cli trace --json` prints.
#pragma once

#include "attention.h"

#include <QJsonObject>

namespace attention {

// Keys: tokens, model, options, layers[].{input, heads[], W_O, b_O, attention_output, output}. −∞ in
// masked scores is written as the string "-inf". Matrices are lists of rows.
QJsonObject traceToJson(const AttentionTrace &trace);

} // namespace attention
