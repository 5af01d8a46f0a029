#pragma once

// MessageBar: a dismissible message strip at the top of the window, for
// things the user must read but that should not block them (a dropped
// folder, a busy port), with optional action buttons. Owns its labels and
// buttons, not the actions they trigger.
//
// GUI thread only.

#include <QFrame>
#include <QList>

class QAction;
class QHBoxLayout;
class QLabel;
class QToolButton;

namespace ferry::ui {

class MessageBar final : public QFrame {
  Q_OBJECT
  Q_DISABLE_COPY_MOVE(MessageBar)

 public:
  enum class Level { Info, Warning, Error };

  explicit MessageBar(QWidget* parent = nullptr);
  ~MessageBar() override;

  // Replaces the current message and shows the bar. A click on an action's
  // button dismisses the bar, then triggers the action.
  void showMessage(Level level, const QString& text, const QList<QAction*>& actions = {});
  void dismiss();
  QString text() const;
  Level level() const { return level_; }
  QList<QToolButton*> buttons() const { return buttons_; }

 protected:
  void paintEvent(QPaintEvent* event) override;

 private:
  QColor accent() const;

  Level level_ = Level::Info;
  QLabel* icon_;
  QLabel* text_;
  QHBoxLayout* buttonBox_;
  QList<QToolButton*> buttons_;
};

}  // namespace ferry::ui
