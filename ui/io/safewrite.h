// Writes a user's file so that a failed save never damages the file that was there before.
#pragma once

#include <QByteArray>
#include <QString>

namespace attention {

// Writes `bytes` to `path` through a temporary file in the same folder: every write checked, then flushed
// and synced to disk, and only then renamed over `path`. On any failure the temporary file is removed, an
// existing `path` keeps its old bytes, and the result is "<path>: cannot be written (<system's reason>)",
// e.g. "(No space left on device)". Returns "" on success.
QString writeFileSafely(const QString &path, const QByteArray &bytes);

} // namespace attention
