// Runs a program under a file-size limit: the tests' stand-in for a full disk, with no root needed.
#pragma once

#include <QProcess>
#include <QString>
#include <QStringList>

namespace attention::testing {

// Starts `program` with `arguments` so that it may write files of at most `kib` KiB. SIGXFSZ is ignored,
// so a write past the limit fails with EFBIG ("File too large") instead of killing the process.
inline void startWithFileSizeLimit(QProcess &process, const QString &program, const QStringList &arguments,
                                   int kib)
{
    process.start(QStringLiteral("/bin/sh"),
                  QStringList{QStringLiteral("-c"),
                              QStringLiteral("trap '' XFSZ; ulimit -f %1; exec \"$0\" \"$@\"").arg(kib),
                              program} +
                      arguments);
}

} // namespace attention::testing
