// Lesson files: read with a bound, models found beside them, checked against the trace.
#include "lessonio.h"

#include "modelio.h"

#include <QDir>
#include <QFileInfo>

namespace attention {

QStringList shippedLessons()
{
    QStringList paths;
    const QDir dir(QStringLiteral(":/lessons"));
    for (const QString &name : dir.entryList({QStringLiteral("*.lesson.md")}, QDir::Files, QDir::Name))
        paths << dir.filePath(name);
    return paths;
}

QString findLesson(const QString &nameOrPath)
{
    if (nameOrPath.isEmpty())
        return QString();
    bool isNumber = false;
    const int number = nameOrPath.toInt(&isNumber);
    for (const QString &path : shippedLessons()) {
        const QString base = QFileInfo(path).fileName().chopped(int(sizeof(".lesson.md")) - 1);
        if (base == nameOrPath || (isNumber && base.section(QLatin1Char('-'), 0, 0).toInt() == number) ||
            base.section(QLatin1Char('-'), 1) == nameOrPath)
            return path;
    }
    if (QFileInfo(nameOrPath).isFile())
        return nameOrPath;
    return QString();
}

LessonFile readLesson(const QString &path)
{
    LessonFile file;
    file.path = path;
    file.shownName = path.startsWith(QLatin1String(":/")) ? path.mid(2) : path;
    const FileRead read = readFileWithLimit(path, static_cast<qint64>(kMaxLessonBytes), file.shownName,
                                            QStringLiteral("a lesson file"), !path.startsWith(QLatin1String(":/")));
    if (!read.ok()) {
        file.error = read.error;
        return file;
    }
    file.parse = parseLesson(read.bytes.toStdString());
    return file;
}

ModelLoader lessonModelLoader(const QString &lessonPath)
{
    const QString folder = lessonPath.startsWith(QLatin1String(":/")) ? QString() : QFileInfo(lessonPath).absolutePath();
    return [folder](const std::string &name, std::string *error) -> std::shared_ptr<const Model> {
        const QString n = QString::fromStdString(name);
        QString source = n;
        if (!builtinModelNames().contains(n)) {
            if (folder.isEmpty() || QFileInfo(n).isAbsolute()) {
                *error = QStringLiteral("“%1” is neither a built-in model (%2) nor a file beside the lesson")
                             .arg(n, builtinModelNames().join(QStringLiteral(", ")))
                             .toStdString();
                if (!QFileInfo(n).isAbsolute())
                    return nullptr;
            } else {
                source = QDir(folder).filePath(n);
            }
        }
        const ModelLoad load = loadModel(source);
        if (!load.ok()) {
            *error = load.error.toStdString();
            return nullptr;
        }
        return load.model;
    };
}

QStringList checkLessonFile(const QString &path)
{
    const LessonFile file = readLesson(path);
    if (!file.error.isEmpty())
        return {file.error};
    QStringList lines;
    const std::string shown = file.shownName.toStdString();
    for (const LessonProblem &p : checkLesson(file.parse, lessonModelLoader(path)))
        lines << QString::fromStdString(formatProblem(shown, p));
    return lines;
}

} // namespace attention
