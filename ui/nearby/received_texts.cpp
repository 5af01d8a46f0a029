#include "nearby/received_texts.h"

#include <QLocale>
#include <QRegularExpression>

namespace ferry::ui {

ReceivedTexts::ReceivedTexts(QObject* parent) : QAbstractListModel(parent) {}

ReceivedTexts::~ReceivedTexts() = default;

int ReceivedTexts::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QUrl ReceivedTexts::firstLink(const QString& text) {
  static const QRegularExpression re(QStringLiteral(R"(\bhttps?://[^\s<>"]+)"),
                                     QRegularExpression::CaseInsensitiveOption);
  const QRegularExpressionMatch m = re.match(text);
  if (!m.hasMatch()) return {};
  QString s = m.captured();
  // A sentence's full stop or closing bracket is not part of the link.
  while (!s.isEmpty() && QStringLiteral(".,;:!?)]}'").contains(s.back())) s.chop(1);
  QUrl url(s, QUrl::StrictMode);
  const QString scheme = url.scheme().toLower();
  if (!url.isValid() || url.host().isEmpty() || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
    return {};
  return url;
}

QVariant ReceivedTexts::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  switch (role) {
    case Qt::DisplayRole: {
      QString shown = r.text.size() > kShown ? r.text.left(kShown) + QStringLiteral("…") : r.text;
      return tr("From %1 at %2").arg(r.from, QLocale().toString(r.time.time(), QLocale::ShortFormat)) +
             QLatin1Char('\n') + shown;
    }
    case Qt::ToolTipRole: return r.link.isEmpty() ? tr("Copy puts this text on the clipboard")
                                                  : tr("Open Link opens %1").arg(r.link.toDisplayString());
    case TextRole: return r.text;
    case FromRole: return r.from;
    case LinkRole: return r.link;
    default: return {};
  }
}

void ReceivedTexts::add(const QString& from, const QString& text) {
  beginInsertRows({}, 0, 0);
  rows_.insert(rows_.begin(), Row{QDateTime::currentDateTime(), from, text, firstLink(text)});
  endInsertRows();
  if (rowCount() > kMax) {
    beginRemoveRows({}, kMax, rowCount() - 1);
    rows_.resize(kMax);
    endRemoveRows();
  }
}

}  // namespace ferry::ui
