// Lesson files on disk and in the application: reading them with a bound, finding their models, checking
// them. Shared by the GUI, the command line and the tests (Qt Core only).
#pragma once

#include "lesson.h"

#include <QString>
#include <QStringList>

namespace attention {

struct LessonFile
{
    QString path;       // as given, or ":/lessons/…" for a shipped lesson
    QString shownName;  // what messages call it: the path, or "lessons/NAME.lesson.md"
    LessonParse parse;
    QString error;      // the file could not be read at all (missing, too large, a folder…)

    bool ok() const { return error.isEmpty() && parse.ok(); }
};

// The shipped lessons, in course order (their file names sort in that order).
QStringList shippedLessons();
// The path of a shipped lesson named by its file name without extension ("05-java") or by its number
// ("5"); an existing file path is returned as it is; "" when neither.
QString findLesson(const QString &nameOrPath);

// Reads and parses one lesson (at most kMaxLessonBytes; devices and folders refused).
LessonFile readLesson(const QString &path);

// Finds the models a lesson names: a built-in name, or a model file relative to the lesson's folder.
ModelLoader lessonModelLoader(const QString &lessonPath);

// Every problem of the file, one line each: "file:line: step N: field: what is wrong". Empty when the
// lesson is sound: it parses, its models load, its tokens are in its sentences and its claims hold.
QStringList checkLessonFile(const QString &path);

} // namespace attention
