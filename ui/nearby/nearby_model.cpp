#include "nearby/nearby_model.h"

#include <algorithm>

#include <QApplication>
#include <QLocale>
#include <QStyle>

namespace ferry::ui {

NearbyModel::NearbyModel(QObject* parent) : QAbstractListModel(parent) {}

NearbyModel::~NearbyModel() = default;

int NearbyModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

QString NearbyModel::kindText(const QString& kind) {
  if (kind == QLatin1String("browser")) return tr("Browser");
  if (kind == QLatin1String("localsend")) return QStringLiteral("LocalSend");
  return kind;
}

QIcon NearbyModel::kindIcon(const QString& kind) {
  // Theme names first (a desktop's own icons), the style's as a fallback.
  QStyle* style = QApplication::style();
  if (kind == QLatin1String("browser"))
    return QIcon::fromTheme(QStringLiteral("web-browser"), style->standardIcon(QStyle::SP_DesktopIcon));
  return QIcon::fromTheme(QStringLiteral("computer"), style->standardIcon(QStyle::SP_ComputerIcon));
}

QVariant NearbyModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const Row& r = rows_[static_cast<std::size_t>(index.row())];
  const QString name = QString::fromStdString(r.device.name);
  const QString kind = kindText(QString::fromStdString(r.device.kind));
  const QString address = QString::fromStdString(r.device.address);
  switch (role) {
    case Qt::DisplayRole: {
      QString second = address.isEmpty() ? kind : kind + QStringLiteral(" · ") + address;
      if (!r.here) second += QStringLiteral(" · ") + tr("left %1").arg(QLocale().toString(r.left.time(), QLocale::ShortFormat));
      return name + QLatin1Char('\n') + second;
    }
    case Qt::DecorationRole: return kindIcon(QString::fromStdString(r.device.kind));
    case Qt::ToolTipRole:
      return r.here ? tr("%1 (%2, %3): drop files here to send them").arg(name, kind, address)
                    : tr("%1 left; it comes back when its page opens again").arg(name);
    case Qt::AccessibleTextRole: return name + QStringLiteral(", ") + kind;
    case IdRole: return QVariant::fromValue<quint64>(r.device.id);
    case HereRole: return r.here;
    case NameRole: return name;
    case KindRole: return kind;
    case AddressRole: return address;
    default: return {};
  }
}

Qt::ItemFlags NearbyModel::flags(const QModelIndex& index) const {
  if (!index.isValid()) return Qt::NoItemFlags;
  // A device that left can be seen, not chosen.
  const bool here = rows_[static_cast<std::size_t>(index.row())].here;
  return here ? Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsDropEnabled : Qt::NoItemFlags;
}

int NearbyModel::rowOf(std::uint64_t id) const {
  for (std::size_t i = 0; i < rows_.size(); ++i)
    if (rows_[i].device.id == id) return static_cast<int>(i);
  return -1;
}

void NearbyModel::apply(const NearbyDevice& device, bool here) {
  const int at = rowOf(device.id);
  if (here && at >= 0 && rows_[static_cast<std::size_t>(at)].here) {  // renamed
    rows_[static_cast<std::size_t>(at)].device = device;
    emit dataChanged(index(at), index(at));
    return;
  }
  if (at >= 0) {
    beginRemoveRows({}, at, at);
    rows_.erase(rows_.begin() + at);
    endRemoveRows();
  }
  if (here) {
    // Back after it was forgotten (a new id): its old "recent" row goes.
    for (int i = rowCount() - 1; i >= 0; --i) {
      const Row& r = rows_[static_cast<std::size_t>(i)];
      if (!r.here && r.device.kind == device.kind && r.device.name == device.name &&
          r.device.address == device.address) {
        beginRemoveRows({}, i, i);
        rows_.erase(rows_.begin() + i);
        endRemoveRows();
      }
    }
    const int pos = hereCount();
    beginInsertRows({}, pos, pos);
    rows_.insert(rows_.begin() + pos, Row{device, true, {}});
    endInsertRows();
    return;
  }
  if (at < 0) return;  // never listed
  const int pos = hereCount();
  beginInsertRows({}, pos, pos);
  rows_.insert(rows_.begin() + pos, Row{device, false, QDateTime::currentDateTime()});
  endInsertRows();
  if (rowCount() - hereCount() > kRecent) {
    const int last = rowCount() - 1;
    beginRemoveRows({}, last, last);
    rows_.pop_back();
    endRemoveRows();
  }
}

std::vector<NearbyDevice> NearbyModel::here() const {
  std::vector<NearbyDevice> out;
  for (const Row& r : rows_)
    if (r.here) out.push_back(r.device);
  return out;
}

int NearbyModel::hereCount() const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.here; }));
}

}  // namespace ferry::ui
