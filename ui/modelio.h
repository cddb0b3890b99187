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

// Parses a model from JSON text. `source` names the file in error messages.
ModelLoad parseModel(const QByteArray &json, const QString &source);

// Loads a model from a file path, or from a built-in name ("didactic", "trained").
ModelLoad loadModel(const QString &nameOrPath);

// The names of the models that ship inside the application.
QStringList builtinModelNames();

// Writes a model as JSON that parseModel reads back to the same numbers. The output depends only on the
// model, so the same weights always give the same bytes.
QByteArray serializeModel(const Model &model);

} // namespace attention
