// QSaveFile with every step checked: Qt 6.4's commit() reports success after a short write or a failed
// final flush, and then renames the truncated temporary file over the user's file.
#include "safewrite.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstring>
#include <unistd.h>
#endif

namespace attention {

namespace {

QString failure(const QString &path, const QString &reason)
{
    return QStringLiteral("%1: cannot be written (%2)").arg(path, reason);
}

// Writes all of `bytes`. A short write is retried, so the error that stopped it (EFBIG, ENOSPC) is the one
// the device reports; false when a write fails or makes no progress.
bool writeAll(QFileDevice &file, const QByteArray &bytes)
{
    qint64 done = 0;
    while (done < bytes.size()) {
        const qint64 n = file.write(bytes.constData() + done, bytes.size() - done);
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// A device or a pipe (/dev/stdout, a FIFO) has no old bytes to keep, and renaming over it would replace the
// device with a plain file: write to it directly, every step checked.
QString writeDirectly(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return failure(path, file.errorString());
    if (!writeAll(file, bytes) || !file.flush())
        return failure(path, file.errorString());
    file.close();
    if (file.error() != QFileDevice::NoError)
        return failure(path, file.errorString());
    return {};
}

} // namespace

QString writeFileSafely(const QString &path, const QByteArray &bytes)
{
    if (path.isEmpty())
        return QStringLiteral("no file name was given");
    const QFileInfo target(path); // follows symbolic links, as QSaveFile does
    if (target.isDir())
        return failure(path, QStringLiteral("it is a folder"));
    if (target.exists() && !target.isFile())
        return writeDirectly(path, bytes);

    QSaveFile file(path);
    // Never fall back to writing the target in place: that is what truncates the old file.
    file.setDirectWriteFallback(false);
    // Unbuffered: each write goes to the kernel at once, so a short write is retried and the retry fails
    // with the system's reason. Through QIODevice's buffer, a failed flush only says "Unknown error".
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return failure(path, file.errorString());
    // From here on, leaving without commit() removes the temporary file (QSaveFile's destructor).
    if (!writeAll(file, bytes))
        return failure(path, file.errorString());
    // 1. Nothing should be left in a buffer, but a failed flush must never reach commit(): commit() would
    //    not say so.
    if (!file.flush())
        return failure(path, file.errorString());
#ifdef Q_OS_UNIX
    // 2. Ask the disk for the blocks: delayed allocation and network file systems report ENOSPC or EIO
    //    only now. The rename below must not replace a good file with one that never reached the disk.
    if (::fsync(file.handle()) != 0 && errno != EINVAL && errno != EROFS)
        return failure(path, QString::fromLocal8Bit(std::strerror(errno)));
#endif
    // 3. Rename over the target.
    if (!file.commit())
        return failure(path, file.errorString());
    return {};
}

} // namespace attention
