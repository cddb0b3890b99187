// Reads and writes model files (JSON) and finds the built-in models by name.
#pragma once

#include "model.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <memory>

namespace attention {

struct ModelLoad
{
    std::shared_ptr<Model> model;
    QString error; // empty on success; otherwise "<file>: <field>: <what is wrong>"

    bool ok() const { return model != nullptr; }
};

// A whole file read with a bound on its size.
struct FileRead
{
    QByteArray bytes;
    QString error; // empty on success; otherwise "<file>: <what is wrong>"

    bool ok() const { return error.isEmpty(); }
};

// Reads the file at `path` if it holds at most `limit` bytes. A larger file is refused from its size
// without reading it; a pipe or device is read only up to one byte past the limit, so /dev/zero is refused
// at once. With `regularOnly`, anything but a regular file is refused before it is opened (a FIFO would
// block). `shown` names the file in messages and `what` says what it should be ("a model file").
FileRead readFileWithLimit(const QString &path, qint64 limit, const QString &shown, const QString &what,
                           bool regularOnly);

// Parses a model from JSON text. `source` names the file in error messages. Refuses text longer than
// kMaxModelFileBytes and any size past the limits of inputlimits.h, before allocating it.
ModelLoad parseModel(const QByteArray &json, const QString &source);

// Loads a model from a file path, or from a built-in name ("didactic", "trained"). Refuses folders,
// devices, pipes and files longer than kMaxModelFileBytes without reading them.
ModelLoad loadModel(const QString &nameOrPath);

// The names of the models that ship inside the application.
QStringList builtinModelNames();

// Writes a model as JSON that parseModel reads back to the same numbers. The output depends only on the
// model, so the same weights always give the same bytes.
QByteArray serializeModel(const Model &model);

} // namespace attention
