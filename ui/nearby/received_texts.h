#pragma once

// ReceivedTexts: the texts nearby devices' pages sent this computer, newest
// first, at most kMax (the oldest go). Each row is shown as text, never as
// markup; a link in it is found (http and https only) so the window can
// offer to open it, which happens only when the user asks. Owns the rows.
//
// GUI thread only.

#include <vector>

#include <QAbstractListModel>
#include <QDateTime>
#include <QString>
#include <QUrl>

namespace ferry::ui {

class ReceivedTexts final : public QAbstractListModel {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(ReceivedTexts)

 public:
  static constexpr int kMax = 100;
  // How much of a text its row shows (Copy takes all of it).
  static constexpr int kShown = 400;
  enum Role {
    TextRole = Qt::UserRole + 1,  // QString: the whole text
    FromRole,                     // QString: the device's name
    LinkRole,                     // QUrl: the first http(s) link in it, or empty
  };

  explicit ReceivedTexts(QObject* parent = nullptr);
  ~ReceivedTexts() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;

  void add(const QString& from, const QString& text);
  // The first http or https link in `text`, or an empty URL.
  static QUrl firstLink(const QString& text);

 private:
  struct Row {
    QDateTime time;
    QString from;
    QString text;
    QUrl link;
  };
  std::vector<Row> rows_;  // newest first
};

}  // namespace ferry::ui
