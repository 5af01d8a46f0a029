#pragma once

// NearbyModel: the Nearby list — the devices here now (a phone with this
// computer's page open, a LocalSend peer, whatever kind the core lists) and,
// below them, the few that were here recently, greyed. One row per device:
// its name, its kind in words with an icon, and its address. Nothing here
// knows one kind from another beyond that word and icon, so a kind the core
// adds shows up as it is named. Owns the rows, fed by ServerBridge's
// nearbyChanged.
//
// GUI thread only.

#include <cstdint>
#include <vector>

#include <QAbstractListModel>
#include <QDateTime>
#include <QIcon>
#include <QString>

#include "nearby_devices.h"

namespace ferry::ui {

class NearbyModel final : public QAbstractListModel {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(NearbyModel)

 public:
  // How many devices that left are still listed.
  static constexpr int kRecent = 5;
  enum Role {
    IdRole = Qt::UserRole + 1,  // quint64, the core's id (0 never)
    HereRole,                   // bool: here now (things can be sent to it)
    NameRole,                   // QString
    KindRole,                   // QString: the kind in words ("Browser", "LocalSend")
    AddressRole,                // QString
  };

  explicit NearbyModel(QObject* parent = nullptr);
  ~NearbyModel() override;

  int rowCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;

  // A device arrived (or was renamed) or left.
  void apply(const NearbyDevice& device, bool here);
  // The devices here now, in the order they came.
  std::vector<NearbyDevice> here() const;
  int hereCount() const;
  int rowOf(std::uint64_t id) const;  // -1 when not listed

  // "browser" → "Browser", "localsend" → "LocalSend"; any other kind as
  // the core names it.
  static QString kindText(const QString& kind);
  static QIcon kindIcon(const QString& kind);

 private:
  struct Row {
    NearbyDevice device;
    bool here = true;
    QDateTime left;  // when it left (not here)
  };
  std::vector<Row> rows_;  // here first (in order of arrival), then recent (newest first)
};

}  // namespace ferry::ui
